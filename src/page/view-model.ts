/**
 * What the page shows, built from what the loaders read. Pure: no I/O and no clock (the loader
 * passes `now`), so every rule here is tested without a Worker.
 *
 * Rules worth knowing:
 * - Days are UTC days, the buckets of the daily rollups. A day without a judged run is grey,
 *   never green: no run was stored ("no data"), or every run was in a maintenance window
 *   excluded from SLOs (its tooltip says so). A day with judged runs is coloured by its
 *   availability (up and degraded runs are good, as in the SLOs; maintenance runs are neither
 *   good nor bad) against the probe's objective. Regions are merged: the loader hands over day
 *   totals.
 * - Availability over 90 days leaves out the time without data (the probe may be younger than
 *   90 days); the tooltip of each day says how many expected runs are missing.
 * - Latencies are upper bounds of the histogram bucket (never below the truth, at most 26 % above).
 * - A probe under an active maintenance window shows "maintenance", and does not count towards
 *   an outage in the banner.
 */
import type { Impact, Incident, IncidentStatus, IncidentUpdate, Maintenance, MaintenanceWindow } from "../incidents/model.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { FailureClass, RunSummary } from "../probe/result.ts";
import { expectedRunsPerRegion } from "../slo/coverage.ts";
import { BUCKET_COUNT, emptyHistogram, quantile } from "../slo/latency-histogram.ts";
import { dayAvailability, dayTotalsFrom, HISTORY_DAYS, type DayTotals } from "../status/day-totals.ts";
import type { SloReport } from "../slo/report.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { overallState, type OverallState, type Overview, type ProbeState } from "../status/overview.ts";
import { worstState, type ComponentState } from "../status/state-order.ts";
import type { PageConfig } from "./page-config.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";

/** Days in the uptime bars, today included: the days a day history holds. */
export const BAR_DAYS = HISTORY_DAYS;
/** A day under this availability is a major problem, whatever the objective. */
export const MAJOR_BELOW = 0.9;

export type BannerState = OverallState | "maintenance";
export type DayLevel = "ok" | "minor" | "major" | "none";

// ---------------------------------------------------------------- visibility

/** Shown on the public page: the definition says public, the config does not hide it, and its group is public. */
export function isVisible(loaded: LoadedProbe, config: PageConfig): boolean {
  const p = loaded.probe;
  if (!p.public || config.hiddenProbes.includes(p.id)) return false;
  return config.publicGroups === undefined || config.publicGroups.includes(p.group);
}

export function visibleProbes(probes: readonly LoadedProbe[], config: PageConfig): LoadedProbe[] {
  return probes.filter((p) => isVisible(p, config));
}

// ---------------------------------------------------------------- incidents and maintenance

/** Incidents and maintenance as their store gives them; the page filters and shapes them. */
export interface Notices {
  incidents: readonly Incident[];
  maintenances: readonly Maintenance[];
  /** Occurrences of the maintenances around now: active and upcoming ones (and recent past ones for the feed). */
  windows: readonly MaintenanceWindow[];
}

export const NO_NOTICES: Notices = Object.freeze({ incidents: [], maintenances: [], windows: [] });

export interface IncidentView {
  id: string;
  title: string;
  impact: Impact;
  status: IncidentStatus;
  startedAt: number;
  resolvedAt: number | null;
  updatedAt: number;
  /** Names of the affected probes the page shows (private ones are left out). */
  components: string[];
  /** Their ids. */
  probeIds: string[];
  /** Newest first. */
  updates: IncidentUpdate[];
}

export interface MaintenanceView {
  id: string;
  title: string;
  body: string;
  startsAt: number;
  endsAt: number;
  components: string[];
  updatedAt: number;
}

const IMPACT_RANK: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };

function namesOf(ids: readonly string[], names: ReadonlyMap<string, string>): string[] {
  return ids.flatMap((id) => {
    const name = names.get(id);
    return name === undefined ? [] : [name];
  });
}

/** Public incidents touching at least one shown probe, newest first, with only the shown probes named. */
export function incidentViews(incidents: readonly Incident[], names: ReadonlyMap<string, string>): IncidentView[] {
  return incidents
    .filter((i) => i.public && i.probeIds.some((id) => names.has(id)))
    .map((i) => ({
      id: i.id,
      title: i.title,
      impact: i.impact,
      status: i.status,
      startedAt: i.startedAt,
      resolvedAt: i.resolvedAt,
      updatedAt: i.updatedAt,
      components: namesOf(i.probeIds, names),
      probeIds: i.probeIds.filter((id) => names.has(id)),
      updates: [...i.updates].sort((a, b) => b.createdAt - a.createdAt),
    }))
    .sort((a, b) => b.startedAt - a.startedAt);
}

