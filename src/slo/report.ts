/**
 * The SLO report of a probe (or a set of regions of it, or a whole group): the SLIs with no-data
 * both excluded and counted as bad, the error budget (in events or slices, and in minutes), each
 * burn-rate lookback with its counts, the alert state, the exhaustion forecast, the daily
 * burn-down, and the latency trends. Every figure is a tally over an exact span (ledger.ts). Pure:
 * the API loads the rows (queries/slo.ts), this composes them.
 */
import { declaredSteps, durationMs } from "../probe/schema.ts";
import { DAY_MS, floorTo, HOUR_MS } from "../time.ts";
import {
  burnAlert,
  burnAlertConfigOf,
  burnRate,
  burnLookbacksOf,
  type BurnAlert,
  type BurnAlertConfig,
  type BurnAlertRule,
  type BurnRates,
  type BurnWindowCounts,
} from "./burn-rate.ts";
import {
  budgetMinutes,
  occurrencesBudget,
  timeslicesBudget,
  type BudgetMinutes,
  type OccurrencesBudget,
  type TimeslicesBudget,
} from "./error-budget.ts";
import { forecastExhaustion, type ExhaustionForecast } from "./forecast.ts";
import { quantile } from "./latency-histogram.ts";
import { dayHistograms, latencyTrend, type LatencyTrend } from "./latency-trend.ts";
import {
  addTallies,
  emptyTally,
  eventsOf,
  tallySpan,
  type ProbeHistory,
  type SliKind,
  type Tally,
  type WindowCounts,
} from "./ledger.ts";
import { FORECAST_LOOKBACK, silenceLookbackMs, sliceMsOf, TREND_DAYS } from "./report-plan.ts";
import { sli, sliBoth, type SliResult } from "./sli.ts";
import { resolveWindow, slicesOf, windowLengthMs, type SloWindow, type Span } from "./windows.ts";

/** One burn-rate lookback: its exact span, its counts and its rate. */
interface LookbackReport extends BurnWindowCounts {
  /** The start counted: later than now − lookback only when its first hour is past raw retention. */
  from: number;
  to: number;
  missing: number;
  monitoringSide: number;
  /** Latency: runs judged from a histogram, because their hours were counted under another threshold. */
  estimated: number;
}

/** One UTC day of the window: that day's SLI, and the budget left at its end (burn-down). */
export interface DayBudget {
  day: number;
  good: number;
  bad: number;
  noData: number;
  sli: number | null;
  /** The occurrences budget left from the window's start through the end of this day (no data excluded). */
  remainingFraction: number | null;
}

export interface SliReport {
  kind: "availability" | "latency";
  objective: number;
  /** For latency: the threshold of "P% of runs under T ms". */
  underMs?: number;
  /**
   * For latency: how the runs were judged. "exact": every run by its own duration. "mixed": some
   * hours were counted under another threshold, and `events.estimated` of them were judged from
   * the latency histogram instead (conservatively: the bucket holding the threshold counts as over).
   */
  method?: "exact" | "mixed";
  events: WindowCounts;
  sli: { excluded: SliResult; noDataAsBad: SliResult };
  budget: OccurrencesBudget | TimeslicesBudget;
  /** The same budget with no-data counted as bad events. */
  budgetNoDataAsBad: OccurrencesBudget | TimeslicesBudget;
  /** The budget as minutes of full downtime over the window. */
  budgetMinutes: BudgetMinutes;
  burnRates: BurnRates;
  /** Each lookback the alert rules read, with its good, bad and no-data counts. */
  lookbacks: Record<string, LookbackReport>;
  /** Each firing or held rule says whether it judged its lookbacks exactly or both from histograms. */
  alert: {
    state: BurnAlert["state"];
    firing: (BurnAlert["firing"][number] & { method: "exact" | "histogram" })[];
    held: (BurnAlert["held"][number] & { method: "exact" | "histogram" })[];
    minEvents: number;
  };
  forecast: ExhaustionForecast;
  history: DayBudget[];
}

interface StepReport {
  name: string;
  executed: number;
  failed: number;
  sli: SliResult;
}

