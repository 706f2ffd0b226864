/**
 * Loads what SLO reports need, in one D1 batch whatever the history length or the number of
 * probes: for every probe, the rows its report plan names (slo/report-plan.ts): the minute entries
 * of the hours where a span starts or ends, hourly rollups of the recent days and of the window's
 * partial days, daily rollups of its whole days, and the first run of each (probe, region).
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { PairHistory, ProbeHistory } from "../slo/ledger.ts";
import { buildSloReport, type SloReport } from "../slo/report.ts";
import { planReads, silenceLookbackMs, sliceMsOf } from "../slo/report-plan.ts";
import { burnAlertConfigOf, burnLookbacksOf } from "../slo/burn-rate.ts";
import type { SloWindow } from "../slo/windows.ts";
import { combineReads, type D1Read } from "../storage/d1-read.ts";
import { DEFAULT_RETENTION } from "../storage/retention.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import type { PairHourEntries, RollupRequest } from "../storage/run-store.ts";
import { DAY_MS } from "../time.ts";
import type { ReadDeps } from "./read-deps.ts";

interface SloQuery {
  probes: readonly LoadedProbe[];
  /** Restrict to this region (default: every region of the probes). */
  region?: string | undefined;
  window?: SloWindow | undefined;
  budgeting?: "occurrences" | "timeslices" | undefined;
}

interface LoadedSlo {
  reports: SloReport[];
  rowsRead: number;
}

interface SloLoadOptions {
  /** Report the group as a whole first. */
  group?: string;
  /** "alerting": no daily burn-down and no trends (slo/report.ts), for the burn stage, /metrics and badges. */
  detail?: "full" | "alerting";
}

/** What the loader reads of the deps: the store, the clock, and raw retention (minute entries older than it are gone). */
type SloDeps = Pick<ReadDeps, "store" | "now"> & { config?: { rawRetentionDays: number } };

/**
 * One report per probe (and, when `group` is set, one for the group as a whole first). Reads
 * only `store` and `now` of the deps: the scheduled burn-alert evaluation passes just those.
 */
export async function loadSloReports(deps: SloDeps, query: SloQuery, options: SloLoadOptions = {}): Promise<LoadedSlo> {
  const [loaded] = await deps.store.read([sloReportsRead(deps, query, options)]);
  return loaded;
}

const pairKey = (probeId: string, region: string) => `${probeId}|${region}`;

/** Rows of one kind grouped by (probe, region), then by their time. */
function byPair<T extends { probeId: string; region: string }>(
  rows: readonly T[],
  at: (row: T) => number,
): Map<string, Map<number, T>> {
  const out = new Map<string, Map<number, T>>();
  for (const row of rows) {
    const key = pairKey(row.probeId, row.region);
    const inner = out.get(key) ?? new Map<number, T>();
    inner.set(at(row), row);
    out.set(key, inner);
  }
  return out;
}

/** The same, as a read to batch with others (see storage/d1-read.ts). */
export function sloReportsRead(deps: SloDeps, query: SloQuery, options: SloLoadOptions = {}): D1Read<LoadedSlo> {
  const now = deps.now();
  const rawRetentionMs = (deps.config?.rawRetentionDays ?? DEFAULT_RETENTION.rawRunDays) * DAY_MS;
  const budgeting = query.budgeting ?? "occurrences";
  const windowOf = (p: LoadedProbe) => query.window ?? p.probe.slo.window;
  const regionsOf = (p: LoadedProbe) => p.probe.regions.filter((r) => query.region === undefined || r === query.region);
  const groupWindow = query.window ?? query.probes[0]?.probe.slo.window;
  const grouped = options.group !== undefined && query.probes.length > 0;
  // A group report counts every probe with the first probe's alert rules and slices, and over
  // the longest silence lookback of the group: each probe plans those reads too.
  const groupLookbacks = grouped ? burnLookbacksOf(burnAlertConfigOf(query.probes[0]!.probe.slo.alerting)) : [];
  const groupSilence = grouped ? query.probes.flatMap((p) => silenceLookbackMs(p) ?? []) : [];
  const groupSlice = grouped ? sliceMsOf(query.probes[0]!) : undefined;
  const plans = new Map(
    query.probes.map((p) => [
      p.probe.id,
      planReads({
        probe: p,
        windows: grouped ? [windowOf(p), groupWindow!] : [windowOf(p)],
        extraLookbacks: groupLookbacks,
        extraLookbacksMs: groupSilence.length ? [Math.max(...groupSilence)] : [],
        ...(groupSlice === undefined ? {} : { sliceMs: groupSlice }),
        budgeting,
        now,
        rawRetentionMs,
      }),
    ]),
  );
  // Silence is checked over every region of a probe, whatever region the query asks for.
  const allPairs = query.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
  const requests: RollupRequest[] = query.probes.flatMap((p) => {
    const plan = plans.get(p.probe.id)!;
    const regions = p.probe.regions;
    return [
      ...plan.hourSpans.map(
        (s): RollupRequest => ({ probeId: p.probe.id, regions, grain: "hour", from: s.from, to: s.to }),
      ),
      ...(plan.daySpan
        ? [{ probeId: p.probe.id, regions, grain: "day" as const, from: plan.daySpan.from, to: plan.daySpan.to }]
        : []),
    ];
  });
  const minuteHours = [...new Set([...plans.values()].flatMap((plan) => [...plan.minuteHours]))];
  const reads = [
    deps.store.rollupsRead(requests),
    deps.store.minutesRead(allPairs, minuteHours, { failedSteps: (options.detail ?? "full") === "full" }),
    deps.store.firstRunsRead(allPairs),
  ] as const;
  return combineReads(reads, ([rollups, minutes, firstRuns]) => {
    const hours = byPair(
      rollups.value.filter((r) => r.grain === "hour"),
      (r) => r.bucketAt,
    );
    const days = byPair(
      rollups.value.filter((r) => r.grain === "day"),
      (r) => r.bucketAt,
    );
    const entries = byPair(minutes, (m) => m.hourAt);
    const historyOf = (p: LoadedProbe): ProbeHistory => ({
      probe: p,
      loaded: plans.get(p.probe.id)!,
      pairs: p.probe.regions.map((region): PairHistory => {
        const key = pairKey(p.probe.id, region);
        return {
          region,
          firstRunAt: firstRuns.get(key) ?? null,
          minutes: new Map(
            [...(entries.get(key) ?? new Map<number, PairHourEntries>())].map(([hourAt, m]) => [hourAt, m.entries]),
          ),
          hours: hours.get(key) ?? new Map<number, Rollup>(),
          days: days.get(key) ?? new Map<number, Rollup>(),
        };
      }),
    });
    const histories = new Map(query.probes.map((p) => [p.probe.id, historyOf(p)]));
    const build = (probes: readonly LoadedProbe[], window: SloWindow) =>
      buildSloReport({
        histories: probes.map((p) => histories.get(p.probe.id)!),
        regions: [...new Set(probes.flatMap(regionsOf))],
        window,
        budgeting,
        now,
        detail: options.detail ?? "full",
      });
    const perProbe = query.probes.map((p) => build([p], windowOf(p)));
    const groupReport = grouped ? [build(query.probes, groupWindow!)] : [];
    return { reports: [...groupReport, ...perProbe], rowsRead: rollups.rowsRead };
  });
}
