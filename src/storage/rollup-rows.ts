/** Rows of rollups_hourly / rollups_daily <-> domain values. */
import { BUCKET_COUNT, emptyHistogram, type Histogram } from "../slo/latency-histogram.ts";

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
}

export interface RollupRow {
  probe_id: string;
  region: string;
  bucket_at: number;
  total: number;
  up: number;
  degraded: number;
  down: number;
  latency: string;
}

export class RollupDecodeError extends Error {
  override name = "RollupDecodeError";
}

/** The latency column is a sparse JSON object {bucket index: count}; SQL bumps one key per run. */
export function latencyFromColumn(text: string): Histogram {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RollupDecodeError(`latency column is not JSON: ${text.slice(0, 80)}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new RollupDecodeError(`latency column is not an object: ${text.slice(0, 80)}`);
  const histogram = emptyHistogram();
  for (const [key, count] of Object.entries(parsed)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= BUCKET_COUNT || !Number.isSafeInteger(count) || (count as number) < 0) {
      throw new RollupDecodeError(`latency column has a bad bucket ${key}: ${String(count)}`);
    }
    histogram[index] = count as number;
  }
  return histogram;
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
    latency: latencyFromColumn(row.latency),
  };
}
