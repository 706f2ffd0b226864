/** Budget exhaustion forecasts: exact times, and the two reasons there is none. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { occurrencesBudget } from "../../../src/slo/error-budget.ts";
import { badEventsPerHour, forecastExhaustion } from "../../../src/slo/forecast.ts";
import type { TimedEvents } from "../../../src/slo/sli.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.parse("2026-01-15T10:37:00Z");

describe("forecastExhaustion", () => {
  it("now + remaining / rate", () => {
    expect(forecastExhaustion({ remaining: 30, badPerHour: 4, now: NOW })).toEqual({ exhaustsAt: Date.parse("2026-01-15T18:07:00Z"), hoursLeft: 7.5 });
  });

  it("no forecast when the budget is already gone", () => {
    for (const remaining of [0, -2]) {
      expect(forecastExhaustion({ remaining, badPerHour: 4, now: NOW })).toEqual({
        exhaustsAt: null,
        hoursLeft: null,
        reason: "exhausted",
        message: `the error budget is already exhausted (${remaining} events left)`,
      });
    }
  });

  it("no forecast when nothing bad is happening", () => {
    expect(forecastExhaustion({ remaining: 30, badPerHour: 0, now: NOW })).toMatchObject({ exhaustsAt: null, hoursLeft: null, reason: "not-burning" });
  });

  it("an exhausted budget wins over a zero rate: it is gone, not safe", () => {
    expect(forecastExhaustion({ remaining: -1, badPerHour: 0, now: NOW })).toMatchObject({ reason: "exhausted" });
  });

  it("refuses rates and budgets that are not numbers", () => {
    expect(() => forecastExhaustion({ remaining: Number.NaN, badPerHour: 1, now: NOW })).toThrow(RangeError);
    expect(() => forecastExhaustion({ remaining: 1, badPerHour: -1, now: NOW })).toThrow(RangeError);
    expect(() => forecastExhaustion({ remaining: 1, badPerHour: Number.NaN, now: NOW })).toThrow(RangeError);
  });

  it("is later than now and earlier with a faster burn", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 1e6, noNaN: true }), fc.double({ min: 0.001, max: 1e4, noNaN: true }), (remaining, badPerHour) => {
        const slow = forecastExhaustion({ remaining, badPerHour, now: NOW });
        const fast = forecastExhaustion({ remaining, badPerHour: badPerHour * 2, now: NOW });
        expect(slow.exhaustsAt).not.toBeNull();
        expect(slow.exhaustsAt!).toBeGreaterThanOrEqual(NOW);
        expect(fast.exhaustsAt!).toBeLessThanOrEqual(slow.exhaustsAt!);
      }),
    );
  });
});

describe("badEventsPerHour", () => {
  it("raw runs: bad in [now − lookback, now) per hour", () => {
    // A failure every 10 minutes: 6 an hour.
    const runs: TimedEvents[] = Array.from({ length: 24 * 60 }, (_, m) => {
      const at = Date.parse("2026-01-14T11:00:00Z") + m * MINUTE;
      return { at, good: at % (10 * MINUTE) === 0 ? 0 : 1, bad: at % (10 * MINUTE) === 0 ? 1 : 0 };
    });
    expect(badEventsPerHour(runs, { now: NOW, lookbackMs: 6 * HOUR })).toBe(6);
    expect(badEventsPerHour(runs, { now: NOW, lookbackMs: HOUR })).toBe(6);
  });

  it("hourly buckets: divided by the span actually read (the oldest bucket whole)", () => {
    const buckets: TimedEvents[] = [
      { at: Date.parse("2026-01-15T09:00:00Z"), good: 50, bad: 10 },
      { at: Date.parse("2026-01-15T10:00:00Z"), good: 30, bad: 7 },
    ];
    // Span 09:00–10:37 = 97 minutes.
    expect(badEventsPerHour(buckets, { now: NOW, lookbackMs: HOUR, bucketMs: HOUR })).toBeCloseTo(17 / (97 / 60), 12);
  });

  it("from budget to forecast", () => {
    // 30 days at 99.9 %: 100 000 events, 40 bad: 60 bad left; 6 bad an hour → 10 hours.
    const budget = occurrencesBudget({ good: 99_960, bad: 40, noData: 0 }, 0.999, { noData: "excluded" });
    expect(budget.remaining).toBe(60);
    expect(forecastExhaustion({ remaining: budget.remaining, badPerHour: 6, now: NOW })).toEqual({ exhaustsAt: NOW + 10 * HOUR, hoursLeft: 10 });
  });
});