/** Occurrences of maintenances that are not cancelled and touch a shown probe, soonest first. */
export function maintenanceViews(notices: Notices, names: ReadonlyMap<string, string>): MaintenanceView[] {
  const byId = new Map(notices.maintenances.map((m) => [m.id, m]));
  return notices.windows
    .flatMap((w) => {
      const m = byId.get(w.maintenanceId);
      if (!m || m.cancelledAt !== null || !m.probeIds.some((id) => names.has(id))) return [];
      return [{ id: m.id, title: m.title, body: m.body, startsAt: w.startsAt, endsAt: w.endsAt, components: namesOf(m.probeIds, names), updatedAt: m.updatedAt }];
    })
    .sort((a, b) => a.startsAt - b.startsAt);
}

export interface NoticesView {
  activeIncidents: IncidentView[];
  activeMaintenance: MaintenanceView[];
  /** The next occurrence of each maintenance that has not started yet. */
  upcomingMaintenance: MaintenanceView[];
}

export function noticesView(notices: Notices, names: ReadonlyMap<string, string>, now: number): NoticesView {
  const windows = maintenanceViews(notices, names);
  const seen = new Set<string>();
  const upcoming = windows.filter((w) => {
    if (w.startsAt <= now || seen.has(w.id)) return false;
    seen.add(w.id);
    return true;
  });
  return {
    activeIncidents: incidentViews(notices.incidents, names).filter((i) => i.resolvedAt === null && i.status !== "resolved"),
    activeMaintenance: windows.filter((w) => w.startsAt <= now && now < w.endsAt),
    upcomingMaintenance: upcoming,
  };
}

/** Probe ids under an active maintenance window now. */
export function underMaintenance(notices: Notices, now: number): Set<string> {
  const byId = new Map(notices.maintenances.map((m) => [m.id, m]));
  const ids = new Set<string>();
  for (const w of notices.windows) {
    const m = byId.get(w.maintenanceId);
    if (m && m.cancelledAt === null && w.startsAt <= now && now < w.endsAt) for (const id of m.probeIds) ids.add(id);
  }
  return ids;
}

// ---------------------------------------------------------------- the 90-day bars

export interface DaySegment {
  /** Start of the UTC day, epoch ms. */
  dayAt: number;
  /** Versions released that day (probe page only; src/releases/). */
  releases?: string[];
  runs: number;
  up: number;
  degraded: number;
  down: number;
  /** Runs in a maintenance window excluded from SLOs: stored, but neither good nor bad. */
  maintenance: number;
  /** Expected runs without a stored result (up to now for today). */
  missing: number;
  /** (up + degraded) / (up + degraded + down); null without such runs. */
  availability: number | null;
  /** Median run time over every region (bucket upper bound), null without a timed run. */
  medianMs: number | null;
  level: DayLevel;
  worstIncident: { id: string; title: string; impact: Impact } | null;
}

export function dayLevel(availability: number | null, objective: number): DayLevel {
  if (availability === null) return "none";
  if (availability >= objective) return "ok";
  return availability < MAJOR_BELOW ? "major" : "minor";
}

/** The first day of the bars: BAR_DAYS UTC days ending with today. */
export function barsFrom(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (BAR_DAYS - 1) * DAY_MS;
}

/**
 * One segment per UTC day, oldest first, from the probe's day totals (regions merged), the
 * incidents touching it, and the schedule (for the missing runs).
 */
