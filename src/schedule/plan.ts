/**
 * Pure tick planning: which (probe, region) runs are due at a cron tick. Probes with the same
 * interval are spread across it by a stable hash of their id, so a 5-minute fleet does not all
 * fire at :00. Everything is a function of the probes and the tick time; nothing else.
 */
import { isLoadedHttp, type LoadedProbe } from "../probe/registry.ts";
import { durationMs, SCHEDULES } from "../probe/schema.ts";
import { MINUTE_MS } from "../time.ts";

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

/** 32-bit FNV-1a of the UTF-16 code units of text. Stable, but weak in its low bits (see stableHash). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A stable, well-spread 32-bit hash of a probe id: FNV-1a followed by the murmur3 `fmix32`
 * finalizer.
 *
 * Why the finalizer: callers take the hash modulo a small number (an interval in minutes, 60 for
 * retention), so its low bits decide. FNV-1a alone mixes upwards only (multiplication carries go
 * from low bits to high, never back), so its low bits see little of the input: bit 0 is just the
 * parity of the number of odd character codes, bit 1 depends only on the low two bits of each
 * code, and so on. With an even interval (2m, 10m, 30m, 1h) phases then cluster on ids that
 * differ in few characters. fmix32 folds the high bits back down (xor-shift, multiply,
 * xor-shift), so every output bit depends on every input bit. It is a bijection on 32 bits, so
 * it adds no collisions, and it is fixed forever: changing it would move every probe's phase.
 */
export function stableHash(text: string): number {
  let h = fnv1a(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
export function planTick(probes: readonly LoadedProbe[], scheduledTime: number, watched: ReadonlySet<string> = new Set()): PlannedRun[] {
  const slotAt = slotOf(scheduledTime);
  return probes.filter(isLoadedHttp).filter((p) => isDue(p, slotAt) || watched.has(p.probe.id)).flatMap((probe) => probe.probe.regions.map((region) => ({ probe, region, slotAt })));
}