/** Every region of the probes stored nothing for a while: the no-data alert's input. */
interface Silence {
  lookbackMs: number;
  expected: number;
  stored: number;
  /** Runs were due and none was stored, in any region, by a probe that has run before. */
  silent: boolean;
}

export interface SloReport {
  probeIds: string[];
  regions: string[];
  window: SloWindow;
  budgeting: "occurrences" | "timeslices";
  /** The span counted: [now − window, now), from the next hour when its first hour is past raw retention. */
  span: Span;
  /** "run": both ends exact to the run. "hour": the window's first hour is past raw retention, so it starts at the next hour. */
  resolution: "run" | "hour";
  availability: SliReport;
  latency: SliReport | null;
  /**
   * Per-step availability over the window (single-probe reports): a step ran in every run that
   * did not fail at an earlier step; it failed in the runs that stopped at it.
   */
  steps: StepReport[];
  /** Run-time percentiles over the window from the merged histograms (upper bucket bounds, ms). */
  percentiles: { p50: number | null; p95: number | null; p99: number | null };
  /** Daily p95 over the last 14 complete days. */
  trend: LatencyTrend;
  /** Daily median over the same days. */
  trendMedian: LatencyTrend;
  /** Null when the no-data alert is off for these probes. */
  silence: Silence | null;
}

interface SloReportInput {
  histories: readonly ProbeHistory[];
  /**
   * "full" (default) adds the daily burn-down, the latency trends and the steps; "alerting" leaves
   * them empty, for readers that only alert or export (the burn stage, /metrics, badges), which would
   * otherwise count every day of every window for nothing.
   */
  detail?: "full" | "alerting";
  /** Regions to include (each probe contributes the ones it runs in). */
  regions: readonly string[];
  window: SloWindow;
  budgeting?: "occurrences" | "timeslices";
  now: number;
}

/** The counts of every probe over one span. */
function tallyAll(input: SloReportInput, span: Span, thresholdMs: number | undefined, histogram = false): Tally {
  return input.histories.reduce(
    (sum, h) => addTallies(sum, tallySpan(h, span, { regions: input.regions, thresholdMs, histogram })),
    emptyTally(span.from, histogram),
  );
}

interface Context {
  input: SloReportInput;
  span: Span;
  windowTally: Tally;
  thresholdMs: number | undefined;
  alertConfig: BurnAlertConfig;
  lookbackTallies: Map<string, Tally>;
  dayTallies: { day: number; tally: Tally }[];
  sliceTallies: Tally[] | null;
  sliceMs: number;
  sliceTarget: number | undefined;
}

function lookbackReport(
  tally: Tally,
  kind: SliKind,
  objective: number,
  to: number,
  method: "exact" | "histogram" = "exact",
): LookbackReport {
  const e = eventsOf(tally, kind, method);
  return {
    from: tally.from,
    to,
    good: e.good,
    bad: e.bad,
    noData: e.noData,
    events: e.good + e.bad,
    burnRate: burnRate(e, objective),
    missing: e.missing,
    monitoringSide: e.monitoringSide,
    estimated: e.estimated,
  };
}

/**
 * The alert over the lookbacks, every rule judging both of its lookbacks the same way: exactly,
 * unless one of them holds runs that can only be judged from a histogram (hours counted under
 * another threshold), then both from their histograms. A rule never compares an exact short
 * lookback with an estimated long one.
 */
function alertOf(
  ctx: Context,
  kind: SliKind,
  objective: number,
  exact: Record<string, LookbackReport>,
): SliReport["alert"] {
  const methodOf = (rule: BurnAlertRule) =>
    kind.kind === "latency" && (exact[rule.longWindow]!.estimated > 0 || exact[rule.shortWindow]!.estimated > 0)
      ? ("histogram" as const)
      : ("exact" as const);
  let histogram: Record<string, LookbackReport> | null = null;
  const judgedBy = (rule: BurnAlertRule) => {
    if (methodOf(rule) === "exact") return exact;
    histogram ??= Object.fromEntries(
      Object.keys(exact).map((w) => [
        w,
        lookbackReport(ctx.lookbackTallies.get(w)!, kind, objective, ctx.input.now, "histogram"),
      ]),
    );
    return histogram;
  };
  const alert = burnAlert(judgedBy, ctx.alertConfig);
  return {
    state: alert.state,
    firing: alert.firing.map((f) => ({ ...f, method: methodOf(f) })),
    held: alert.held.map((h) => ({ ...h, method: methodOf(h) })),
    minEvents: ctx.alertConfig.minEvents,
  };
}