export function dayBars(loaded: LoadedProbe, totals: readonly DayTotals[], incidents: readonly IncidentView[], now: number): DaySegment[] {
  const from = barsFrom(now);
  const byDay: (DayTotals | undefined)[] = new Array(BAR_DAYS);
  for (const t of totals) {
    const i = (t.dayAt - from) / DAY_MS;
    if (i >= 0 && i < BAR_DAYS && Number.isInteger(i)) byDay[i] = t;
  }
  const regions = loaded.probe.regions.length;
  const objective = loaded.probe.slo.availability;
  // Every schedule's interval divides a day, so each whole UTC day expects the same runs.
  const wholeDay = expectedRunsPerRegion(loaded, from, from + DAY_MS) * regions;
  return Array.from({ length: BAR_DAYS }, (_, i): DaySegment => {
    const dayAt = from + i * DAY_MS;
    const d = byDay[i];
    const end = Math.min(dayAt + DAY_MS, now + 1);
    const expected = end === dayAt + DAY_MS ? wholeDay : end > dayAt ? expectedRunsPerRegion(loaded, dayAt, end) * regions : 0;
    const runs = d?.total ?? 0;
    const availability = d ? dayAvailability(d) : null;
    let worst: DaySegment["worstIncident"] = null;
    for (const incident of incidents) {
      const until = incident.resolvedAt ?? now;
      if (incident.startedAt < dayAt + DAY_MS && until >= dayAt && (worst === null || IMPACT_RANK[incident.impact] > IMPACT_RANK[worst.impact])) {
        worst = { id: incident.id, title: incident.title, impact: incident.impact };
      }
    }
    return {
      dayAt,
      runs,
      up: d?.up ?? 0,
      degraded: d?.degraded ?? 0,
      down: d?.down ?? 0,
      maintenance: d?.maintenance ?? 0,
      missing: Math.max(0, expected - runs),
      availability,
      medianMs: d?.medianMs ?? null,
      level: dayLevel(availability, objective),
      worstIncident: worst,
    };
  });
}

/** Good runs over judged runs of the days (maintenance runs left out); null without any. */
export function availabilityOf(days: readonly Pick<DaySegment, "up" | "degraded" | "down">[]): number | null {
  const sum = { up: 0, degraded: 0, down: 0 };
  for (const d of days) {
    sum.up += d.up;
    sum.degraded += d.degraded;
    sum.down += d.down;
  }
  return dayAvailability(sum);
}

// ---------------------------------------------------------------- components

export interface ProbeView {
  id: string;
  name: string;
  description: string;
  group: string;
  state: ComponentState;
  lastRunAt: number | null;
  objective: number;
  days: DaySegment[];
  /** Over the 90 days, time without data left out; null without any run. */
  availability: number | null;
  /** Days of the bar with at least one stored run. */
  daysWithData: number;
}

/**
 * A probe as the status page shows it: its bar as one level per day and its totals, not the
 * days themselves. The days' figures (availability, median, worst incident) are on the probe's
 * own page, which the bar links to: the status page stays the same size whatever its history.
 */
export interface ProbeSummaryView extends Omit<ProbeView, "objective" | "days"> {
  /** One level per day of the bar, oldest first. */
  levels: DayLevel[];
  /** Judged runs over the bar's days (what the group's availability sums). */
  judged: { up: number; degraded: number; down: number };
}

export function probeSummary(p: ProbeView): ProbeSummaryView {
  const judged = { up: 0, degraded: 0, down: 0 };
  for (const d of p.days) {
    judged.up += d.up;
    judged.degraded += d.degraded;
    judged.down += d.down;
  }
  return { id: p.id, name: p.name, description: p.description, group: p.group, state: p.state, lastRunAt: p.lastRunAt, levels: p.days.map((d) => d.level), availability: p.availability, daysWithData: p.daysWithData, judged };
}

export interface GroupView {
  name: string;
  state: ComponentState;
  availability: number | null;
  /** Every probe of the group has data on every day of the bars. */
  complete: boolean;
  probes: ProbeSummaryView[];
}

/** The banner: the overall state of the probes not under maintenance; "maintenance" when that is all that is going on. */
export function bannerState(states: readonly ComponentState[]): BannerState {
  const measured = states.filter((s): s is ProbeState => s !== "maintenance");
  const overall = overallState(measured);
  if (measured.length < states.length && (measured.length === 0 || overall === "operational")) return "maintenance";
  return overall;
}

/** Groups in the order their first probe comes in the registry; probes in registry order. */
export function groupsOf(probes: readonly ProbeSummaryView[]): GroupView[] {
  const groups = new Map<string, ProbeSummaryView[]>();
  for (const p of probes) {
    const list = groups.get(p.group) ?? [];
    list.push(p);
    groups.set(p.group, list);
  }
  return [...groups].map(([name, members]) => ({
    name,
    state: worstState(members.map((m) => m.state)),
    availability: availabilityOf(members.map((m) => m.judged)),
    complete: members.every((m) => m.daysWithData === m.levels.length),
    probes: members,
  }));
}

// ---------------------------------------------------------------- the status page

