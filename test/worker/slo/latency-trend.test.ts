/** Latency trend: Theil–Sen on exact and generated series, daily p95 from merged histograms, window edges. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dailyQuantiles, latencyTrend, median, theilSen } from "../../../src/slo/latency-trend.ts";
import type { Rollup } from "../../../src/storage/rollup-rows.ts";
import { rollup } from "./rollup-fixtures.ts";

const DAY = 86_400_000;
const TODAY = Date.parse("2026-01-15T00:00:00Z");
const NOW = TODAY + 10 * 3_600_000;

/** A daily rollup `daysAgo` days before today whose 100 samples are all `ms` (a bucket bound keeps p95 exact). */
function day(daysAgo: number, ms: number, region = "weur"): Rollup {
  return rollup({ grain: "day", bucketAt: TODAY - daysAgo * DAY, up: 100, samples: new Array<number>(100).fill(ms), region });
}

describe("median", () => {
  it("odd, even, empty", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

describe("theilSen", () => {
  it("the slope of a linear series is its slope", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -10_000, max: 10_000 }),
        fc.integer({ min: -400, max: 400 }).map((k) => k / 4), // exact in binary
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 30 }),
        (intercept, slope, xs) => {
          const line = theilSen(xs.map((x) => ({ x, y: intercept + slope * x })));
          expect(line).toEqual({ slope, intercept });
        },
      ),
    );
  });

  it("ignores an outlying day that would bend a least-squares line", () => {
    const points = [100, 103, 106, 109, 500].map((y, x) => ({ x, y }));
    expect(theilSen(points)).toEqual({ slope: 3, intercept: 100 });
  });

  it("null without two different x", () => {
    expect(theilSen([])).toBeNull();
    expect(theilSen([{ x: 1, y: 1 }])).toBeNull();
    expect(theilSen([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeNull();
  });
});

describe("dailyQuantiles", () => {
  it("merges the regions of a day before taking p95, and ignores hourly rows", () => {
    const rows = [
      rollup({ grain: "day", bucketAt: TODAY - DAY, up: 50, samples: new Array<number>(50).fill(256), region: "weur" }),
      rollup({ grain: "day", bucketAt: TODAY - DAY, up: 50, samples: new Array<number>(50).fill(1024), region: "apac" }),
      rollup({ grain: "hour", bucketAt: TODAY - DAY, up: 50, samples: new Array<number>(50).fill(8192) }),
    ];
    expect(dailyQuantiles(rows)).toEqual([{ day: TODAY - DAY, ms: 1024 }]);
    expect(dailyQuantiles(rows, 0.5)).toEqual([{ day: TODAY - DAY, ms: 256 }]);
  });

  it("skips days without latency (all down) or in the overflow bucket", () => {
    const rows = [rollup({ grain: "day", bucketAt: TODAY - 2 * DAY, down: 10 }), day(1, 200_000), day(3, 64)];
    expect(dailyQuantiles(rows)).toEqual([{ day: TODAY - 3 * DAY, ms: 64 }]);
  });
});

describe("latencyTrend", () => {
  it("doubling p95 each day: the median of pairwise slopes, relative to the median p95", () => {
    // 256, 512, 1024 ms: slopes 256, 384 (over two days), 512 → 384 ms/day; 384 × 7 / 512 = 5.25 a week.
    const trend = latencyTrend([day(3, 256), day(2, 512), day(1, 1024)], { now: NOW });
    expect(trend).toMatchObject({ slopeMsPerDay: 384, relativeChangePerWeek: 5.25, baselineMs: 512, from: TODAY - 14 * DAY, to: TODAY });
    expect(trend.points.map((p) => p.ms)).toEqual([256, 512, 1024]);
  });

  it("a flat series with one incident day has no trend", () => {
    const trend = latencyTrend([day(5, 256), day(4, 256), day(3, 256), day(2, 256), day(1, 131_072)], { now: NOW });
    expect(trend).toMatchObject({ slopeMsPerDay: 0, relativeChangePerWeek: 0, baselineMs: 256 });
  });

  it("a step up half way through the last 14 days: a positive slope; older days do not count", () => {
    // Days 28..15 ago are fast (64 ms), days 14..1 ago step from 128 to 256 ms half way.
    const rows = [
      ...Array.from({ length: 14 }, (_, i) => day(28 - i, 64)),
      ...Array.from({ length: 14 }, (_, i) => day(14 - i, i < 7 ? 128 : 256)),
    ];
    const trend = latencyTrend(rows, { now: NOW });
    expect(trend.points).toHaveLength(14);
    // Pairs across the step: 49 slopes of 128/(Δd) > 0; pairs within a half: 42 slopes of 0. The median of 91 is the 46th: > 0.
    // Sorted: 42 zeros, then 128/Δd for Δd from 13 down to 1; the 46th value is the 4th of those, 128/11 (Δd 11 occurs 3 times, 13 once, 12 twice).
    expect(trend.slopeMsPerDay).toBeCloseTo(128 / 11, 12);
    expect(trend.relativeChangePerWeek).toBeCloseTo(((128 / 11) * 7) / 192, 12);
  });

  it("today is left out, and so is anything older than the window", () => {
    const trend = latencyTrend([day(0, 8192), day(15, 8192), day(3, 256), day(2, 256), day(1, 256)], { now: NOW });
    expect(trend.points.map((p) => p.day)).toEqual([TODAY - 3 * DAY, TODAY - 2 * DAY, TODAY - DAY]);
    expect(trend.slopeMsPerDay).toBe(0);
  });

  it("fewer than 3 points: null with a reason", () => {
    expect(latencyTrend([day(2, 256), day(1, 512)], { now: NOW })).toEqual({
      slopeMsPerDay: null,
      relativeChangePerWeek: null,
      baselineMs: null,
      reason: "a trend needs at least 3 days with latency data in the last 14 days, found 2",
      points: [
        { day: TODAY - 2 * DAY, ms: 256 },
        { day: TODAY - DAY, ms: 512 },
      ],
      from: TODAY - 14 * DAY,
      to: TODAY,
    });
  });

  it("a custom number of days", () => {
    const rows = Array.from({ length: 10 }, (_, i) => day(10 - i, 2 ** (5 + (i % 3))));
    expect(latencyTrend(rows, { now: NOW, days: 2 }).slopeMsPerDay).toBeNull();
    expect(() => latencyTrend(rows, { now: NOW, days: 0 })).toThrow(RangeError);
  });
});
