/**
 * Test fixtures for the SLO engine: raw run outcomes and the rollups storage would build from
 * them, following storage/run-write.ts (every run counts in total and its status; only non-down
 * runs add their duration to the latency histogram).
 */
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import type { Grain, Rollup } from "../../../src/storage/rollup-rows.ts";

const HOUR = 3_600_000;
export const DAY = 86_400_000;

type Status = "up" | "degraded" | "down";

export interface RawRun {
  probeId: string;
  region: string;
  slotAt: number;
  status: Status;
  durationMs: number;
}

export function rollupsOf(runs: readonly RawRun[], grain: Grain): Rollup[] {
  const unit = grain === "hour" ? HOUR : DAY;
  const byKey = new Map<string, Rollup>();
  for (const run of runs) {
    const bucketAt = Math.floor(run.slotAt / unit) * unit;
    const key = `${run.probeId}|${run.region}|${bucketAt}`;
    const r = byKey.get(key) ?? {
      probeId: run.probeId,
      region: run.region,
      grain,
      bucketAt,
      total: 0,
      up: 0,
      degraded: 0,
      down: 0,
      latency: emptyHistogram(),
      stepFailures: {},
    };
    r.total += 1;
    r[run.status] += 1;
    if (run.status !== "down") r.latency = record(r.latency, run.durationMs);
    byKey.set(key, r);
  }
  return [...byKey.values()];
}

/** A rollup with the given counts and latency samples (ms), for table tests. */
export function rollup(fields: {
  bucketAt: number;
  grain?: Grain;
  up?: number;
  degraded?: number;
  down?: number;
  samples?: readonly number[];
  region?: string;
}): Rollup {
  const up = fields.up ?? 0;
  const degraded = fields.degraded ?? 0;
  const down = fields.down ?? 0;
  return {
    probeId: "p",
    region: fields.region ?? "weur",
    grain: fields.grain ?? "hour",
    bucketAt: fields.bucketAt,
    total: up + degraded + down,
    stepFailures: {},
    up,
    degraded,
    down,
    latency: (fields.samples ?? []).reduce((h, ms) => record(h, ms), emptyHistogram()),
  };
}
