/** Rows of rollups_hourly / rollups_daily <-> domain values. */
import { decodeHistogram, type Histogram } from "../slo/latency-histogram.ts";

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
  /** Sparse JSON {bucket index: count}; see encodeHistogram. */
  latency: string;
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
  };
}
