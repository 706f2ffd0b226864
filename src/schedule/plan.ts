/**
 * Pure tick planning: which (probe, region) runs are due at a cron tick. Probes with the same
 * interval are spread across it by a stable hash of their id, so a 5-minute fleet does not all
 * fire at :00. Everything is a function of the probes and the tick time; nothing else.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { SCHEDULES } from "../probe/schema.ts";
import { MINUTE_MS } from "../time.ts";
import { stableHash } from "../hash.ts";

export interface PlannedRun {
  probe: LoadedProbe;
  region: string;
  /** The scheduled minute, epoch ms. */
  slotAt: number;
}

/** The minute a tick belongs to; a late or early delivery still lands in its own slot. */
export function slotOf(scheduledTime: number): number {
  return Math.floor(scheduledTime / MINUTE_MS) * MINUTE_MS;
}

export function intervalMinutes(probe: LoadedProbe): number {
  return SCHEDULES[probe.probe.schedule];
}

/** The minute within its interval at which a probe runs (0 for every-minute probes). */
export function phaseOf(probe: LoadedProbe): number {
  return stableHash(probe.probe.id) % intervalMinutes(probe);
}

export function isDue(probe: LoadedProbe, slotAt: number): boolean {
  const minute = Math.floor(slotAt / MINUTE_MS);
  return minute % intervalMinutes(probe) === phaseOf(probe);
}

/**
 * Every run due at this tick, one per (probe, region). `watched` probes (a release watch covers
 * this minute, src/releases/) are due every minute whatever their schedule, from all their
 * regions: at most one run per (probe, region, minute) either way.
 */
export function planTick(probes: readonly LoadedProbe[], scheduledTime: number, watched: ReadonlySet<string> = new Set()): PlannedRun[] {
  const slotAt = slotOf(scheduledTime);
  return probes.filter((p) => isDue(p, slotAt) || watched.has(p.probe.id)).flatMap((probe) => probe.probe.regions.map((region) => ({ probe, region, slotAt })));
}