function history(ctx: Context, kind: SliKind, objective: number): DayBudget[] {
  let cumulative = { good: 0, bad: 0, noData: 0 };
  return ctx.dayTallies.map(({ day, tally }) => {
    const e = eventsOf(tally, kind);
    cumulative = { good: cumulative.good + e.good, bad: cumulative.bad + e.bad, noData: cumulative.noData + e.noData };
    return {
      day,
      good: e.good,
      bad: e.bad,
      noData: e.noData,
      sli: sli(e, { noData: "excluded" }).value,
      remainingFraction: occurrencesBudget(cumulative, objective, { noData: "excluded" }).remainingFraction,
    };
  });
}

function sliReport(ctx: Context, kind: SliKind, objective: number): SliReport {
  const { input, span } = ctx;
  const events = eventsOf(ctx.windowTally, kind);
  const budgeting = input.budgeting ?? "occurrences";
  const budgetOf = (noData: "excluded" | "bad") =>
    budgeting === "occurrences" || ctx.sliceTallies === null
      ? occurrencesBudget(events, objective, { noData })
      : timeslicesBudget(
          ctx.sliceTallies.map((t) => eventsOf(t, kind)),
          objective,
          { sliceMs: ctx.sliceMs, target: ctx.sliceTarget, noData },
        );
  const budget = budgetOf("excluded");
  const lookbacks: Record<string, LookbackReport> = {};
  for (const w of burnLookbacksOf(ctx.alertConfig))
    lookbacks[w] = lookbackReport(ctx.lookbackTallies.get(w)!, kind, objective, input.now);
  const burnRates: BurnRates = Object.fromEntries(Object.entries(lookbacks).map(([w, l]) => [w, l.burnRate]));
  // The forecast is in events whatever the budgeting: bad events per hour over the exact last
  // 6 hours against the events the occurrences budget has left.
  const recent = eventsOf(ctx.lookbackTallies.get(FORECAST_LOOKBACK)!, kind);
  const occurrences = occurrencesBudget(events, objective, { noData: "excluded" });
  const forecast = forecastExhaustion({
    events: occurrences.events,
    remaining: occurrences.remaining,
    badPerHour: recent.bad / (durationMs(FORECAST_LOOKBACK) / HOUR_MS),
    now: input.now,
  });
  return {
    kind: kind.kind,
    objective,
    ...(kind.kind === "latency"
      ? { underMs: kind.underMs, method: events.estimated > 0 ? ("mixed" as const) : ("exact" as const) }
      : {}),
    events,
    sli: sliBoth(events),
    budget,
    budgetNoDataAsBad: budgetOf("bad"),
    budgetMinutes: budgetMinutes(
      budget,
      objective,
      budgeting === "timeslices" ? span.to - span.from : windowLengthMs(input.window, input.now),
    ),
    burnRates,
    lookbacks,
    alert: alertOf(ctx, kind, objective, lookbacks),
    forecast,
    history: history(ctx, kind, objective),
  };
}

function stepReports(input: SloReportInput, tally: Tally): StepReport[] {
  if (input.histories.length !== 1) return [];
  const ran = tally.up + tally.degraded + tally.down + tally.monitoring;
  let stoppedBefore = 0;
  return declaredSteps(input.histories[0]!.probe.probe).map((step) => {
    const executed = Math.max(0, ran - stoppedBefore);
    const failed = Math.min(executed, tally.stepFailures[step.name] ?? 0);
    stoppedBefore += failed;
    // With no run at all, the reason counts the due runs that have no data.
    return {
      name: step.name,
      executed,
      failed,
      sli: sli(
        { good: executed - failed, bad: failed, noData: executed === 0 ? tally.missing : 0 },
        { noData: "excluded" },
      ),
    };
  });
}

function percentilesOf(tally: Tally): SloReport["percentiles"] {
  const finite = (q: number) => {
    const value = quantile(tally.latency, q);
    return value === null || !Number.isFinite(value) ? null : value;
  };
  return { p50: finite(0.5), p95: finite(0.95), p99: finite(0.99) };
}

