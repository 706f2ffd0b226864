/**
 * The page's data loading: a small fixed number of D1 batches per page, whatever the length of
 * the history, and then the pure view models of page/*-view.ts. The page components only
 * ever see view models; nothing under src/page/ talks to the store.
 *
 * D1 per render:
 *   /                 1 statement: the status board the tick built (the states and day levels of
 *                     every public probe, one row) and the notices, packed (storage/d1-read.ts);
 *                     without a usable board, the page reads what the tick builds it from. See
 *                     loadStatusPage.
 *   /probes/{id}      1 or 2 batches: newest runs, notices, hourly (7 days) + daily (90 days)
 *                     rollups, the SLO report's reads (sloReportsRead), releases and journey
 *                     metrics (journeyMetricsRead); then, when the rollups
 *                     say there were failures, the last ones: at most 5 reads of one region's
 *                     hour (or day) that holds failed runs.
 *   /history, /feed.atom  1 batch: incidents, their updates and maintenance (noticesRead).
 */
import type { ReadDeps } from "./read-deps.ts";
import { journeyMetricsRead } from "./journey-metrics.ts";
import { publicMaintenanceRead } from "./maintenance.ts";
import { overviewRead } from "./overview.ts";
import { sloReportsRead } from "./slo.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunSummary } from "../probe/result.ts";
import { combineReads, type D1Read } from "../storage/d1-read.ts";
import type { D1DayHistoryStore } from "../storage/day-history-store.ts";
import type { RunStore } from "../storage/run-store.ts";
import { quorumOf } from "../status/overview.ts";
import type { PageConfig } from "../page/page-config.ts";
import { boardProbes, decodeBoard, probeKeyOf, usableEntries, type StatusBoard } from "../page/status-board.ts";
import { barsFrom } from "../page/day-bars.ts";
import { NO_NOTICES, type Notices } from "../page/notices-view.ts";
import {
  buildProbeDetailView,
  failureCells,
  hourlyFrom,
  METRIC_CHART_HOURS,
  type ChartRange,
  type FailureCell,
  type ProbeDetailView,
} from "../page/probe-detail-view.ts";
import { boardProbesOf, statusViewOf, type StatusPageView } from "../page/status-view.ts";
import { visibleProbes } from "../page/visibility.ts";

/** Failures listed on a probe's page. */
const LAST_FAILURES = 5;

/** How far back the page, the history and the feed look for incidents and maintenance. */
const NOTICE_HISTORY = 100;

/**
 * Public incidents (newest first) and the maintenance of public probes, with the maintenance
 * occurrences from 30 days back to 30 days ahead: three statements, or one packed expression.
 */
function noticesRead(deps: ReadDeps, now: number, options: { unresolvedOnly?: boolean } = {}): D1Read<Notices> {
  return combineReads(
    [
      deps.incidents.listIncidentsRead({ publicOnly: true, limit: NOTICE_HISTORY, ...options }),
      publicMaintenanceRead(deps, now),
    ],
    ([incidents, { maintenances, occurrences }]) =>
      incidents.length === 0 && maintenances.length === 0
        ? NO_NOTICES
        : { incidents, maintenances, windows: occurrences.map((o) => o.window) },
  );
}

/**
 * The status page in one D1 batch whatever the number of probes and the length of the history:
 * the status board the tick built this minute (status-board.ts) and the notices. When there is
 * no usable board (after a deploy, before the tick built one; the cron stopped; another UTC
 * day), the page builds one itself from the rows the tick builds it from (readStatusBoard): one
 * or two batches more, and the same page.
 */
export async function loadStatusPage(deps: ReadDeps, config: PageConfig): Promise<StatusPageView> {
  const now = deps.now();
  const shown = visibleProbes(deps.probes, config);
  // Unresolved incidents only: a resolved one is on /history, never here, so a long history
  // costs the status page nothing (it lists MAX_NOTICES of them and counts the rest).
  const [row, notices] = await deps.store.read([
    deps.dayHistory.boardRead(),
    noticesRead(deps, now, { unresolvedOnly: true }),
  ]);
  const board =
    usableEntries(row ? decodeBoard(row) : null, shown, now) ??
    boardEntries(await readStatusBoard({ probes: deps.probes, runs: deps.store, dayHistory: deps.dayHistory }, now));
  return statusViewOf({ config, now, probes: shown, board, notices });
}

const boardEntries = (board: StatusBoard) => new Map(board.probes.map((p) => [p.id, p]));

