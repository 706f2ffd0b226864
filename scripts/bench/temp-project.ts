/**
 * Shared by the benchmarks that run a generated fleet under `wrangler dev` (fleet.ts, api.ts):
 * a temporary copy of the project with its own probes/ folder, a D1-only wrangler config for
 * getPlatformProxy on the same persisted database, the database's SQLite file, and the small
 * number and table helpers of the reports.
 */
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getPlatformProxy, unstable_readConfig } from "wrangler";
import { loadRegistry, type LoadedProbe, type ProbeModule } from "../../src/probe/registry.ts";

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// ---------------------------------------------------------------- the temporary project

/** The source of one probes/*.ts file that default-exports `definition` (plain data). */
export function probeModuleSource(definition: object): string {
  return `import { defineProbe } from "../src/probe/define-probe.ts";\n\nexport default defineProbe(${JSON.stringify(definition, null, 2)});\n`;
}

/**
 * A copy of the project that wrangler can build and run, whose probes/ folder holds only the
 * given files (name -> source). src/generated is left out: startLocalNetwork regenerates it.
 */
export function makeTempProject(root: string, probes: ReadonlyMap<string, string>): void {
  mkdirSync(root, { recursive: true });
  const generated = join(PROJECT_ROOT, "src", "generated");
  cpSync(join(PROJECT_ROOT, "src"), join(root, "src"), { recursive: true, filter: (source) => source !== generated && !source.startsWith(generated + "/") });
  cpSync(join(PROJECT_ROOT, "migrations"), join(root, "migrations"), { recursive: true });
  for (const file of ["wrangler.toml", "package.json", "tsconfig.json", "scripts/generate-probe-registry.ts"]) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(root, file));
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  mkdirSync(join(root, "probes"));
  for (const [file, source] of probes) writeFileSync(join(root, "probes", file), source);
}

/** The probes as the Worker loads them: the files of root/probes imported and validated by loadRegistry. */
export async function loadProjectProbes(root: string): Promise<LoadedProbe[]> {
  const files = readdirSync(join(root, "probes")).filter((f) => f.endsWith(".ts")).sort();
  const modules: ProbeModule[] = await Promise.all(
    files.map(async (f) => ({ file: `probes/${f}`, definition: ((await import(pathToFileURL(join(root, "probes", f)).href)) as { default: unknown }).default })),
  );
  return loadRegistry(modules);
}

// ---------------------------------------------------------------- the local D1

/** A wrangler config with only the D1 binding (same database id), so the proxy starts no Durable Objects. */
export function writeD1OnlyConfig(root: string, dir: string, name = "afterlife-bench-d1"): string {
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  const db = config.d1_databases.find((d: { binding: string }) => d.binding === "DB");
  if (!db) throw new Error("wrangler.toml has no D1 binding DB");
  const lines = [
    `name = "${name}"`,
    `compatibility_date = "${config.compatibility_date}"`,
    `[[d1_databases]]`,
    `binding = "DB"`,
    `database_name = "${db.database_name}"`,
    `database_id = "${db.database_id}"`,
    ...(db.preview_database_id ? [`preview_database_id = "${db.preview_database_id}"`] : []),
    ...(db.migrations_dir ? [`migrations_dir = "${db.migrations_dir}"`] : []),
  ];
  const file = join(dir, "d1-only.wrangler.toml");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** A local D1 binding (full meta: rows_read, duration) on the database persisted under persistTo. */
export async function openLocalD1(configPath: string, persistTo: string): Promise<{ db: D1Database; dispose(): Promise<void> }> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({ configPath, persist: { path: join(persistTo, "v3") }, remoteBindings: false, envFiles: [] });
  return { db: proxy.env.DB, dispose: () => proxy.dispose() };
}

/** The local D1 database's SQLite file (plain SQLite; open it only while no workerd has it open). */
export function d1File(persistTo: string): string {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database file in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0]!);
}

// ---------------------------------------------------------------- numbers and tables

export function positiveInt(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: a positive integer, got '${raw}'`);
  return n;
}

/** A progress line on stderr, with the seconds since `started`. */
export function progressLogger(started = performance.now()): (text: string) => void {
  return (text) => console.error(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
}

/** Nearest-rank quantile (p in 0..1); NaN for no values. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
export const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Columns padded to their widest cell: the first left-aligned, the others right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
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