/** The UTC days the window touches, each clipped to the window. */
function daySpans(span: Span): Span[] {
  return slicesOf(span, DAY_MS);
}

function silenceOf(input: SloReportInput): Silence | null {
  const lookbacks = input.histories.map((h) => silenceLookbackMs(h.probe));
  if (lookbacks.some((l) => l === null)) return null;
  const lookbackMs = Math.max(...(lookbacks as number[]));
  const tally = input.histories.reduce(
    (sum, h) => addTallies(sum, tallySpan(h, { from: input.now - lookbackMs, to: input.now })),
    emptyTally(input.now - lookbackMs, false),
  );
  // A probe that never stored a run is not "silent": it may be new, due at a later minute.
  const everRan = input.histories.some((h) => h.pairs.some((p) => p.firstRunAt !== null));
  return {
    lookbackMs,
    expected: tally.expected,
    stored: tally.stored,
    silent: everRan && tally.expected > 0 && tally.stored === 0,
  };
}

/**
 * One report over the given probes and regions. For a group, the probes' events are summed; the
 * objective is the strictest of theirs, and the alert rules and timeslices are the first probe's.
 */
export function buildSloReport(input: SloReportInput): SloReport {
  const probes = input.histories.map((h) => h.probe.probe);
  const first = probes[0]!;
  const requested = resolveWindow(input.window, input.now);
  const availabilityObjective = Math.max(...probes.map((p) => p.slo.availability));
  const latencyTargets = probes.flatMap((p) => (p.slo.latency ? [p.slo.latency] : []));
  const latencyTarget =
    latencyTargets.length === probes.length && latencyTargets.length > 0
      ? {
          percent: Math.max(...latencyTargets.map((t) => t.percent)),
          underMs: Math.min(...latencyTargets.map((t) => t.underMs)),
        }
      : null;
  const thresholdMs = latencyTarget?.underMs;
  const windowTally = tallyAll(input, requested, thresholdMs, true);
  const span = { from: windowTally.from, to: requested.to };
  const alertConfig = burnAlertConfigOf(first.slo.alerting);
  const lookbackTallies = new Map<string, Tally>();
  for (const w of [...burnLookbacksOf(alertConfig), FORECAST_LOOKBACK])
    lookbackTallies.set(w, tallyAll(input, { from: input.now - durationMs(w), to: input.now }, thresholdMs));
  const sliceMs = sliceMsOf(input.histories[0]!.probe);
  const full = (input.detail ?? "full") === "full";
  const ctx: Context = {
    input,
    span,
    windowTally,
    thresholdMs,
    alertConfig,
    lookbackTallies,
    dayTallies: full
      ? daySpans(span).map((d) => ({ day: floorTo(d.from, DAY_MS), tally: tallyAll(input, d, thresholdMs) }))
      : [],
    sliceTallies:
      (input.budgeting ?? "occurrences") === "timeslices"
        ? slicesOf(span, sliceMs).map((s) => tallyAll(input, s, thresholdMs))
        : null,
    sliceMs,
    sliceTarget: first.slo.timeslices?.target,
  };
  const days = full
    ? dayHistograms(
        input.histories.flatMap((h) =>
          h.pairs.filter((p) => input.regions.includes(p.region)).flatMap((p) => [...p.days.values()]),
        ),
      )
    : [];
  return {
    probeIds: probes.map((p) => p.id),
    regions: [...input.regions],
    window: input.window,
    budgeting: input.budgeting ?? "occurrences",
    span,
    resolution: windowTally.exactFrom ? "run" : "hour",
    availability: sliReport(ctx, { kind: "availability" }, availabilityObjective),
    latency: latencyTarget
      ? sliReport(ctx, { kind: "latency", underMs: latencyTarget.underMs }, latencyTarget.percent)
      : null,
    steps: full ? stepReports(input, windowTally) : [],
    percentiles: percentilesOf(windowTally),
    trend: latencyTrend(days, { now: input.now, days: TREND_DAYS }),
    trendMedian: latencyTrend(days, { now: input.now, days: TREND_DAYS, quantile: 0.5 }),
    silence: silenceOf(input),
  };
}
