/**
 * When the error budget runs out if bad events keep arriving at the current rate:
 *
 *     exhaustsAt = now + remaining / badPerHour  (hours)
 *
 * `remaining` is the occurrences budget left (bad events, error-budget.ts); `badPerHour` is the
 * bad-event rate over the exact last 6 hours. No forecast when the window has no events at all
 * (no data: there is no budget yet), when the budget is already gone (remaining ≤ 0: it ran out,
 * there is nothing left to forecast) or when nothing bad is happening (rate 0: at this rate it
 * never runs out); each says which with a reason.
 *
 * It is a "nothing else changes" estimate. In a rolling window old bad events also leave the
 * window and the number of events grows the budget, so the real moment is usually later: the
 * forecast errs on the side of warning early.
 */
import { HOUR_MS } from "../time.ts";

export type ExhaustionForecast =
  | { exhaustsAt: number; hoursLeft: number }
  | { exhaustsAt: null; hoursLeft: null; reason: "exhausted" | "not-burning" | "no-data"; message: string };

/**
 * @example
 * forecastExhaustion({ events: 1000, remaining: 30, badPerHour: 4, now }) // { exhaustsAt: now + 7.5 h, hoursLeft: 7.5 }
 * forecastExhaustion({ events: 1000, remaining: -2, badPerHour: 4, now }) // { exhaustsAt: null, reason: "exhausted", ... }
 * forecastExhaustion({ events: 0, remaining: 0, badPerHour: 0, now })     // { exhaustsAt: null, reason: "no-data", ... }
 */
export function forecastExhaustion(input: {
  events: number;
  remaining: number;
  badPerHour: number;
  now: number;
}): ExhaustionForecast {
  const { events, remaining, badPerHour, now } = input;
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time in epoch ms, got ${now}`);
  if (Number.isNaN(remaining)) throw new RangeError("remaining must be a number of events, got NaN");
  if (!(Number.isFinite(badPerHour) && badPerHour >= 0))
    throw new RangeError(`badPerHour must be a finite rate ≥ 0, got ${badPerHour}`);
  if (events === 0) {
    return {
      exhaustsAt: null,
      hoursLeft: null,
      reason: "no-data",
      message: "no data in the window, so no budget to forecast yet",
    };
  }
  if (remaining <= 0) {
    return {
      exhaustsAt: null,
      hoursLeft: null,
      reason: "exhausted",
      message: `the error budget is already exhausted (${formatEvents(remaining)} events left)`,
    };
  }
  if (badPerHour === 0) {
    return {
      exhaustsAt: null,
      hoursLeft: null,
      reason: "not-burning",
      message: "no bad events in the recent lookback, so at this rate the budget never runs out",
    };
  }
  const hoursLeft = remaining / badPerHour;
  return { exhaustsAt: Math.round(now + hoursLeft * HOUR_MS), hoursLeft };
}

function formatEvents(n: number): string {
  return String(Number(n.toPrecision(6)));
}