/**
 * The status board of the public probes at `now`, from their newest runs, their day histories
 * and today's daily rollups: one D1 batch (and one statement more for the probes whose history is
 * missing or behind). The tick's status-board stage stores it; a page without a usable one
 * builds its own.
 */
export async function readStatusBoard(
  deps: {
    probes: readonly LoadedProbe[];
    runs: RunStore;
    dayHistory: Pick<D1DayHistoryStore, "daysRead" | "completeDays">;
  },
  now: number,
): Promise<StatusBoard> {
  const probes = boardProbes(deps.probes);
  const shown = probes.map((p) => ({ probeId: p.probe.id, regions: p.probe.regions }));
  const [overview, partialDays] = await deps.runs.read([
    overviewRead({ probes, store: deps.runs, now: () => now }, { regionRuns: false }),
    deps.dayHistory.daysRead(shown, barsFrom(now), now + 1, now),
  ]);
  const days = await deps.dayHistory.completeDays(partialDays);
  const keys = new Map(probes.map((p) => [p.probe.id, probeKeyOf(p)]));
  return {
    builtAt: now,
    probes: boardProbesOf({ now, probes, overview, days }).map((p) => ({ ...p, key: keys.get(p.id)! })),
  };
}

/** The probe page, or null when no shown probe has this id (private probes are not found either). */
export async function loadProbePage(
  deps: ReadDeps,
  config: PageConfig,
  probeId: string,
  range: ChartRange,
): Promise<ProbeDetailView | null> {
  const loaded = visibleProbes(deps.probes, config).find((p) => p.probe.id === probeId);
  if (!loaded) return null;
  const now = deps.now();
  const regions = loaded.probe.regions;
  const [overview, notices, rollups, slo, releases, journey, vitals] = await deps.store.read([
    overviewRead({ ...deps, probes: [loaded] }),
    noticesRead(deps, now),
    deps.store.rollupsRead([
      { probeId, regions, grain: "hour", from: hourlyFrom(now), to: now + 1 },
      { probeId, regions, grain: "day", from: barsFrom(now), to: now + 1 },
    ]),
    sloReportsRead(deps, { probes: [loaded] }),
    // The release markers: in the same batch, so the page still costs one round trip.
    deps.releases.listRead({ limit: 50, probeIds: [probeId], from: barsFrom(now), to: now + 1 }),
    // Journey metrics, charted over the last day: two statements, in the same batch.
    journeyMetricsRead(deps.store, loaded, { now, hours: METRIC_CHART_HOURS }),
    // A browser probe's newest Web Vitals per region (no statement for other probes).
    deps.store.latestVitalsRead(loaded.probe.kind === "browser" ? regions.map((region) => ({ probeId, region })) : []),
  ]);
  const failures = await loadFailures(
    deps,
    loaded,
    failureCells(rollups.value, now, deps.config.rawRetentionDays, LAST_FAILURES),
  );
  const view = buildProbeDetailView({
    config,
    now,
    loaded,
    overview,
    rollups: rollups.value,
    slo: slo.reports[0] ?? null,
    failures,
    notices,
    range,
    quorum: quorumOf(loaded),
    vitals,
    releases: releases.map((r) => ({
      id: r.id,
      version: r.version,
      at: r.releasedAt,
      verdict: r.judgement.final || r.judgement.verdict === "regressed" ? r.judgement.verdict : "watching",
    })),
  });
  return journey.metrics.length ? { ...view, metrics: journey.metrics } : view;
}

/** One small range read per failure cell (at most LAST_FAILURES), all in one batch. */
async function loadFailures(deps: ReadDeps, loaded: LoadedProbe, cells: readonly FailureCell[]): Promise<RunSummary[]> {
  const pages = await deps.store.read(
    cells.map((cell) =>
      deps.store.listRunsRead({
        pairs: [{ probeId: loaded.probe.id, region: cell.region }],
        status: "down",
        from: cell.from,
        to: cell.to,
        limit: LAST_FAILURES,
      }),
    ),
  );
  return pages
    .flatMap((p) => p.runs)
    .sort((a, b) => b.slotAt - a.slotAt)
    .slice(0, LAST_FAILURES);
}

/** The shown probes' names by id, and the notices (one D1 batch): what the history page and the feed need. */
export async function loadNoticesPage(
  deps: ReadDeps,
  config: PageConfig,
): Promise<{ now: number; names: Map<string, string>; notices: Notices }> {
  const now = deps.now();
  const names = new Map(visibleProbes(deps.probes, config).map((p) => [p.probe.id, p.probe.name]));
  const [notices] = await deps.store.read([noticesRead(deps, now)]);
  return { now, names, notices };
}
