/**
 * When the error budget runs out if bad events keep arriving at the current rate:
 *
 *     exhaustsAt = now + remaining / badPerHour  (hours)
 *
 * `remaining` is the occurrences budget left (bad events, error-budget.ts); `badPerHour` is the
 * bad-event rate over a recent lookback (badEventsPerHour). No forecast when the budget is
 * already gone (remaining ≤ 0: it ran out, there is nothing left to forecast) or when nothing bad
 * is happening (rate 0: at this rate it never runs out); each says which with a reason.
 *
 * It is a "nothing else changes" estimate. In a rolling window old bad events also leave the
 * window and the number of events grows the budget, so the real moment is usually later: the
 * forecast errs on the side of warning early.
 */
import { HOUR_MS } from "../time.ts";
import { assertCounts, countsIn, type TimedEvents } from "./sli.ts";
import { lookbackSpan } from "./burn-rate.ts";

export type ExhaustionForecast =
  | { exhaustsAt: number; hoursLeft: number }
  | { exhaustsAt: null; hoursLeft: null; reason: "exhausted" | "not-burning"; message: string };

/**
 * @example
 * forecastExhaustion({ remaining: 30, badPerHour: 4, now }) // { exhaustsAt: now + 7.5 h, hoursLeft: 7.5 }
 * forecastExhaustion({ remaining: -2, badPerHour: 4, now }) // { exhaustsAt: null, reason: "exhausted", ... }
 */
export function forecastExhaustion(input: { remaining: number; badPerHour: number; now: number }): ExhaustionForecast {
  const { remaining, badPerHour, now } = input;
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time in epoch ms, got ${now}`);
  if (Number.isNaN(remaining)) throw new RangeError("remaining must be a number of events, got NaN");
  if (!(Number.isFinite(badPerHour) && badPerHour >= 0)) throw new RangeError(`badPerHour must be a finite rate ≥ 0, got ${badPerHour}`);
  if (remaining <= 0) {
    return { exhaustsAt: null, hoursLeft: null, reason: "exhausted", message: `the error budget is already exhausted (${remaining} events left)` };
  }
  if (badPerHour === 0) {
    return { exhaustsAt: null, hoursLeft: null, reason: "not-burning", message: "no bad events in the recent lookback, so at this rate the budget never runs out" };
  }
  const hoursLeft = remaining / badPerHour;
  return { exhaustsAt: Math.round(now + hoursLeft * HOUR_MS), hoursLeft };
}

/**
 * Bad events per hour over the events in lookbackSpan(now, lookbackMs, bucketMs): bad divided
 * by the span's length in hours (the span, not the lookback, since whole rollup buckets may make
 * it longer). No-data is not counted; fold it into `bad` first to burn it as bad.
 *
 * @example
 * badEventsPerHour(rollupEvents(hourly, { kind: "availability" }), { now, lookbackMs: 6 * HOUR_MS, bucketMs: HOUR_MS })
 */
export function badEventsPerHour(events: readonly TimedEvents[], options: { now: number; lookbackMs: number; bucketMs?: number }): number {
  const span = lookbackSpan(options.now, options.lookbackMs, options.bucketMs);
  const counts = countsIn(events, span.from, span.to);
  assertCounts(counts);
  return counts.bad / ((span.to - span.from) / HOUR_MS);
}