export interface StatusPageView {
  config: PageConfig;
  now: number;
  state: BannerState;
  /** Start of the newest run behind the states, or null. */
  checkedAt: number | null;
  groups: GroupView[];
  /** At most MAX_NOTICES of each kind: the page's size does not grow with the number of incidents. */
  notices: NoticesView;
  /** What the caps left out (listed on /history). */
  notShown: { incidents: number; maintenance: number };
}

/** Active incidents, and active and upcoming maintenance, shown on the status page at most. */
export const MAX_NOTICES = 5;

/** The notices cut to MAX_NOTICES of each kind (active maintenance before upcoming), and how many were left out. */
export function cappedNotices(notices: NoticesView): { notices: NoticesView; notShown: StatusPageView["notShown"] } {
  const activeMaintenance = notices.activeMaintenance.slice(0, MAX_NOTICES);
  const upcomingMaintenance = notices.upcomingMaintenance.slice(0, MAX_NOTICES - activeMaintenance.length);
  const activeIncidents = notices.activeIncidents.slice(0, MAX_NOTICES);
  return {
    notices: { activeIncidents, activeMaintenance, upcomingMaintenance },
    notShown: {
      incidents: notices.activeIncidents.length - activeIncidents.length,
      maintenance: notices.activeMaintenance.length + notices.upcomingMaintenance.length - activeMaintenance.length - upcomingMaintenance.length,
    },
  };
}

export interface StatusPageInput {
  config: PageConfig;
  now: number;
  /** The shown probes only. */
  probes: readonly LoadedProbe[];
  overview: Overview;
  /** Day totals of the shown probes over the bars' days, by probe id. */
  days: ReadonlyMap<string, readonly DayTotals[]>;
  notices: Notices;
}

export function probeViews(input: Omit<StatusPageInput, "config">): ProbeView[] {
  const names = new Map(input.probes.map((p) => [p.probe.id, p.probe.name]));
  const incidents = incidentViews(input.notices.incidents, names);
  const maintenance = underMaintenance(input.notices, input.now);
  const overviewById = new Map(input.overview.probes.map((p) => [p.id, p]));
  return input.probes.map((loaded) => {
    const p = loaded.probe;
    const overview = overviewById.get(p.id);
    const days = dayBars(
      loaded,
      input.days.get(p.id) ?? [],
      incidents.filter((i) => i.probeIds.includes(p.id)),
      input.now,
    );
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      group: p.group,
      state: maintenance.has(p.id) ? "maintenance" : (overview?.state ?? "no-data"),
      lastRunAt: overview?.lastRunAt ?? null,
      objective: p.slo.availability,
      days,
      availability: availabilityOf(days),
      daysWithData: days.filter((d) => d.runs > 0).length,
    };
  });
}

export function buildStatusView(input: StatusPageInput): StatusPageView {
  const probes = probeViews(input).map(probeSummary);
  const names = new Map(input.probes.map((p) => [p.probe.id, p.probe.name]));
  const times = probes.flatMap((p) => (p.lastRunAt === null ? [] : [p.lastRunAt]));
  return {
    config: input.config,
    now: input.now,
    state: bannerState(probes.map((p) => p.state)),
    checkedAt: times.length ? Math.max(...times) : null,
    groups: groupsOf(probes),
    ...cappedNotices(noticesView(input.notices, names, input.now)),
  };
}

// ---------------------------------------------------------------- the probe page

export const CHART_RANGES = ["24h", "7d", "30d"] as const;
export type ChartRange = (typeof CHART_RANGES)[number];

export interface ChartPoint {
  /** Start of the bucket. */
  at: number;
  p50: number | null;
  p95: number | null;
  runs: number;
}

export interface LatencyChart {
  range: ChartRange;
  bucketMs: number;
  from: number;
  to: number;
  points: ChartPoint[];
}

export interface RegionRow {
  region: string;
  state: ComponentState;
  lastRunAt: number | null;
  /** p95 over the last 24 hours, from hourly rollups; null without timed runs. */
  p95: number | null;
  runs24h: number;
}

export interface FailureView {
  runId: string;
  at: number;
  region: string;
  failureClass: FailureClass | null;
  /** Only when the config shows failure evidence publicly. */
  step?: string;
  message?: string;
}

/** A release marked on the probe page (src/releases/): when it went live, and its watch's verdict. */
export interface ReleaseMarker {
  id: string;
  version: string;
  at: number;
  verdict: string;
}

