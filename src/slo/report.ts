/**
 * The SLO report of a probe (or a set of regions of it, or a whole group): the SLIs with no-data
 * both excluded and counted as bad, the error budget, burn rates and the Workbook alert state,
 * the exhaustion forecast, and the latency trend. Pure: the API loads rollups and recent runs,
 * this composes them.
 */
import { HOUR_MS } from "../time.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { burnAlert, burnRates, DEFAULT_BURN_ALERT_CONFIG, windowsOf, type BurnAlert, type BurnAlertConfig, type BurnRates, type BurnWindow } from "./burn-rate.ts";
import { expectedRunsPerRegion } from "./coverage.ts";
import { occurrencesBudget, timeslicesBudget, type OccurrencesBudget, type TimeslicesBudget } from "./error-budget.ts";
import { badEventsPerHour, forecastExhaustion, type ExhaustionForecast } from "./forecast.ts";
import { emptyHistogram, merge, quantile } from "./latency-histogram.ts";
import { latencyTrend, type LatencyTrend } from "./latency-trend.ts";
import { availabilityCounts, latencyCounts, rollupEvents, sli, sliBoth, type EventCounts, type SliKind, type SliResult, type TimedEvents } from "./sli.ts";
import { resolveWindow, selectRollups, type SloWindow, type Span } from "./windows.ts";

/** Windows shorter than an hour come from raw runs; the others from hourly rollups. */
const RAW_WINDOWS: readonly BurnWindow[] = ["5m", "30m"];

/** A recent raw run, for the short burn-rate windows. */
export interface RecentRun {
  slotAt: number;
  region: string;
  status: "up" | "degraded" | "down";
  durationMs: number;
}

export interface SliReport {
  kind: "availability" | "latency";
  objective: number;
  /** For latency: the threshold of "P% of runs under T ms". */
  underMs?: number;
  events: EventCounts;
  sli: { excluded: SliResult; noDataAsBad: SliResult };
  budget: OccurrencesBudget | TimeslicesBudget;
  /** The same budget with no-data counted as bad events. */
  budgetNoDataAsBad: OccurrencesBudget | TimeslicesBudget;
  burnRates: BurnRates;
  alert: BurnAlert;
  forecast: ExhaustionForecast;
}

export interface StepReport {
  name: string;
  executed: number;
  failed: number;
  sli: SliResult;
}

export interface SloReport {
  probeIds: string[];
  regions: string[];
  window: SloWindow;
  budgeting: "occurrences" | "timeslices";
  span: Span;
  availability: SliReport;
  latency: SliReport | null;
  /**
   * Per-step availability over the window (single-probe reports): a step ran in every run that
   * did not fail at an earlier step; it failed in the runs that stopped at it.
   */
  steps: StepReport[];
  /** Run-time percentiles over the window from the merged histograms (upper bucket bounds, ms). */
  percentiles: { p50: number | null; p95: number | null; p99: number | null };
  trend: LatencyTrend;
}

export interface SloReportInput {
  probes: readonly LoadedProbe[];
  /** Regions to include (each probe contributes the ones it runs in). */
  regions: readonly string[];
  window: SloWindow;
  budgeting?: "occurrences" | "timeslices";
  now: number;
  /**
   * Rollups of these probes: daily ones over the window, hourly ones from at least 3 days back
   * (the longest burn window) and over the whole window for timeslices budgeting.
   */
  rollups: readonly Rollup[];
  /** Raw runs of the last 30 minutes, for the 5m and 30m burn rates. */
  recentRuns: readonly RecentRun[];
  alertConfig?: BurnAlertConfig;
}

function runEvents(runs: readonly RecentRun[], kind: SliKind): TimedEvents[] {
  return runs
    .filter((r) => kind.kind === "availability" || r.status !== "down")
    .map((r) => {
      const good = kind.kind === "availability" ? r.status !== "down" : r.durationMs <= kind.underMs;
      return { at: r.slotAt, good: good ? 1 : 0, bad: good ? 0 : 1 };
    });
}

function expectedRuns(input: SloReportInput, span: Span): number {
  return input.probes.reduce((n, p) => n + expectedRunsPerRegion(p, span.from, span.to) * p.probe.regions.filter((r) => input.regions.includes(r)).length, 0);
}

