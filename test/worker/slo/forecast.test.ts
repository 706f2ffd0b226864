/** Budget exhaustion forecasts: exact times, and the three reasons there is none. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { occurrencesBudget } from "../../../src/slo/error-budget.ts";
import { forecastExhaustion } from "../../../src/slo/forecast.ts";

const HOUR = 3_600_000;
const NOW = Date.parse("2026-01-15T10:37:00Z");

describe("forecastExhaustion", () => {
  it("now + remaining / rate", () => {
    expect(forecastExhaustion({ events: 1000, remaining: 30, badPerHour: 4, now: NOW })).toEqual({
      exhaustsAt: Date.parse("2026-01-15T18:07:00Z"),
      hoursLeft: 7.5,
    });
  });

  it("no forecast when the budget is already gone", () => {
    for (const remaining of [0, -2]) {
      expect(forecastExhaustion({ events: 1000, remaining, badPerHour: 4, now: NOW })).toEqual({
        exhaustsAt: null,
        hoursLeft: null,
        reason: "exhausted",
        message: `the error budget is already exhausted (${remaining} events left)`,
      });
    }
  });

  it("no forecast when nothing bad is happening", () => {
    expect(forecastExhaustion({ events: 1000, remaining: 30, badPerHour: 0, now: NOW })).toMatchObject({
      exhaustsAt: null,
      hoursLeft: null,
      reason: "not-burning",
    });
  });

  it("no data at all is no data, never exhausted", () => {
    expect(forecastExhaustion({ events: 0, remaining: 0, badPerHour: 0, now: NOW })).toEqual({
      exhaustsAt: null,
      hoursLeft: null,
      reason: "no-data",
      message: "no data in the window, so no budget to forecast yet",
    });
  });

  it("an exhausted budget wins over a zero rate: it is gone, not safe", () => {
    expect(forecastExhaustion({ events: 1000, remaining: -1, badPerHour: 0, now: NOW })).toMatchObject({
      reason: "exhausted",
    });
  });

  it("refuses rates and budgets that are not numbers", () => {
    expect(() => forecastExhaustion({ events: 1000, remaining: Number.NaN, badPerHour: 1, now: NOW })).toThrow(
      RangeError,
    );
    expect(() => forecastExhaustion({ events: 1000, remaining: 1, badPerHour: -1, now: NOW })).toThrow(RangeError);
    expect(() => forecastExhaustion({ events: 1000, remaining: 1, badPerHour: Number.NaN, now: NOW })).toThrow(
      RangeError,
    );
  });

  it("is later than now and earlier with a faster burn", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        fc.double({ min: 0.001, max: 1e4, noNaN: true }),
        (remaining, badPerHour) => {
          const slow = forecastExhaustion({ events: 1000, remaining, badPerHour, now: NOW });
          const fast = forecastExhaustion({ events: 1000, remaining, badPerHour: badPerHour * 2, now: NOW });
          expect(slow.exhaustsAt).not.toBeNull();
          expect(slow.exhaustsAt!).toBeGreaterThanOrEqual(NOW);
          expect(fast.exhaustsAt!).toBeLessThanOrEqual(slow.exhaustsAt!);
        },
      ),
    );
  });
});

describe("from budget to forecast", () => {
  it("from budget to forecast", () => {
    // 30 days at 99.9 %: 100 000 events, 40 bad: 60 bad left; 6 bad an hour → 10 hours.
    const budget = occurrencesBudget({ good: 99_960, bad: 40, noData: 0 }, 0.999, { noData: "excluded" });
    expect(budget.remaining).toBe(60);
    expect(forecastExhaustion({ events: 1000, remaining: budget.remaining, badPerHour: 6, now: NOW })).toEqual({
      exhaustsAt: NOW + 10 * HOUR,
      hoursLeft: 10,
    });
  });
});
