/**
 * Synthetic probe histories for the SLO engine's pure tests: every (pair, minute) gets its run
 * (or none) from a function, and the history holds what the report plan (slo/report-plan.ts)
 * says a loader reads: minute entries of the planned hours, hourly rollups summed from the same
 * runs, and daily rollups. Rollups are summed here, independently of storage/run-blocks.ts.
 */
import type { LoadedProbe } from "../../../src/probe/registry.ts";
import type { LoadedSpans, PairHistory, ProbeHistory } from "../../../src/slo/ledger.ts";
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import type { MinuteEntry } from "../../../src/storage/minute-entries.ts";
import type { Rollup } from "../../../src/storage/rollup-rows.ts";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A run at a minute, or null for none. */
export type RunAt = (region: string, slotAt: number) => Omit<MinuteEntry, "minute"> | null;

function rollupOf(
  region: string,
  probeId: string,
  grain: "hour" | "day",
  from: number,
  to: number,
  runAt: RunAt,
  thresholdMs: number | undefined,
): Rollup | null {
  const r: Rollup = {
    probeId,
    region,
    grain,
    bucketAt: from,
    total: 0,
    up: 0,
    degraded: 0,
    down: 0,
    latency: emptyHistogram(),
    stepFailures: {},
    maintenance: 0,
    monitoring: 0,
    latencyUnder: thresholdMs === undefined ? null : { thresholdMs, good: 0 },
  };
  for (let t = from; t < to; t += MINUTE) {
    const run = runAt(region, t);
    if (!run) continue;
    r.total++;
    if (run.inMaintenance) {
      r.maintenance!++;
      continue;
    }
    r[run.status]++;
    if (run.monitoringSide) r.monitoring!++;
    if (run.status === "down") continue;
    r.latency = record(r.latency, run.durationMs);
    if (r.latencyUnder && run.durationMs <= r.latencyUnder.thresholdMs) r.latencyUnder.good++;
  }
  return r.total > 0 ? r : null;
}

/** The history of `probe` over `regions` as a loader would read it for `loaded`. */
export function historyOf(
  probe: LoadedProbe,
  regions: readonly string[],
  loaded: LoadedSpans,
  runAt: RunAt,
  options: { firstRunAt?: (region: string) => number | null; thresholdMs?: number; withDays?: boolean } = {},
): ProbeHistory {
  const pairs = regions.map((region): PairHistory => {
    const minutes = new Map<number, MinuteEntry[]>();
    for (const hourAt of loaded.minuteHours) {
      const entries: MinuteEntry[] = [];
      for (let m = 0; m < 60; m++) {
        const run = runAt(region, hourAt + m * MINUTE);
        if (run) entries.push({ minute: m, ...run });
      }
      if (entries.length) minutes.set(hourAt, entries);
    }
    const hours = new Map<number, Rollup>();
    for (const span of loaded.hourSpans) {
      for (let t = Math.floor(span.from / HOUR) * HOUR; t < span.to; t += HOUR) {
        const r = rollupOf(region, probe.probe.id, "hour", t, t + HOUR, runAt, options.thresholdMs);
        if (r) hours.set(t, r);
      }
    }
    const days = new Map<number, Rollup>();
    if (loaded.daySpan && options.withDays !== false) {
      for (let t = loaded.daySpan.from; t < loaded.daySpan.to; t += DAY) {
        const r = rollupOf(region, probe.probe.id, "day", t, t + DAY, runAt, options.thresholdMs);
        if (r) days.set(t, r);
      }
    }
    return { region, firstRunAt: options.firstRunAt ? options.firstRunAt(region) : 0, minutes, hours, days };
  });
  return { probe, loaded, pairs };
}

/**
 * The history of a probe from rollup rows alone (no minute entries): for tests that build a page
 * or report from rollups, as the loader would read them for `loaded`.
 */
export function historyFromRollups(probe: LoadedProbe, rollups: readonly Rollup[], loaded: LoadedSpans): ProbeHistory {
  const first = rollups.reduce<number | null>((t, r) => (t === null ? r.bucketAt : Math.min(t, r.bucketAt)), null);
  return {
    probe,
    loaded,
    pairs: probe.probe.regions.map((region) => ({
      region,
      firstRunAt: first,
      minutes: new Map(),
      hours: new Map(rollups.filter((r) => r.region === region && r.grain === "hour").map((r) => [r.bucketAt, r])),
      days: new Map(rollups.filter((r) => r.region === region && r.grain === "day").map((r) => [r.bucketAt, r])),
    })),
  };
}
