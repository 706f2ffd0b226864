/**
 * A probe's page: latency chart, regions, recent failures, SLO and releases. Pure: built from what
 * the loaders read (src/queries/page.ts), with `now` passed in.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { FailureClass, RunSummary, WebVitals } from "../probe/result.ts";
import type { LatencyMetric } from "../probe/schema.ts";
import type { JourneyMetric } from "../queries/journey-metrics.ts";
import type { PairVitals } from "../storage/run-store.ts";
import { BUCKET_COUNT, emptyHistogram, quantile } from "../slo/latency-histogram.ts";
import { dayTotalsFrom } from "../status/day-totals.ts";
import type { SloReport } from "../slo/report.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import type { Overview } from "../status/overview.ts";
import type { ComponentState } from "../status/state-order.ts";
import type { PageConfig } from "./page-config.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";
import { barsFrom } from "./day-bars.ts";
import { type IncidentView, type Notices, type NoticesView, incidentViews, noticesView } from "./notices-view.ts";
import { MAX_NOTICES, type ProbeView, probeViews } from "./status-view.ts";

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

interface RegionRow {
  region: string;
  state: ComponentState;
  lastRunAt: number | null;
  /** p95 over the last 24 hours, from hourly rollups; null without timed runs. */
  p95: number | null;
  runs24h: number;
}

interface FailureView {
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
  /** A browser probe's newest Web Vitals, per region in the probe's region order (empty for HTTP probes). */
  vitals: { region: string; at: number; vitals: WebVitals }[];
  /** What the latency SLO and chart time: the run's duration, or a Web Vital (browser probes). */
  latencyMetric: LatencyMetric;
  /** Active first, then the most recent resolved ones touching this probe. */
  incidents: IncidentView[];
  notices: NoticesView;
  /** The journey metrics the probe records (extract.metric, ctx.metric), with their hourly trend; absent: none. */
  metrics?: JourneyMetric[];
}

/** Hours of journey metrics the probe page charts: the last day. The API serves up to 92 days (GET /api/v1/probes/{id}/metrics?hours=). */
export const METRIC_CHART_HOURS = 24;

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
    points: buckets.map((b, i) => ({
      at: from + i * bucketMs,
      p50: quantile(b.h, 0.5),
      p95: quantile(b.h, 0.95),
      runs: b.runs,
    })),
  };
}

function regionRows(
  loaded: LoadedProbe,
  overview: Overview,
  hourly: readonly Rollup[],
  maintenance: boolean,
  now: number,
): RegionRow[] {
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
export function failureCells(
  rollups: readonly Rollup[],
  now: number,
  rawRetentionDays: number,
  wanted = 5,
  maxCells = 5,
): FailureCell[] {
  const hourlyStart = hourlyFrom(now);
  const oldestRaw = now - rawRetentionDays * DAY_MS;
  const cells: FailureCell[] = [];
  const hourly = rollups
    .filter((r) => r.grain === "hour" && r.down > 0 && r.bucketAt >= hourlyStart)
    .map((r) => ({ region: r.region, from: r.bucketAt, to: r.bucketAt + HOUR_MS, down: r.down }));
  // Older failures: the part of each day before the hourly range, while raw runs are kept.
  const daily = rollups
    .filter((r) => r.grain === "day" && r.down > 0 && r.bucketAt < hourlyStart && r.bucketAt + DAY_MS > oldestRaw)
    .map((r) => ({
      region: r.region,
      from: Math.max(r.bucketAt, oldestRaw),
      to: Math.min(r.bucketAt + DAY_MS, hourlyStart),
      down: r.down,
    }));
  let covered = 0;
  for (const cell of [...hourly.sort((a, b) => b.from - a.from), ...daily.sort((a, b) => b.from - a.from)]) {
    if (covered >= wanted || cells.length >= maxCells) break;
    cells.push(cell);
    covered += cell.down;
  }
  return cells;
}

function failureViews(runs: readonly RunSummary[], showEvidence: boolean): FailureView[] {
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

interface ProbeDetailInput {
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
  /** A browser probe's newest Web Vitals per region. */
  vitals?: readonly PairVitals[];
}

export function buildProbeDetailView(input: ProbeDetailInput): ProbeDetailView {
  const p = input.loaded.probe;
  const names = new Map([[p.id, p.name]]);
  const totals = dayTotalsFrom(input.rollups, barsFrom(input.now), input.now + 1);
  const [probe] = probeViews({
    now: input.now,
    probes: [input.loaded],
    overview: input.overview,
    days: new Map([[p.id, totals]]),
    notices: input.notices,
  });
  const hourly = input.rollups.filter((r) => r.grain === "hour");
  const incidents = incidentViews(input.notices.incidents, names);
  const releases = [...(input.releases ?? [])];
  const releasedOn = (dayAt: number) =>
    releases.filter((r) => r.at >= dayAt && r.at < dayAt + DAY_MS).map((r) => r.version);
  const days = releases.length
    ? probe!.days.map((d) => (releasedOn(d.dayAt).length ? { ...d, releases: releasedOn(d.dayAt) } : d))
    : probe!.days;
  return {
    releases,
    config: input.config,
    now: input.now,
    probe: { ...probe!, days },
    quorum: input.quorum,
    schedule: p.kind === "heartbeat" ? p.period : p.schedule,
    regions: regionRows(input.loaded, input.overview, hourly, probe!.state === "maintenance", input.now),
    chart: latencyChart(
      input.range,
      input.range === "30d" ? input.rollups.filter((r) => r.grain === "day") : hourly,
      input.now,
    ),
    slo: input.slo,
    failures: failureViews(input.failures, input.config.showFailureEvidence).slice(0, 5),
    vitals: p.regions.flatMap((region) =>
      (input.vitals ?? []).filter((v) => v.region === region).map((v) => ({ region, at: v.slotAt, vitals: v.vitals })),
    ),
    latencyMetric: p.slo.latency?.metric ?? "duration",
    incidents: [
      ...incidents.filter((i) => i.resolvedAt === null).slice(0, MAX_NOTICES),
      ...incidents.filter((i) => i.resolvedAt !== null).slice(0, 5),
    ],
    notices: noticesView(input.notices, names, input.now),
  };
}
