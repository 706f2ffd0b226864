/** SLIs: exact values, both no-data treatments, and properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EventCounts, type NoDataTreatment, sli, sliBoth } from "../../../src/slo/sli.ts";

const arbCounts: fc.Arbitrary<EventCounts> = fc.record({
  good: fc.nat({ max: 1_000_000 }),
  bad: fc.nat({ max: 1_000_000 }),
  noData: fc.nat({ max: 1_000_000 }),
});
const arbTreatment = fc.constantFrom<NoDataTreatment>("excluded", "bad");

describe("sli", () => {
  it("excludes no-data or counts it as bad", () => {
    const counts = { good: 998, bad: 1, noData: 1 };
    expect(sli(counts, { noData: "excluded" })).toEqual({ value: 998 / 999 });
    expect(sli(counts, { noData: "bad" })).toEqual({ value: 0.998 });
    expect(sliBoth(counts)).toEqual({ excluded: { value: 998 / 999 }, noDataAsBad: { value: 0.998 } });
  });

  it("is null with a reason when there are no events, never NaN", () => {
    expect(sli({ good: 0, bad: 0, noData: 0 }, { noData: "excluded" })).toEqual({
      value: null,
      reason: "no runs were due in the window",
    });
    expect(sli({ good: 0, bad: 0, noData: 0 }, { noData: "bad" })).toEqual({
      value: null,
      reason: "no runs were due in the window",
    });
    expect(sli({ good: 0, bad: 0, noData: 5 }, { noData: "excluded" })).toEqual({
      value: null,
      reason: "no stored runs in the window: all 5 expected runs have no data",
    });
    // Counted as bad, five missing runs are five bad events.
    expect(sli({ good: 0, bad: 0, noData: 5 }, { noData: "bad" })).toEqual({ value: 0 });
  });

  it("refuses counts that are not counts", () => {
    expect(() => sli({ good: Number.NaN, bad: 0, noData: 0 }, { noData: "excluded" })).toThrow(RangeError);
    expect(() => sli({ good: 1, bad: -1, noData: 0 }, { noData: "excluded" })).toThrow(RangeError);
    expect(() => sli({ good: 1, bad: 0, noData: Number.POSITIVE_INFINITY }, { noData: "bad" })).toThrow(RangeError);
  });

  it("is always in [0, 1] or null", () => {
    fc.assert(
      fc.property(arbCounts, arbTreatment, (counts, noData) => {
        const { value } = sli(counts, { noData });
        if (value === null) expect(counts.good + counts.bad + (noData === "bad" ? counts.noData : 0)).toBe(0);
        else {
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it("never rises when a bad event (or, counted as bad, a no-data slot) is added", () => {
    fc.assert(
      fc.property(
        arbCounts,
        arbTreatment,
        fc.constantFrom("bad", "noData") as fc.Arbitrary<"bad" | "noData">,
        (counts, noData, field) => {
          const before = sli(counts, { noData }).value;
          const after = sli({ ...counts, [field]: counts[field] + 1 }, { noData }).value;
          if (before !== null && after !== null) expect(after).toBeLessThanOrEqual(before);
          if (field === "noData" && noData === "excluded") expect(after).toBe(before);
        },
      ),
    );
  });
});
