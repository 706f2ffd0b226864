/** SLIs: exact values, both no-data treatments, and properties against raw run outcomes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { availabilityCounts, type EventCounts, latencyCounts, type NoDataTreatment, rollupEvents, sli, sliBoth } from "../../../src/slo/sli.ts";
import { arbRuns, type RawRun, rollup, rollupsOf } from "./rollup-fixtures.ts";

const T0 = Date.parse("2026-01-15T00:00:00Z");
const HOUR = 3_600_000;

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
    expect(sli({ good: 0, bad: 0, noData: 0 }, { noData: "excluded" })).toEqual({ value: null, reason: "no runs were due in the window" });
    expect(sli({ good: 0, bad: 0, noData: 0 }, { noData: "bad" })).toEqual({ value: null, reason: "no runs were due in the window" });
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
      fc.property(arbCounts, arbTreatment, fc.constantFrom("bad", "noData") as fc.Arbitrary<"bad" | "noData">, (counts, noData, field) => {
        const before = sli(counts, { noData }).value;
        const after = sli({ ...counts, [field]: counts[field] + 1 }, { noData }).value;
        if (before !== null && after !== null) expect(after).toBeLessThanOrEqual(before);
        if (field === "noData" && noData === "excluded") expect(after).toBe(before);
      }),
    );
  });
});

describe("counts from rollups", () => {
  it("availability: degraded is good, down is bad, missing slots are no-data", () => {
    const rows = [rollup({ bucketAt: T0, up: 50, degraded: 5, down: 3 }), rollup({ bucketAt: T0 + HOUR, up: 58, down: 1 })];
    expect(availabilityCounts(rows, 120)).toEqual({ good: 113, bad: 4, noData: 3 });
    // More stored than expected (e.g. a schedule change) is no negative no-data.
    expect(availabilityCounts(rows, 100)).toEqual({ good: 113, bad: 4, noData: 0 });
  });

  it("latency: runs ≤ the threshold are good, other non-down runs bad, down runs left out", () => {
    const rows = [rollup({ bucketAt: T0, up: 3, degraded: 1, down: 2, samples: [100, 200, 256, 2000] })];
    // 256 is a bucket bound (2^8), so the answer is exact: 100, 200 and 256 are under.
    expect(latencyCounts(rows, 256, 8)).toEqual({ good: 3, bad: 1, noData: 2 });
    // 300 ms is not a bound: the bucket (256, 322.5] straddles it and counts as over.
    expect(latencyCounts([rollup({ bucketAt: T0, up: 2, samples: [257, 290] })], 300, 2)).toEqual({ good: 0, bad: 2, noData: 0 });
  });

  it("a non-down run missing from the histogram counts as slow", () => {
    expect(latencyCounts([rollup({ bucketAt: T0, up: 3, samples: [10, 10] })], 100, 3)).toEqual({ good: 2, bad: 1, noData: 0 });
  });

  it("rollup events carry each bucket's good and bad", () => {
    const rows = [rollup({ bucketAt: T0, up: 2, degraded: 1, down: 1, samples: [10, 10, 5000] })];
    expect(rollupEvents(rows, { kind: "availability" })).toEqual([{ at: T0, good: 3, bad: 1 }]);
    expect(rollupEvents(rows, { kind: "latency", underMs: 1024 })).toEqual([{ at: T0, good: 2, bad: 1 }]);
  });
});

function rawAvailability(runs: readonly RawRun[], expected: number): EventCounts {
  const good = runs.filter((r) => r.status !== "down").length;
  return { good, bad: runs.length - good, noData: Math.max(0, expected - runs.length) };
}

function rawLatency(runs: readonly RawRun[], underMs: number, expected: number): EventCounts {
  const timed = runs.filter((r) => r.status !== "down");
  const good = timed.filter((r) => r.durationMs <= underMs).length;
  return { good, bad: timed.length - good, noData: Math.max(0, expected - runs.length) };
}

describe("rollups against raw runs", () => {
  const minutes = 6 * 60;

  it("the availability SLI from hourly rollups equals the one recomputed from the runs", () => {
    fc.assert(
      fc.property(arbRuns(T0, minutes), fc.nat({ max: 2000 }), arbTreatment, (runs, expected, noData) => {
        const fromRollups = availabilityCounts(rollupsOf(runs, "hour"), expected);
        expect(fromRollups).toEqual(rawAvailability(runs, expected));
        expect(sli(fromRollups, { noData })).toEqual(sli(rawAvailability(runs, expected), { noData }));
      }),
    );
  });

  it("the latency SLI is exact at a power-of-two threshold and never better than the truth otherwise", () => {
    fc.assert(
      fc.property(arbRuns(T0, minutes), fc.integer({ min: 0, max: 17 }), fc.integer({ min: 1, max: 140_000 }), (runs, k, anyMs) => {
        const rows = rollupsOf(runs, "hour");
        const expected = runs.length + 7;
        expect(latencyCounts(rows, 2 ** k, expected)).toEqual(rawLatency(runs, 2 ** k, expected));
        const approx = latencyCounts(rows, anyMs, expected);
        const exact = rawLatency(runs, anyMs, expected);
        expect(approx.good + approx.bad).toBe(exact.good + exact.bad);
        expect(approx.good).toBeLessThanOrEqual(exact.good);
      }),
    );
  });

  it("the order of buckets changes nothing in the counts", () => {
    fc.assert(
      fc.property(
        arbRuns(T0, minutes).chain((runs) => {
          const rows = rollupsOf(runs, "hour");
          return fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length }));
        }),
        ([rows, shuffled]) => {
          expect(availabilityCounts(shuffled, 1000)).toEqual(availabilityCounts(rows, 1000));
          expect(latencyCounts(shuffled, 800, 1000)).toEqual(latencyCounts(rows, 800, 1000));
        },
      ),
    );
  });

});
