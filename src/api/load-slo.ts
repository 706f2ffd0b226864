/**
 * Loads what an SLO report needs, in one D1 batch whatever the history length: rollups
 * (daily for the window's whole days, hourly for its partial first and last days and for the
 * 3-day burn lookback) and the raw runs of the last 30 minutes (for the 5m and 30m burn rates).
 */
import { DAY_MS, HOUR_MS } from "../time.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import { buildSloReport, type SloReport } from "../slo/report.ts";
import { planGrains, resolveWindow, type SloWindow } from "../slo/windows.ts";
import { combineReads, type D1Read } from "../storage/d1-read.ts";
import { byProbeId } from "../storage/rollup-rows.ts";
import type { RollupRequest } from "../storage/run-store.ts";
import type { AppDeps } from "./app-env.ts";

const BURN_LOOKBACK_MS = 3 * DAY_MS;
const RAW_LOOKBACK_MS = 30 * 60_000;

export interface SloQuery {
  probes: readonly LoadedProbe[];
  /** Restrict to these regions (default: every region of the probes). */
  region?: string | undefined;
  window?: SloWindow | undefined;
  budgeting?: "occurrences" | "timeslices" | undefined;
}

export interface LoadedSlo {
  reports: SloReport[];
  rowsRead: number;
}

/**
 * One report per probe (and, when `group` is set, one for the group as a whole first). Reads
 * only `store` and `now` of the deps: the scheduled burn-alert evaluation passes just those.
 */
export async function loadSloReports(deps: Pick<AppDeps, "store" | "now">, query: SloQuery, options: { group?: string } = {}): Promise<LoadedSlo> {
  const [loaded] = await deps.store.read([sloReportsRead(deps, query, options)]);
  return loaded;
}

/** The same, as a read to batch with others (see storage/d1-read.ts). */
export function sloReportsRead(deps: Pick<AppDeps, "store" | "now">, query: SloQuery, options: { group?: string } = {}): D1Read<LoadedSlo> {
  const now = deps.now();
  const windowOf = (p: LoadedProbe) => query.window ?? p.probe.slo.window;
  const regionsOf = (p: LoadedProbe) => p.probe.regions.filter((r) => query.region === undefined || r === query.region);
  const requests: RollupRequest[] = query.probes.flatMap((p) => {
    const span = resolveWindow(windowOf(p), now);
    const plan = planGrains(span.from, span.to);
    const regions = regionsOf(p);
    const hourly = (from: number, to: number): RollupRequest => ({ probeId: p.probe.id, regions, grain: "hour", from, to });
    // Hourly rows: the window's partial days (or the whole window for timeslices), and the burn
    // lookback. Overlapping reads are fine: selectRollups keeps each row once.
    const hourlySpans = query.budgeting === "timeslices" ? [span] : plan.hourly;
    return [
      ...hourlySpans.map((s) => hourly(s.from, s.to + 1)),
      hourly(Math.floor((now - BURN_LOOKBACK_MS) / HOUR_MS) * HOUR_MS, now + 1),
      ...(plan.daily ? [{ probeId: p.probe.id, regions, grain: "day" as const, from: plan.daily.from, to: plan.daily.to }] : []),
    ];
  });
  const pairs = query.probes.flatMap((p) => regionsOf(p).map((region) => ({ probeId: p.probe.id, region })));
  const reads = [deps.store.rollupsRead(requests), deps.store.recentRunsRead(pairs, now - RAW_LOOKBACK_MS, now + 1)] as const;
  return combineReads(reads, ([rollups, recent]) => {
    // Grouped by probe once: a report per probe must not scan every probe's rows.
    const rollupsOf = byProbeId(rollups.value);
    // Maintenance runs are neither good nor bad, as in the rollups.
    const recentOf = byProbeId(recent.filter((r) => !r.inMaintenance));
    const build = (probes: readonly LoadedProbe[], window: SloWindow) =>
      buildSloReport({
        probes,
        regions: [...new Set(probes.flatMap(regionsOf))],
        window,
        budgeting: query.budgeting ?? "occurrences",
        now,
        rollups: probes.flatMap((p) => rollupsOf.get(p.probe.id) ?? []),
        recentRuns: probes.flatMap((p) => recentOf.get(p.probe.id) ?? []),
      });
    const perProbe = query.probes.map((p) => build([p], windowOf(p)));
    const groupReport = options.group !== undefined && query.probes.length > 0 ? [build(query.probes, query.window ?? query.probes[0]!.probe.slo.window)] : [];
    return { reports: [...groupReport, ...perProbe], rowsRead: rollups.rowsRead };
  });
}
