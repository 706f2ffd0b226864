/** Error budgets: occurrences and timeslices with exact values, and objectives that leave no budget. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  allowedErrorRate,
  assertObjective,
  budgetMinutes,
  ObjectiveError,
  occurrencesBudget,
  timeslicesBudget,
} from "../../../src/slo/error-budget.ts";
import type { EventCounts } from "../../../src/slo/sli.ts";

const HOUR = 3_600_000;

describe("objective", () => {
  it.each([1, 1.5, 0, -0.1, Number.NaN])("refuses %s with an ObjectiveError", (objective) => {
    expect(() => assertObjective(objective)).toThrow(ObjectiveError);
    expect(() => occurrencesBudget({ good: 1, bad: 0, noData: 0 }, objective, { noData: "excluded" })).toThrow(
      ObjectiveError,
    );
    expect(() => timeslicesBudget([], objective, { sliceMs: HOUR, noData: "excluded" })).toThrow(ObjectiveError);
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

describe("timeslices budget", () => {
  const clean = { good: 60, bad: 0, noData: 0 };
  it("a slice is good when its SLI ≥ the target (the objective by default); empty slices are left out", () => {
    // 24 hours: 20 clean, 2 at 59/60 (< 0.99, bad), 1 at exactly 0.99 (good), 1 without runs.
    const slices: EventCounts[] = Array.from({ length: 24 }, (_, i) =>
      i === 5 || i === 6
        ? { good: 59, bad: 1, noData: 0 }
        : i === 7
          ? { good: 99, bad: 1, noData: 0 }
          : i === 20
            ? { good: 0, bad: 0, noData: 0 }
            : clean,
    );
    const b = timeslicesBudget(slices, 0.99, { sliceMs: HOUR, noData: "excluded" });
    expect(b).toMatchObject({
      method: "timeslices",
      sliceMs: HOUR,
      sliceTarget: 0.99,
      slices: 24,
      goodSlices: 21,
      badSlices: 2,
      emptySlices: 1,
      consumed: 2,
    });
    expect(b.budget).toBeCloseTo(0.23, 12);
    expect(b.remaining).toBeCloseTo(-1.77, 12);
    expect(b.remainingFraction).toBeCloseTo(-1.77 / 0.23, 12);
  });

  it("a slice target apart from the objective (OpenSLO timeSliceTarget)", () => {
    // Slices at 95 %: good against a 0.9 target, bad against the 0.99 objective.
    const slices: EventCounts[] = [{ good: 95, bad: 5, noData: 0 }, clean, clean, clean];
    expect(timeslicesBudget(slices, 0.99, { sliceMs: HOUR, noData: "excluded" })).toMatchObject({
      goodSlices: 3,
      badSlices: 1,
    });
    expect(timeslicesBudget(slices, 0.99, { sliceMs: HOUR, target: 0.9, noData: "excluded" })).toMatchObject({
      sliceTarget: 0.9,
      goodSlices: 4,
      badSlices: 0,
    });
  });

  it("no-data counted as bad makes a silent slice bad", () => {
    const slices: EventCounts[] = [clean, { good: 0, bad: 0, noData: 60 }];
    expect(timeslicesBudget(slices, 0.99, { sliceMs: HOUR, noData: "excluded" })).toMatchObject({
      goodSlices: 1,
      badSlices: 0,
      emptySlices: 1,
    });
    expect(timeslicesBudget(slices, 0.99, { sliceMs: HOUR, noData: "bad" })).toMatchObject({
      goodSlices: 1,
      badSlices: 1,
      emptySlices: 0,
    });
  });

  it("a window without events has no budget", () => {
    expect(
      timeslicesBudget([{ good: 0, bad: 0, noData: 0 }], 0.99, { sliceMs: HOUR, noData: "excluded" }),
    ).toMatchObject({
      slices: 1,
      goodSlices: 0,
      badSlices: 0,
      emptySlices: 1,
      budget: 0,
      remainingFraction: null,
      reason: "no slice in the window has events, so no budget yet",
    });
  });
});

describe("budget in minutes", () => {
  it("99.9 % over 30 days allows 43.2 minutes; the share left is the same in minutes", () => {
    const b = occurrencesBudget({ good: 99_975, bad: 25, noData: 0 }, 0.999, { noData: "excluded" });
    const minutes = budgetMinutes(b, 0.999, 30 * 24 * HOUR);
    expect(minutes.allowed).toBeCloseTo(43.2, 9);
    expect(minutes.consumed).toBeCloseTo(10.8, 9);
    expect(minutes.remaining).toBeCloseTo(32.4, 9);
    expect(
      budgetMinutes(occurrencesBudget({ good: 0, bad: 0, noData: 0 }, 0.999, { noData: "excluded" }), 0.999, HOUR),
    ).toEqual({ allowed: 0.06, consumed: null, remaining: null });
  });
});
