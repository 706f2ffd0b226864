/**
 * The page's data loading: a small fixed number of D1 batches per page, whatever the length of
 * the history, and then the pure view models of page/*-view.ts. The page components only
 * ever see view models; nothing under src/page/ talks to the store.
 *
 * D1 per render:
 *   /                 1 batch: the newest run per (probe, region); the day totals of the bars (a
 *                     day_history row per probe: closed days, regions merged; and today's daily
 *                     rollups); the notices. See loadStatusPage.
 *   /probes/{id}      1 or 2 batches: newest runs, notices, hourly (7 days) + daily (90 days)
 *                     rollups and the SLO report's reads (sloReportsRead); then, when the rollups
 *                     say there were failures, the last ones: at most 5 reads of one region's
 *                     hour (or day) that holds failed runs.
 *   /history, /feed.atom  1 batch: incidents, their updates and maintenance (noticesRead).
 */
import type { ReadDeps } from "./read-deps.ts";
import { publicMaintenanceRead } from "./maintenance.ts";
import { overviewRead } from "./overview.ts";
import { sloReportsRead } from "./slo.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunSummary } from "../probe/result.ts";
import { combineReads, type D1Read } from "../storage/d1-read.ts";
import { quorumOf } from "../status/overview.ts";
import type { PageConfig } from "../page/page-config.ts";
import { barsFrom } from "../page/day-bars.ts";
import { NO_NOTICES, type Notices } from "../page/notices-view.ts";
import { buildProbeDetailView, failureCells, hourlyFrom, type ChartRange, type FailureCell, type ProbeDetailView } from "../page/probe-detail-view.ts";
import { buildStatusView, type StatusPageView } from "../page/status-view.ts";
import { visibleProbes } from "../page/visibility.ts";

/** Failures listed on a probe's page. */
const LAST_FAILURES = 5;

/** How far back the page, the history and the feed look for incidents and maintenance. */
const NOTICE_HISTORY = 100;

/**
 * Public incidents (newest first) and the maintenance of public probes, with the maintenance
 * occurrences from 30 days back to 30 days ahead: three statements.
 */
function noticesRead(deps: ReadDeps, now: number): D1Read<Notices> {
  return combineReads([deps.incidents.listIncidentsRead({ publicOnly: true, limit: NOTICE_HISTORY }), publicMaintenanceRead(deps, now)], ([incidents, { maintenances, occurrences }]) =>
    incidents.length === 0 && maintenances.length === 0 ? NO_NOTICES : { incidents, maintenances, windows: occurrences.map((o) => o.window) },
  );
}

/**
 * The status page in one D1 batch of six statements, whatever the number of probes and the
 * length of the history: the newest runs, the day histories and today's daily rollups, the
 * notices. A probe whose day history is missing or behind (after a deploy, before the tick
 * rebuilt it) costs one more statement for all such probes.
 */
export async function loadStatusPage(deps: ReadDeps, config: PageConfig): Promise<StatusPageView> {
  const now = deps.now();
  const probes = visibleProbes(deps.probes, config);
  const shown = probes.map((p) => ({ probeId: p.probe.id, regions: p.probe.regions }));
  const [overview, partialDays, notices] = await deps.store.read([
    overviewRead({ ...deps, probes }, { regionRuns: false }),
    deps.dayHistory.daysRead(shown, barsFrom(now), now + 1, now),
    noticesRead(deps, now),
  ]);
  const days = await deps.dayHistory.completeDays(partialDays);
  return buildStatusView({ config, now, probes, overview, days, notices });
}

/** The probe page, or null when no shown probe has this id (private probes are not found either). */
export async function loadProbePage(deps: ReadDeps, config: PageConfig, probeId: string, range: ChartRange): Promise<ProbeDetailView | null> {
  const loaded = visibleProbes(deps.probes, config).find((p) => p.probe.id === probeId);
  if (!loaded) return null;
  const now = deps.now();
  const regions = loaded.probe.regions;
  const [overview, notices, rollups, slo, releases] = await deps.store.read([
    overviewRead({ ...deps, probes: [loaded] }),
    noticesRead(deps, now),
    deps.store.rollupsRead([
      { probeId, regions, grain: "hour", from: hourlyFrom(now), to: now + 1 },
      { probeId, regions, grain: "day", from: barsFrom(now), to: now + 1 },
    ]),
    sloReportsRead(deps, { probes: [loaded] }),
    // The release markers: in the same batch, so the page still costs one round trip.
    deps.releases.listRead({ limit: 50, probeIds: [probeId], from: barsFrom(now), to: now + 1 }),
  ]);
  const failures = await loadFailures(deps, loaded, failureCells(rollups.value, now, deps.config.rawRetentionDays, LAST_FAILURES));
  return buildProbeDetailView({
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
    releases: releases.map((r) => ({ id: r.id, version: r.version, at: r.releasedAt, verdict: r.judgement.final || r.judgement.verdict === "regressed" ? r.judgement.verdict : "watching" })),
  });
}

/** One small range read per failure cell (at most LAST_FAILURES), all in one batch. */
async function loadFailures(deps: ReadDeps, loaded: LoadedProbe, cells: readonly FailureCell[]): Promise<RunSummary[]> {
  const pages = await deps.store.read(
    cells.map((cell) => deps.store.listRunsRead({ pairs: [{ probeId: loaded.probe.id, region: cell.region }], status: "down", from: cell.from, to: cell.to, limit: LAST_FAILURES })),
  );
  return pages
    .flatMap((p) => p.runs)
    .sort((a, b) => b.slotAt - a.slotAt)
    .slice(0, LAST_FAILURES);
}

/** The shown probes' names by id, and the notices (one D1 batch): what the history page and the feed need. */
export async function loadNoticesPage(deps: ReadDeps, config: PageConfig): Promise<{ now: number; names: Map<string, string>; notices: Notices }> {
  const now = deps.now();
  const names = new Map(visibleProbes(deps.probes, config).map((p) => [p.probe.id, p.probe.name]));
  const [notices] = await deps.store.read([noticesRead(deps, now)]);
  return { now, names, notices };
}
