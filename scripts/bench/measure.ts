/**
 * Shared by the benchmarks: reading their numeric flags, progress lines, timeouts, the
 * statistics and tables of their reports, and the sequential request loops that produce the
 * samples (warm-up per target, then timed rounds that visit the targets in turn).
 */
import { parseArgs } from "node:util";

// ---------------------------------------------------------------- flags and progress

export function positiveInt(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: a positive integer, got '${raw}'`);
  return n;
}

/**
 * The command line: `--name N` for each key of `defaults` (a positive integer, checked in the
 * order given) and `--verbose`; anything else is refused.
 */
export function benchFlags<K extends string>(defaults: Record<K, number>): Record<K, number> & { verbose: boolean } {
  const names = Object.keys(defaults) as K[];
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(names.map((name) => [name, { type: "string" as const, default: String(defaults[name]) }])),
      verbose: { type: "boolean", default: false },
    },
  });
  const raw = values as Record<string, string | boolean | undefined>;
  const flags = Object.fromEntries(
    names.map((name) => [name, positiveInt(`--${name}`, raw[name] as string | undefined)]),
  ) as Record<K, number>;
  return { ...flags, verbose: raw.verbose === true };
}

/** A progress line on stderr, with the seconds since `started`. */
export function progressLogger(started = performance.now()): (text: string) => void {
  return (text) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
}

export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- numbers and tables

/** Nearest-rank quantile (p in 0..1); NaN for no values. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/**
 * Columns padded to their widest cell: the others right-aligned, the first left-aligned unless
 * `firstColumn` is "right".
 */
export function formatTable(header: string[], rows: string[][], firstColumn: "left" | "right" = "left"): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 && firstColumn === "left" ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------- request loops

/** One timed HTTP request: time to the last body byte, status (0: failed), body bytes. */
export interface HttpSample {
  ms: number;
  status: number;
  bytes: number;
  error?: string;
  /** The response's ETag, when it had one. */
  etag?: string;
}

/** The p50 / p99 / max and median bytes of the samples with an expected status (200 unless given), the others counted as errors. */
export function summarize(samples: readonly HttpSample[], okStatuses: readonly number[] = [200]) {
  const ok = samples.filter((s) => okStatuses.includes(s.status));
  const ms = ok.map((s) => s.ms);
  return {
    ok: ok.length,
    errors: samples.length - ok.length,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    max: ms.length ? Math.max(...ms) : Number.NaN,
    bytes: quantile(
      ok.map((s) => s.bytes),
      0.5,
    ),
    firstError: samples.find((s) => !okStatuses.includes(s.status)),
  };
}

/** `times` requests to each target in turn (all of one target's first), each handed to `check`. */
export async function warmUp<T, S>(
  targets: readonly T[],
  times: number,
  send: (target: T) => Promise<S>,
  check: (target: T, sample: S) => void,
): Promise<void> {
  for (const t of targets) for (let k = 0; k < times; k++) check(t, await send(t));
}

/** `rounds` rounds that visit the targets in turn, one request at a time (so drift hits them alike). */
export async function roundRobin<T, S>(
  targets: readonly T[],
  rounds: number,
  send: (target: T) => Promise<S>,
): Promise<Map<T, S[]>> {
  const samples = new Map<T, S[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) for (const t of targets) samples.get(t)!.push(await send(t));
  return samples;
}
