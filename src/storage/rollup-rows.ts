/** Rows of rollups_hourly / rollups_daily <-> domain values. */
import { decodeHistogram, type Histogram } from "../slo/latency-histogram.ts";
import type { MetricAggregate } from "./metric-values.ts";

export type Grain = "hour" | "day";

export interface Rollup {
  probeId: string;
  region: string;
  grain: Grain;
  /** Start of the hour or UTC day, epoch ms. */
  bucketAt: number;
  total: number;
  up: number;
  degraded: number;
  down: number;
  latency: Histogram;
  /** Failed runs per failing step name. */
  stepFailures: Record<string, number>;
  /** Runs during maintenance excluded from SLOs: in `total`, neither good nor bad (absent = 0). */
  maintenance?: number;
  /** Down runs that failed on the monitoring side (class `probe`): part of `down`, no data for SLIs (absent = 0). */
  monitoring?: number;
  /**
   * Up and degraded runs that took at most `thresholdMs`, counted from their exact durations
   * under the probe's latency objective of the time; null or absent where no threshold applied
   * (readers then fall back to the histogram).
   */
  latencyUnder?: LatencyUnder | null;
  /** Hourly rollups as sealing writes them: each journey metric's aggregate over the hour (metric-values.ts). */
  metrics?: Record<string, MetricAggregate>;
}

interface LatencyUnder {
  thresholdMs: number;
  good: number;
}

export interface RollupRow {
  probe_id: string;
  region: string;
  bucket_at: number;
  total: number;
  up: number;
  degraded: number;
  down: number;
  /** Sparse JSON {bucket index: count}; see encodeHistogram. */
  latency: string;
  step_failures: string;
  maintenance: number;
  monitoring: number;
  latency_under_ms: number | null;
  latency_good: number | null;
}

/**
 * The columns a RollupRow is read from, the table's bucket column named `bucket_at`; with
 * `stepFailures: false` the step failures read as none (for readers that do not use them).
 */
export function rollupColumns(bucketColumn: "hour_at" | "day_at", options: { stepFailures?: boolean } = {}): string {
  const stepFailures = options.stepFailures === false ? "'{}' AS step_failures" : "step_failures";
  return `probe_id, region, ${bucketColumn} AS bucket_at, total, up, degraded, down, latency, ${stepFailures}, maintenance, monitoring, latency_under_ms, latency_good`;
}

export function toRollup(row: RollupRow, grain: Grain): Rollup {
  return {
    probeId: row.probe_id,
    region: row.region,
    grain,
    bucketAt: row.bucket_at,
    total: row.total,
    up: row.up,
    degraded: row.degraded,
    down: row.down,
    latency: decodeHistogram(row.latency),
    stepFailures: decodeStepFailures(row.step_failures),
    maintenance: row.maintenance,
    monitoring: row.monitoring,
    latencyUnder:
      row.latency_under_ms === null || row.latency_good === null
        ? null
        : { thresholdMs: row.latency_under_ms, good: row.latency_good },
  };
}

/**
 * The exact under-threshold counts of two spans together: their sum when both were counted under
 * the same threshold, null otherwise (the span then has no exact count; the day rebuild in SQL,
 * day-rollup.ts, follows the same rule).
 */
export function mergeLatencyUnder(
  a: LatencyUnder | null | undefined,
  b: LatencyUnder | null | undefined,
): LatencyUnder | null {
  if (!a || !b || a.thresholdMs !== b.thresholdMs) return null;
  return { thresholdMs: a.thresholdMs, good: a.good + b.good };
}

/** Rows (rollups, runs) by probe id, in the order given. */
export function byProbeId<T extends { probeId: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.probeId);
    if (list) list.push(r);
    else out.set(r.probeId, [r]);
  }
  return out;
}

/** The step_failures column: a JSON object of non-negative counts; anything else is a bug. */
function decodeStepFailures(text: string): Record<string, number> {
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new TypeError(`step_failures is not a JSON object: ${text.slice(0, 80)}`);
  for (const [step, count] of Object.entries(parsed)) {
    if (!Number.isSafeInteger(count) || (count as number) < 0)
      throw new TypeError(`step_failures has a bad count for '${step}': ${String(count)}`);
  }
  return parsed as Record<string, number>;
}
