/** Error budgets: occurrences and timeslices with exact values, and objectives that leave no budget. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allowedErrorRate, assertObjective, ObjectiveError, occurrencesBudget, timeslicesBudget } from "../../../src/slo/error-budget.ts";
import type { TimedEvents } from "../../../src/slo/sli.ts";

const T0 = Date.parse("2026-01-15T00:00:00Z");
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe("objective", () => {
  it.each([1, 1.5, 0, -0.1, Number.NaN])("refuses %s with an ObjectiveError", (objective) => {
    expect(() => assertObjective(objective)).toThrow(ObjectiveError);
    expect(() => occurrencesBudget({ good: 1, bad: 0, noData: 0 }, objective, { noData: "excluded" })).toThrow(ObjectiveError);
    expect(() => timeslicesBudget([], objective, { from: T0, to: T0 + HOUR, noData: "excluded" })).toThrow(ObjectiveError);
  });

  it("says why 100% is refused", () => {
    expect(() => assertObjective(1)).toThrow("an objective of 100% leaves no error budget; use e.g. 0.999");
  });

  it("the allowed error rate has no binary noise", () => {
    expect(1 - 0.999).not.toBe(0.001);
    expect(allowedErrorRate(0.999)).toBe(0.001);
    expect(allowedErrorRate(0.99)).toBe(0.01);
    expect(allowedErrorRate(0.9995)).toBe(0.0005);
  });
});

describe("occurrences budget", () => {
  it("budget = (1 − objective) × events, consumed = bad", () => {
    expect(occurrencesBudget({ good: 99_950, bad: 50, noData: 100 }, 0.999, { noData: "excluded" })).toEqual({
      method: "occurrences",
      objective: 0.999,
      events: 100_000,
      budget: 100,
      consumed: 50,
      remaining: 50,
      remainingFraction: 0.5,
    });
  });

  it("no-data counted as bad can overspend: remaining goes negative", () => {
    const b = occurrencesBudget({ good: 99_950, bad: 50, noData: 100 }, 0.999, { noData: "bad" });
    expect(b.events).toBe(100_100);
    expect(b.budget).toBeCloseTo(100.1, 9);
    expect(b.consumed).toBe(150);
    expect(b.remaining).toBeCloseTo(-49.9, 9);
    expect(b.remainingFraction).toBeCloseTo(-49.9 / 100.1, 12);
  });

  it("no events: a zero budget and a null fraction with a reason, not NaN", () => {
    expect(occurrencesBudget({ good: 0, bad: 0, noData: 3 }, 0.99, { noData: "excluded" })).toEqual({
      method: "occurrences",
      objective: 0.99,
      events: 0,
      budget: 0,
      consumed: 0,
      remaining: 0,
      remainingFraction: null,
      reason: "no events in the window, so no budget yet",
    });
  });

  it("remaining + consumed = budget, and the fraction is never NaN", () => {
    fc.assert(
      fc.property(
        fc.record({ good: fc.nat({ max: 1e6 }), bad: fc.nat({ max: 1e6 }), noData: fc.nat({ max: 1e6 }) }),
        fc.double({ min: 0.5, max: 0.99999, noNaN: true }),
        fc.constantFrom("excluded", "bad") as fc.Arbitrary<"excluded" | "bad">,
        (counts, objective, noData) => {
          const b = occurrencesBudget(counts, objective, { noData });
          expect(b.remaining + b.consumed).toBeCloseTo(b.budget, 6);
          if (b.remainingFraction !== null) expect(Number.isFinite(b.remainingFraction)).toBe(true);
          expect(b.remainingFraction === null).toBe(b.events === 0);
        },
      ),
    );
  });
});

function hours(n: number, each: (i: number) => Omit<TimedEvents, "at"> | null): TimedEvents[] {
  const out: TimedEvents[] = [];
  for (let i = 0; i < n; i++) {
    const e = each(i);
    if (e !== null) out.push({ at: T0 + i * HOUR, ...e });
  }
  return out;
}

describe("timeslices budget", () => {
  it("an hour is good when its SLI ≥ objective; empty hours are left out", () => {
    // 24 hours: 20 clean, 2 at 59/60 (< 0.99, bad), 1 at exactly 0.99 (good), 1 without runs.
    const events = hours(24, (i) => (i === 5 || i === 6 ? { good: 59, bad: 1 } : i === 7 ? { good: 99, bad: 1 } : i === 20 ? null : { good: 60, bad: 0 }));
    const b = timeslicesBudget(events, 0.99, { from: T0, to: T0 + 24 * HOUR, noData: "excluded" });
    expect(b).toMatchObject({ method: "timeslices", sliceMs: HOUR, slices: 24, goodSlices: 21, badSlices: 2, emptySlices: 1, consumed: 2 });
    expect(b.budget).toBeCloseTo(0.23, 12);
    expect(b.remaining).toBeCloseTo(-1.77, 12);
    expect(b.remainingFraction).toBeCloseTo(-1.77 / 0.23, 12);
  });

  it("several buckets in one slice (regions, raw runs) are summed before judging", () => {
    // Two regions in the same hour: 30/30 and 28/30 → 58/60 < 0.99, one bad hour, not one bad and one good.
    const events: TimedEvents[] = [
      { at: T0, good: 30, bad: 0 },
      { at: T0, good: 28, bad: 2 },
    ];
    expect(timeslicesBudget(events, 0.99, { from: T0, to: T0 + HOUR, noData: "excluded" })).toMatchObject({ goodSlices: 0, badSlices: 1, emptySlices: 0 });
  });

  it("slices of 5 minutes from raw runs", () => {
    // One run a minute for an hour; the runs at minutes 10..14 all fail: one bad 5-minute slice.
    const runs: TimedEvents[] = Array.from({ length: 60 }, (_, m) => ({ at: T0 + m * MINUTE, good: m >= 10 && m < 15 ? 0 : 1, bad: m >= 10 && m < 15 ? 1 : 0 }));
    const b = timeslicesBudget(runs, 0.9, { from: T0, to: T0 + HOUR, sliceMs: 5 * MINUTE, noData: "excluded" });
    expect(b).toMatchObject({ slices: 12, goodSlices: 11, badSlices: 1, emptySlices: 0, consumed: 1 });
    expect(b.budget).toBeCloseTo(1.2, 12);
    expect(b.remaining).toBeCloseTo(0.2, 12);
  });

  it("no-data counted as bad makes a silent hour bad", () => {
    const events = hours(2, (i) => (i === 0 ? { good: 60, bad: 0 } : { good: 0, bad: 0, noData: 60 }));
    expect(timeslicesBudget(events, 0.99, { from: T0, to: T0 + 2 * HOUR, noData: "excluded" })).toMatchObject({ goodSlices: 1, badSlices: 0, emptySlices: 1 });
    expect(timeslicesBudget(events, 0.99, { from: T0, to: T0 + 2 * HOUR, noData: "bad" })).toMatchObject({ goodSlices: 1, badSlices: 1, emptySlices: 0 });
  });

  it("events outside [from, to) are ignored; a window without events has no budget", () => {
    const b = timeslicesBudget([{ at: T0 - 1, good: 0, bad: 10 }, { at: T0 + HOUR, good: 0, bad: 10 }], 0.99, { from: T0, to: T0 + HOUR, noData: "excluded" });
    expect(b).toMatchObject({ slices: 1, goodSlices: 0, badSlices: 0, emptySlices: 1, budget: 0, remainingFraction: null, reason: "no slice in the window has events, so no budget yet" });
  });
});