function sliReport(input: SloReportInput, kind: SliKind, objective: number, span: Span, windowRollups: readonly Rollup[], hourly: readonly Rollup[]): SliReport {
  const expected = expectedRuns(input, span);
  const events = kind.kind === "availability" ? availabilityCounts(windowRollups, expected) : latencyCounts(windowRollups, kind.underMs, expected);
  const budgeting = input.budgeting ?? "occurrences";
  const budgetOf = (noData: "excluded" | "bad") =>
    budgeting === "occurrences"
      ? occurrencesBudget(events, objective, { noData })
      : timeslicesBudget(rollupEvents(hourly, kind), objective, { from: span.from, to: span.to, noData });
  const config = input.alertConfig ?? DEFAULT_BURN_ALERT_CONFIG;
  const wanted = windowsOf(config);
  const rawEvents = runEvents(input.recentRuns, kind);
  const hourlyEvents = rollupEvents(hourly, kind);
  const rates: BurnRates = {
    ...burnRates(rawEvents, objective, { now: input.now, windows: wanted.filter((w) => RAW_WINDOWS.includes(w)) }),
    ...burnRates(hourlyEvents, objective, { now: input.now, bucketMs: HOUR_MS, windows: wanted.filter((w) => !RAW_WINDOWS.includes(w)) }),
  };
  // The forecast is in events whatever the budgeting: bad events per hour over the last 6 hours
  // against the events the occurrences budget has left.
  const forecast = forecastExhaustion({
    remaining: occurrencesBudget(events, objective, { noData: "excluded" }).remaining,
    badPerHour: badEventsPerHour(hourlyEvents, { now: input.now, lookbackMs: 6 * HOUR_MS, bucketMs: HOUR_MS }),
    now: input.now,
  });
  return {
    kind: kind.kind,
    objective,
    ...(kind.kind === "latency" ? { underMs: kind.underMs } : {}),
    events,
    sli: sliBoth(events),
    budget: budgetOf("excluded"),
    budgetNoDataAsBad: budgetOf("bad"),
    burnRates: rates,
    alert: burnAlert(rates, config),
    forecast,
  };
}

function stepReports(probes: readonly LoadedProbe[], rollups: readonly Rollup[]): StepReport[] {
  if (probes.length !== 1) return [];
  const failures = new Map<string, number>();
  let total = 0;
  for (const r of rollups) {
    total += r.total;
    for (const [step, n] of Object.entries(r.stepFailures)) failures.set(step, (failures.get(step) ?? 0) + n);
  }
  let stoppedBefore = 0;
  return probes[0]!.probe.steps.map((step) => {
    const executed = Math.max(0, total - stoppedBefore);
    const failed = Math.min(executed, failures.get(step.name) ?? 0);
    stoppedBefore += failed;
    return { name: step.name, executed, failed, sli: sli({ good: executed - failed, bad: failed, noData: 0 }, { noData: "excluded" }) };
  });
}

function percentilesOf(rollups: readonly Rollup[]): SloReport["percentiles"] {
  const merged = rollups.reduce((h, r) => merge(h, r.latency), emptyHistogram());
  const finite = (q: number) => {
    const value = quantile(merged, q);
    return value === null || !Number.isFinite(value) ? null : value;
  };
  return { p50: finite(0.5), p95: finite(0.95), p99: finite(0.99) };
}

/**
 * One report over the given probes and regions. For a group, the probes' events are summed,
 * and the objective is the strictest of theirs.
 */
export function buildSloReport(input: SloReportInput): SloReport {
  const span = resolveWindow(input.window, input.now);
  const inScope = input.rollups.filter((r) => input.regions.includes(r.region) && input.probes.some((p) => p.probe.id === r.probeId));
  const windowRollups = selectRollups(inScope, span.from, span.to);
  const hourly = inScope.filter((r) => r.grain === "hour");
  const availabilityObjective = Math.max(...input.probes.map((p) => p.probe.slo.availability));
  const latencyTargets = input.probes.flatMap((p) => (p.probe.slo.latency ? [p.probe.slo.latency] : []));
  const latencyTarget = latencyTargets.length === input.probes.length && latencyTargets.length > 0
    ? { percent: Math.max(...latencyTargets.map((t) => t.percent)), underMs: Math.min(...latencyTargets.map((t) => t.underMs)) }
    : null;
  return {
    probeIds: input.probes.map((p) => p.probe.id),
    regions: [...input.regions],
    window: input.window,
    budgeting: input.budgeting ?? "occurrences",
    span,
    availability: sliReport(input, { kind: "availability" }, availabilityObjective, span, windowRollups, hourly),
    latency: latencyTarget ? sliReport(input, { kind: "latency", underMs: latencyTarget.underMs }, latencyTarget.percent, span, windowRollups, hourly) : null,
    steps: stepReports(input.probes, windowRollups),
    percentiles: percentilesOf(windowRollups),
    trend: latencyTrend(inScope.filter((r) => r.grain === "day"), { now: input.now }),
  };
}
