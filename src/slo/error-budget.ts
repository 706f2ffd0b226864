/**
 * Error budgets, in the two ways OpenSLO names them.
 *
 * occurrences (the default): every event counts.
 *     budget    = (1 − objective) × events          (bad events the window may have)
 *     consumed  = bad
 *     remaining = budget − consumed                  (negative once the SLO is broken)
 *     remainingFraction = remaining / budget         (1 untouched, 0 spent, < 0 overspent)
 *
 * timeslices: the window is cut into slices (an hour by default); a slice is good when its own
 * SLI ≥ the slice target (the objective unless set apart), bad otherwise, and a slice without
 * events is left out (no events, no SLI). With no-data counted as bad, a slice of missing runs
 * is a bad slice.
 *     budget    = (1 − objective) × slices with events
 *     consumed  = bad slices
 * Timeslices judge "how many hours were we out of SLO", which a few huge bursts cannot dominate
 * the way they dominate occurrences.
 *
 * The objective must be strictly between 0 and 1: at 1 the budget is 0 and every burn rate is a
 * division by zero, at 0 there is nothing to promise. Probe validation already refuses 100 %;
 * this refuses it again for any other caller, with the same advice.
 */
import { applyNoData, assertCounts, type EventCounts, type NoDataTreatment, sli } from "./sli.ts";

export class ObjectiveError extends RangeError {
  override name = "ObjectiveError";
}

/** Throws an ObjectiveError unless 0 < objective < 1. */
export function assertObjective(objective: number): void {
  if (typeof objective !== "number" || Number.isNaN(objective)) {
    throw new ObjectiveError(
      `the objective must be a number between 0 and 1 (exclusive), e.g. 0.999; got ${String(objective)}`,
    );
  }
  if (objective >= 1) {
    throw new ObjectiveError(
      `the objective must be below 1: an objective of ${objective * 100}% leaves no error budget; use e.g. 0.999`,
    );
  }
  if (objective <= 0) throw new ObjectiveError(`the objective must be above 0, e.g. 0.999; got ${objective}`);
}

/**
 * The share of events allowed to be bad: 1 − objective, validated.
 *
 * Rounded to 12 significant digits because objectives are written as decimals and the binary
 * subtraction adds noise (1 − 0.999 = 0.0010000000000000009), which would otherwise show in every
 * budget figure (1 000 000 events → a budget of 1000.0000000000009). The rounding moves the value
 * by less than 1e-12 of itself.
 */
export function allowedErrorRate(objective: number): number {
  assertObjective(objective);
  return Number((1 - objective).toPrecision(12));
}

export interface OccurrencesBudget {
  method: "occurrences";
  objective: number;
  /** Events counted, after the no-data treatment. */
  events: number;
  /** Bad events the window may have: (1 − objective) × events. */
  budget: number;
  /** Bad events it had. */
  consumed: number;
  /** budget − consumed; negative when overspent. */
  remaining: number;
  /** remaining / budget; null when there are no events (see reason). */
  remainingFraction: number | null;
  reason?: string;
}

/**
 * The occurrences budget of a window.
 *
 * @example
 * occurrencesBudget({ good: 9990, bad: 4, noData: 6 }, 0.999, { noData: "excluded" })
 * // events 9994, budget 9.994, consumed 4, remaining 5.994, remainingFraction ≈ 0.5998
 */
export function occurrencesBudget(
  counts: EventCounts,
  objective: number,
  options: { noData: NoDataTreatment },
): OccurrencesBudget {
  const rate = allowedErrorRate(objective);
  assertCounts(counts);
  const { good, bad } = applyNoData(counts, options.noData);
  const events = good + bad;
  const budget = rate * events;
  const remaining = budget - bad;
  const fraction =
    events === 0
      ? { remainingFraction: null, reason: "no events in the window, so no budget yet" }
      : { remainingFraction: remaining / budget };
  return { method: "occurrences", objective, events, budget, consumed: bad, remaining, ...fraction };
}

export interface TimeslicesBudget {
  method: "timeslices";
  objective: number;
  /** A slice is good when its own SLI reaches this (OpenSLO's timeSliceTarget; default: the objective). */
  sliceTarget: number;
  sliceMs: number;
  /** Slices in the window, with or without events. */
  slices: number;
  goodSlices: number;
  badSlices: number;
  /** Slices without events, left out of the budget. */
  emptySlices: number;
  /** Bad slices the window may have: (1 − objective) × (good + bad slices). */
  budget: number;
  consumed: number;
  remaining: number;
  remainingFraction: number | null;
  reason?: string;
}

/**
 * The timeslices budget of a window cut into slices (windows.ts slicesOf): each slice's counts are
 * judged by its SLI under the same no-data treatment, good when it reaches `target`.
 *
 * @example
 * timeslicesBudget(sliceCounts, 0.99, { sliceMs: HOUR_MS, target: 0.95, noData: "excluded" })
 */
export function timeslicesBudget(
  slices: readonly EventCounts[],
  objective: number,
  options: { sliceMs: number; target?: number | undefined; noData: NoDataTreatment },
): TimeslicesBudget {
  const rate = allowedErrorRate(objective);
  const { sliceMs } = options;
  const target = options.target ?? objective;
  if (!(Number.isFinite(sliceMs) && sliceMs > 0))
    throw new RangeError(`sliceMs must be a positive duration, got ${sliceMs}`);
  if (!(target > 0 && target <= 1)) throw new RangeError(`the slice target must be in (0, 1], got ${target}`);
  let goodSlices = 0;
  let badSlices = 0;
  for (const counts of slices) {
    const value = sli(counts, { noData: options.noData }).value;
    if (value === null) continue;
    if (value >= target) goodSlices++;
    else badSlices++;
  }
  const judged = goodSlices + badSlices;
  const budget = rate * judged;
  const remaining = budget - badSlices;
  const base = {
    method: "timeslices" as const,
    objective,
    sliceTarget: target,
    sliceMs,
    slices: slices.length,
    goodSlices,
    badSlices,
    emptySlices: slices.length - judged,
    budget,
    consumed: badSlices,
    remaining,
  };
  if (judged === 0)
    return { ...base, remainingFraction: null, reason: "no slice in the window has events, so no budget yet" };
  return { ...base, remainingFraction: remaining / budget };
}

/** The budget as minutes of full downtime over the window's length. */
export interface BudgetMinutes {
  /** (1 − objective) × the window in minutes: 43.2 for 99.9 % over 30 days. */
  allowed: number;
  /** The share of the budget consumed, as minutes; null without events. */
  consumed: number | null;
  remaining: number | null;
}

/**
 * @example
 * budgetMinutes({ budget: 10, consumed: 5, remainingFraction: 0.5 }, 0.999, 30 * DAY_MS) // { allowed: 43.2, consumed: 21.6, remaining: 21.6 }
 */
export function budgetMinutes(
  budget: Pick<OccurrencesBudget | TimeslicesBudget, "budget" | "consumed" | "remainingFraction">,
  objective: number,
  windowMs: number,
): BudgetMinutes {
  const allowed = allowedErrorRate(objective) * (windowMs / 60_000);
  if (budget.remainingFraction === null) return { allowed, consumed: null, remaining: null };
  return { allowed, consumed: allowed * (1 - budget.remainingFraction), remaining: allowed * budget.remainingFraction };
}
