/**
 * Retention, in three tiers: runs (minute entries in run_blocks) and their evidence are kept
 * `rawRunDays` (default 14); hourly rollups `hourRollupDays` (default 92, so a 90-day window's
 * partial first day is still in hours); daily rollups `rollupDays` (default 400). Deletes run
 * from the cron in bounded chunks: each (probe, region) pair is visited once an hour, at the
 * minute its hash picks, blocks (a few rows per region and hour) every tick, and each statement
 * touches at most DELETE_CHUNK rows, so no tick does unbounded work.
 */
import { stableHash } from "../hash.ts";
import { DAY_MS } from "../time.ts";

export interface RetentionPolicy {
  rawRunDays: number;
  hourRollupDays: number;
  rollupDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawRunDays: 14, hourRollupDays: 92, rollupDays: 400 };
export const DELETE_CHUNK = 1000;

export interface PrunePlan {
  pairs: { probeId: string; region: string }[];
  /**
   * Every region whose blocks may exist: their expired blocks go every tick. The tick passes all
   * known regions, so a region no probe runs in any more is still emptied as its blocks expire.
   */
  regions: string[];
  /** Runs (blocks of hours ending by then) and evidence before this are deleted. */
  runsBefore: number;
  /** Hourly rollups before this are deleted. */
  hoursBefore: number;
  /** Daily rollups before this are deleted. */
  rollupsBefore: number;
}

/** The pairs whose turn it is at this tick, and the cut-off times. Pure. */
export function planPrune(
  pairs: readonly { probeId: string; region: string }[],
  slotAt: number,
  policy: RetentionPolicy,
  knownRegions: readonly string[] = [],
): PrunePlan {
  const minute = Math.floor(slotAt / 60_000) % 60;
  return {
    pairs: pairs.filter((p) => stableHash(`${p.probeId}|${p.region}`) % 60 === minute),
    regions: [...new Set([...knownRegions, ...pairs.map((p) => p.region)])].sort(),
    runsBefore: slotAt - policy.rawRunDays * DAY_MS,
    hoursBefore: slotAt - Math.max(policy.hourRollupDays, policy.rawRunDays) * DAY_MS,
    rollupsBefore: slotAt - policy.rollupDays * DAY_MS,
  };
}
