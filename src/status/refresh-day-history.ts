/**
 * The tick's upkeep of day_history: rebuild, from the daily rollups, the histories of up to
 * HISTORIES_PER_TICK probes that are missing, merge other regions than the probe runs in now, or
 * end before the newest settled day; and drop those of probes that no longer exist. The work
 * per tick is bounded: a fleet of 1,000 probes is brought up to date within 40 ticks of the
 * day settling, and until then the page reads the few extra days from the rollups.
 *
 * Finding what is stale reads one row per probe. dayHistoryUpkeep remembers, for the life of
 * the isolate, that every history is done for the settled day, and skips the read for the rest
 * of the hour (so a row deleted or damaged in between is rebuilt within the hour).
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { D1DayHistoryStore } from "../storage/day-history-store.ts";
import { byProbeId } from "../storage/rollup-rows.ts";
import type { RunStore } from "../storage/run-store.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";
import {
  dayTotalsFrom,
  HISTORY_DAYS,
  regionsKey,
  settledThrough,
  staleHistories,
  type DayHistory,
} from "./day-totals.ts";

export const HISTORIES_PER_TICK = 25;

export interface RefreshDayHistoryDeps {
  probes: readonly LoadedProbe[];
  histories: Pick<D1DayHistoryStore, "coverage" | "save">;
  runs: Pick<RunStore, "rollups">;
  now: number;
  /** Default HISTORIES_PER_TICK. */
  limit?: number;
}

export interface RefreshReport {
  rebuilt: number;
  removed: number;
  /** Histories still to rebuild after this tick. */
  behind: number;
  /** D1 rows read from the daily rollups. */
  rowsRead: number;
}

export async function refreshDayHistory(deps: RefreshDayHistoryDeps): Promise<RefreshReport> {
  const coverage = await deps.histories.coverage();
  const probes = deps.probes.map((p) => ({ probeId: p.probe.id, regions: p.probe.regions }));
  const stale = staleHistories(probes, coverage, deps.now);
  const rebuild = stale.slice(0, deps.limit ?? HISTORIES_PER_TICK);
  const known = new Set(probes.map((p) => p.probeId));
  const removed = [...coverage.keys()].filter((id) => !known.has(id));
  if (rebuild.length === 0 && removed.length === 0) return { rebuilt: 0, removed: 0, behind: 0, rowsRead: 0 };

  const through = settledThrough(deps.now);
  const from = through - (HISTORY_DAYS - 1) * DAY_MS;
  const targets = probes.filter((p) => rebuild.includes(p.probeId));
  const daily = await deps.runs.rollups(
    targets.map((p) => ({ probeId: p.probeId, regions: p.regions, grain: "day" as const, from, to: through + DAY_MS })),
  );
  const byProbe = byProbeId(daily.value);
  const histories = targets.map(
    (p): DayHistory => ({
      probeId: p.probeId,
      regions: regionsKey(p.regions),
      throughDay: through,
      builtAt: deps.now,
      days: dayTotalsFrom(byProbe.get(p.probeId) ?? [], from, through + DAY_MS),
    }),
  );
  await deps.histories.save(histories, removed);
  return {
    rebuilt: histories.length,
    removed: removed.length,
    behind: stale.length - rebuild.length,
    rowsRead: daily.rowsRead,
  };
}

/**
 * refreshDayHistory for the cron: once every history is up to date, later ticks of the same
 * isolate skip it (returning `upToDate: true`) for the rest of that hour of that settled day.
 */
export function dayHistoryUpkeep(): (deps: RefreshDayHistoryDeps) => Promise<RefreshReport & { upToDate?: true }> {
  let done: string | undefined;
  return async (deps) => {
    const key = `${settledThrough(deps.now)}:${Math.floor(deps.now / HOUR_MS)}`;
    if (done === key) return { rebuilt: 0, removed: 0, behind: 0, rowsRead: 0, upToDate: true };
    const report = await refreshDayHistory(deps);
    if (report.behind === 0) done = key;
    return report;
  };
}
