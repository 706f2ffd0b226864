/**
 * Retention: raw runs are kept `rawRunDays` (default 14), rollups 400 days. Deletes run from the
 * cron in bounded chunks: each (probe, region) pair is visited once an hour, at the minute its
 * hash picks, and at most CHUNK rows go per statement, so no tick does unbounded work.
 */
import { stableHash } from "../schedule/plan.ts";
import { DAY_MS } from "../time.ts";

export interface RetentionPolicy {
  rawRunDays: number;
  rollupDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawRunDays: 14, rollupDays: 400 };
export const DELETE_CHUNK = 1000;

export interface PrunePlan {
  pairs: { probeId: string; region: string }[];
  runsBefore: number;
  rollupsBefore: number;
}

/** The pairs whose turn it is at this tick, and the cut-off times. Pure. */
export function planPrune(pairs: readonly { probeId: string; region: string }[], slotAt: number, policy: RetentionPolicy): PrunePlan {
  const minute = Math.floor(slotAt / 60_000) % 60;
  return {
    pairs: pairs.filter((p) => stableHash(`${p.probeId}|${p.region}`) % 60 === minute),
    runsBefore: slotAt - policy.rawRunDays * DAY_MS,
    rollupsBefore: slotAt - policy.rollupDays * DAY_MS,
  };
}
