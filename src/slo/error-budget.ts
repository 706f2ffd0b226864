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
 * SLI ≥ objective, bad otherwise, and a slice without events is left out (no events, no SLI).
 *     budget    = (1 − objective) × slices with events
 *     consumed  = bad slices
 * Timeslices judge "how many hours were we out of SLO", which a few huge bursts cannot dominate
 * the way they dominate occurrences.
 *
 * The objective must be strictly between 0 and 1: at 1 the budget is 0 and every burn rate is a
 * division by zero, at 0 there is nothing to promise. Probe validation already refuses 100 %;
 * this refuses it again for any other caller, with the same advice.
 */
import { HOUR_MS } from "../time.ts";
import { applyNoData, assertCounts, type EventCounts, type NoDataTreatment, sli, type TimedEvents } from "./sli.ts";

export class ObjectiveError extends RangeError {
  override name = "ObjectiveError";
}

/** Throws an ObjectiveError unless 0 < objective < 1. */
export function assertObjective(objective: number): void {
  if (typeof objective !== "number" || Number.isNaN(objective)) {
    throw new ObjectiveError(`the objective must be a number between 0 and 1 (exclusive), e.g. 0.999; got ${String(objective)}`);
  }
  if (objective >= 1) {
    throw new ObjectiveError(`the objective must be below 1: an objective of ${objective * 100}% leaves no error budget; use e.g. 0.999`);
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
export function occurrencesBudget(counts: EventCounts, objective: number, options: { noData: NoDataTreatment }): OccurrencesBudget {
  const rate = allowedErrorRate(objective);
  assertCounts(counts);
  const { good, bad } = applyNoData(counts, options.noData);
  const events = good + bad;
  const budget = rate * events;
  const remaining = budget - bad;
  if (events === 0) {
    return { method: "occurrences", objective, events, budget, consumed: bad, remaining, remainingFraction: null, reason: "no events in the window, so no budget yet" };
  }
  return { method: "occurrences", objective, events, budget, consumed: bad, remaining, remainingFraction: remaining / budget };
}

export interface TimeslicesBudget {
  method: "timeslices";
  objective: number;
  sliceMs: number;
  /** Slices in [from, to), with or without events. */
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
 * The timeslices budget of [from, to): events are grouped into slices of `sliceMs` starting at
 * `from` (slice k holds the events with from + k·sliceMs ≤ at < from + (k+1)·sliceMs) and each
 * slice is judged by its SLI under the same no-data treatment. Pass hourly rollups for hour
 * slices, or raw runs for finer ones.
 *
 * @example
 * timeslicesBudget(rollupEvents(hourly, { kind: "availability" }), 0.99, { from, to, noData: "excluded" })
 */
export function timeslicesBudget(
  events: readonly TimedEvents[],
  objective: number,
  options: { from: number; to: number; sliceMs?: number; noData: NoDataTreatment },
): TimeslicesBudget {
  const rate = allowedErrorRate(objective);
  const { from, to } = options;
  const sliceMs = options.sliceMs ?? HOUR_MS;
  if (!(Number.isFinite(from) && Number.isFinite(to))) throw new RangeError(`from and to must be times in epoch ms, got ${from} and ${to}`);
  if (!(Number.isFinite(sliceMs) && sliceMs > 0)) throw new RangeError(`sliceMs must be a positive duration, got ${sliceMs}`);
  const slices = Math.max(0, Math.ceil((to - from) / sliceMs));
  const sums = new Map<number, EventCounts>();
  for (const e of events) {
    if (!(e.at >= from && e.at < to)) continue;
    assertCounts(e);
    const k = Math.floor((e.at - from) / sliceMs);
    const s = sums.get(k) ?? { good: 0, bad: 0, noData: 0 };
    sums.set(k, { good: s.good + e.good, bad: s.bad + e.bad, noData: s.noData + (e.noData ?? 0) });
  }
  let goodSlices = 0;
  let badSlices = 0;
  for (const counts of sums.values()) {
    const value = sli(counts, { noData: options.noData }).value;
    if (value === null) continue;
    if (value >= objective) goodSlices++;
    else badSlices++;
  }
  const judged = goodSlices + badSlices;
  const budget = rate * judged;
  const remaining = budget - badSlices;
  const base = { method: "timeslices" as const, objective, sliceMs, slices, goodSlices, badSlices, emptySlices: slices - judged, budget, consumed: badSlices, remaining };
  if (judged === 0) return { ...base, remainingFraction: null, reason: "no slice in the window has events, so no budget yet" };
  return { ...base, remainingFraction: remaining / budget };
}
