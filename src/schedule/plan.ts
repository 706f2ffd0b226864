/**
 * Pure tick planning: which (probe, region) runs are due at a cron tick. Probes with the same
 * interval are spread across it by a stable hash of their id, so a 5-minute fleet does not all
 * fire at :00. Everything is a function of the probes and the tick time; nothing else.
 */
import { isLoadedRunnable, type LoadedProbe } from "../probe/registry.ts";
import { durationMs, SCHEDULES } from "../probe/schema.ts";
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

/** Minutes between a probe's runs: its schedule, or a heartbeat's period (one outcome per period). */
export function intervalMinutes(probe: LoadedProbe): number {
  const p = probe.probe;
  return p.kind === "heartbeat" ? durationMs(p.period) / MINUTE_MS : SCHEDULES[p.schedule];
}

/** The minute within its interval at which a probe runs (0 for every-minute probes). */
export function phaseOf(probe: LoadedProbe): number {
  return stableHash(probe.probe.id) % intervalMinutes(probe);
}

/** Heartbeats are never due: the software pings them, and the tick's heartbeat stage judges the pings. */
export function isDue(probe: LoadedProbe, slotAt: number): boolean {
  if (probe.probe.kind === "heartbeat") return false;
  const minute = Math.floor(slotAt / MINUTE_MS);
  return minute % intervalMinutes(probe) === phaseOf(probe);
}

/**
 * Every run due at this tick, one per (probe, region). `watched` probes (a release watch covers
 * this minute, src/releases/) are due every minute whatever their schedule, from all their
 * regions: at most one run per (probe, region, minute) either way.
 */
export function planTick(
  probes: readonly LoadedProbe[],
  scheduledTime: number,
  watched: ReadonlySet<string> = new Set(),
): PlannedRun[] {
  const slotAt = slotOf(scheduledTime);
  return probes
    .filter(isLoadedRunnable)
    .filter((p) => isDue(p, slotAt) || watched.has(p.probe.id))
    .flatMap((probe) => probe.probe.regions.map((region) => ({ probe, region, slotAt })));
}