export interface ProbeDetailView {
  /** This probe's releases of the last 90 days, newest first. */
  releases: ReleaseMarker[];
  config: PageConfig;
  now: number;
  probe: ProbeView;
  quorum: number;
  schedule: string;
  regions: RegionRow[];
  chart: LatencyChart;
  slo: SloReport | null;
  failures: FailureView[];
  /** Active first, then the most recent resolved ones touching this probe. */
  incidents: IncidentView[];
  notices: NoticesView;
}

/** How far back the probe page reads hourly rollups: the 7-day chart (and the 24-hour figures). */
export function hourlyFrom(now: number): number {
  return Math.floor(now / HOUR_MS) * HOUR_MS - (7 * 24 - 1) * HOUR_MS;
}

function mergeInto(target: number[], source: readonly number[]): void {
  for (let b = 0; b < BUCKET_COUNT; b++) target[b]! += source[b]!;
}

/**
 * Points of the latency chart: hourly buckets for 24h (24 points) and 7d (168 points), daily
 * ones for 30d (30 points), the last bucket being the current one. Regions are merged.
 */
export function latencyChart(range: ChartRange, rollups: readonly Rollup[], now: number): LatencyChart {
  const grain = range === "30d" ? "day" : "hour";
  const bucketMs = grain === "day" ? DAY_MS : HOUR_MS;
  const count = range === "24h" ? 24 : range === "7d" ? 168 : 30;
  const last = Math.floor(now / bucketMs) * bucketMs;
  const from = last - (count - 1) * bucketMs;
  const buckets = Array.from({ length: count }, () => ({ h: emptyHistogram(), runs: 0 }));
  for (const r of rollups) {
    if (r.grain !== grain) continue;
    const bucket = buckets[Math.floor((r.bucketAt - from) / bucketMs)];
    if (!bucket || r.bucketAt < from) continue;
    mergeInto(bucket.h, r.latency);
    bucket.runs += r.total;
  }
  return {
    range,
    bucketMs,
    from,
    to: last + bucketMs,
    points: buckets.map((b, i) => ({ at: from + i * bucketMs, p50: quantile(b.h, 0.5), p95: quantile(b.h, 0.95), runs: b.runs })),
  };
}

export function regionRows(loaded: LoadedProbe, overview: Overview, hourly: readonly Rollup[], maintenance: boolean, now: number): RegionRow[] {
  const since = Math.floor(now / HOUR_MS) * HOUR_MS - 23 * HOUR_MS;
  const probe = overview.probes.find((p) => p.id === loaded.probe.id);
  return loaded.probe.regions.map((region) => {
    const h = emptyHistogram();
    let runs = 0;
    for (const r of hourly) {
      if (r.grain !== "hour" || r.region !== region || r.bucketAt < since) continue;
      mergeInto(h, r.latency);
      runs += r.total;
    }
    const state = probe?.regions.find((s) => s.region === region);
    return {
      region,
      state: maintenance ? "maintenance" : (state?.state ?? "no-data"),
      lastRunAt: state?.lastRun?.startedAt ?? null,
      p95: quantile(h, 0.95),
      runs24h: runs,
    };
  });
}

/** A (region, hour or day) that the rollups say holds failed runs. */
export interface FailureCell {
  region: string;
  from: number;
  to: number;
  down: number;
}

/**
 * Where the last failures are, without scanning raw runs: the newest (region, hour) rollups with
 * down runs (hourly rollups cover the last 7 days), then the newest (region, day) ones before
 * that while raw runs still exist, until `wanted` failures are covered or `maxCells` cells are
 * taken. Each cell is then one bounded primary-key range read (60 rows an hour, 1,440 a day, at
 * one run a minute), so the cost does not depend on the length of the history.
 */
export function failureCells(rollups: readonly Rollup[], now: number, rawRetentionDays: number, wanted = 5, maxCells = 5): FailureCell[] {
  const hourlyStart = hourlyFrom(now);
  const oldestRaw = now - rawRetentionDays * DAY_MS;
  const cells: FailureCell[] = [];
  const hourly = rollups.filter((r) => r.grain === "hour" && r.down > 0 && r.bucketAt >= hourlyStart).map((r) => ({ region: r.region, from: r.bucketAt, to: r.bucketAt + HOUR_MS, down: r.down }));
  // Older failures: the part of each day before the hourly range, while raw runs are kept.
  const daily = rollups
    .filter((r) => r.grain === "day" && r.down > 0 && r.bucketAt < hourlyStart && r.bucketAt + DAY_MS > oldestRaw)
    .map((r) => ({ region: r.region, from: Math.max(r.bucketAt, oldestRaw), to: Math.min(r.bucketAt + DAY_MS, hourlyStart), down: r.down }));
  let covered = 0;
  for (const cell of [...hourly.sort((a, b) => b.from - a.from), ...daily.sort((a, b) => b.from - a.from)]) {
    if (covered >= wanted || cells.length >= maxCells) break;
    cells.push(cell);
    covered += cell.down;
  }
  return cells;
}

export function failureViews(runs: readonly RunSummary[], showEvidence: boolean): FailureView[] {
  return runs
    .filter((r) => r.status === "down")
    .map((r) => ({
      runId: r.runId,
      at: r.startedAt,
      region: r.region,
      failureClass: r.failure?.class ?? null,
      ...(showEvidence && r.failure ? { step: r.failure.step, message: r.failure.message } : {}),
    }));
}

export interface ProbeDetailInput {
  config: PageConfig;
  now: number;
  loaded: LoadedProbe;
  overview: Overview;
  /** Hourly rollups from hourlyFrom(now) and daily ones from barsFrom(now), every region. */
  rollups: readonly Rollup[];
  slo: SloReport | null;
  failures: readonly RunSummary[];
  notices: Notices;
  range: ChartRange;
  quorum: number;
  /** This probe's releases of the last 90 days (newest first). */
  releases?: readonly ReleaseMarker[];
}

export function buildProbeDetailView(input: ProbeDetailInput): ProbeDetailView {
  const p = input.loaded.probe;
  const names = new Map([[p.id, p.name]]);
  const totals = dayTotalsFrom(input.rollups, barsFrom(input.now), input.now + 1);
  const [probe] = probeViews({ now: input.now, probes: [input.loaded], overview: input.overview, days: new Map([[p.id, totals]]), notices: input.notices });
  const hourly = input.rollups.filter((r) => r.grain === "hour");
  const incidents = incidentViews(input.notices.incidents, names);
  const releases = [...(input.releases ?? [])];
  const releasedOn = (dayAt: number) => releases.filter((r) => r.at >= dayAt && r.at < dayAt + DAY_MS).map((r) => r.version);
  const days = releases.length ? probe!.days.map((d) => (releasedOn(d.dayAt).length ? { ...d, releases: releasedOn(d.dayAt) } : d)) : probe!.days;
  return {
    releases,
    config: input.config,
    now: input.now,
    probe: { ...probe!, days },
    quorum: input.quorum,
    schedule: p.schedule,
    regions: regionRows(input.loaded, input.overview, hourly, probe!.state === "maintenance", input.now),
    chart: latencyChart(input.range, input.range === "30d" ? input.rollups.filter((r) => r.grain === "day") : hourly, input.now),
    slo: input.slo,
    failures: failureViews(input.failures, input.config.showFailureEvidence).slice(0, 5),
    incidents: [...incidents.filter((i) => i.resolvedAt === null).slice(0, MAX_NOTICES), ...incidents.filter((i) => i.resolvedAt !== null).slice(0, 5)],
    notices: noticesView(input.notices, names, input.now),
  };
}

// ---------------------------------------------------------------- history and feed

/** Empty months are listed back to the oldest incident, but not further than this. */
const MAX_HISTORY_MONTHS = 120;

export interface HistoryMonth {
  key: string;
  label: string;
  incidents: IncidentView[];
}

/**
 * Incidents by month in the page's time zone, newest month first, from the current month back
 * to the older of (the oldest incident, `minMonths` months ago), empty months included (so "no
 * incidents" is said, not implied).
 */
export function historyMonths(incidents: readonly IncidentView[], now: number, monthOf: (at: number) => { key: string; label: string }, minMonths = 3): HistoryMonth[] {
  const months = new Map<string, HistoryMonth>();
  const add = (at: number) => {
    const m = monthOf(at);
    if (!months.has(m.key)) months.set(m.key, { ...m, incidents: [] });
    return months.get(m.key)!;
  };
  // Step back month by month from now: the middle of each UTC month is in the same month in any zone.
  const d = new Date(now);
  const oldestKey = monthOf(incidents.reduce((t, i) => Math.min(t, i.startedAt), now)).key;
  for (let k = 0; k < MAX_HISTORY_MONTHS; k++) {
    const month = add(k === 0 ? now : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 15));
    if (k + 1 >= minMonths && month.key <= oldestKey) break;
  }
  for (const i of [...incidents].sort((a, b) => b.startedAt - a.startedAt)) add(i.startedAt).incidents.push(i);
  return [...months.values()].sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}
