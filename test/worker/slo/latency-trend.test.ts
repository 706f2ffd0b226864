/** Latency trend: Theil–Sen on exact and generated series, interpolated daily quantiles, a 10 %/week rise, confidence, window edges. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyHistogram, record, type Histogram } from "../../../src/slo/latency-histogram.ts";
import {
  dailyQuantiles,
  dayHistograms,
  latencyTrend,
  median,
  slopeConfidence,
  theilSen,
} from "../../../src/slo/latency-trend.ts";

const DAY = 86_400_000;
const TODAY = Date.parse("2026-01-15T00:00:00Z");
const NOW = TODAY + 10 * 3_600_000;

function histogramOf(samples: readonly number[]): Histogram {
  return samples.reduce<Histogram>((h, ms) => record(h, ms), emptyHistogram());
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
    expect(
      theilSen([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeNull();
  });
});

describe("dailyQuantiles", () => {
  it("merges the regions of a day before taking the quantile, interpolated inside the bucket", () => {
    const days = dayHistograms([
      { bucketAt: TODAY - DAY, latency: histogramOf(new Array<number>(50).fill(256)) },
      { bucketAt: TODAY - DAY, latency: histogramOf(new Array<number>(50).fill(1024)) },
    ]);
    expect(days).toHaveLength(1);
    const [p95] = dailyQuantiles(days);
    const [p50] = dailyQuantiles(days, 0.5);
    // p95 lies in the bucket (812.7, 1024]: rank 95 of 100 is the 45th of its 50 samples.
    expect(p95!.ms).toBeCloseTo(812.7493 + (1024 - 812.7493) * (45 / 50), 3);
    // The median is the last of the 256 ms samples: the top of its bucket.
    expect(p50!.ms).toBeCloseTo(256, 9);
  });

  it("skips days without latency (all down) or in the overflow bucket", () => {
    const days = [
      { day: TODAY - 2 * DAY, latency: emptyHistogram() },
      { day: TODAY - DAY, latency: histogramOf([200_000]) },
      { day: TODAY - 3 * DAY, latency: histogramOf([64]) },
    ];
    expect(dailyQuantiles(days).map((p) => p.day)).toEqual([TODAY - 3 * DAY]);
  });
});

/** A day `daysAgo` days before today: `n` samples spread evenly over [0.8 m, 1.2 m] around `m` ms. */
function spread(daysAgo: number, m: number, n = 400) {
  return {
    day: TODAY - daysAgo * DAY,
    latency: histogramOf(Array.from({ length: n }, (_, i) => m * (0.8 + (0.4 * (i + 0.5)) / n))),
  };
}

describe("latencyTrend", () => {
  it("sees a steady rise of 10 % a week, less than a bucket's width over the 14 days, and calls it significant", () => {
    const days = Array.from({ length: 14 }, (_, i) => spread(14 - i, 200 * 1.1 ** ((i - 13) / 7)));
    const trend = latencyTrend(days, { now: NOW });
    expect(trend.relativeChangePerWeek).not.toBeNull();
    expect(trend.relativeChangePerWeek!).toBeGreaterThan(0.07);
    expect(trend.relativeChangePerWeek!).toBeLessThan(0.13);
    expect(trend.confidence).toMatchObject({ level: 0.95, significant: true });
    expect(trend.confidence!.lowMsPerDay).toBeGreaterThan(0);
    // The median moves the same way.
    const median = latencyTrend(days, { now: NOW, quantile: 0.5 });
    expect(median.relativeChangePerWeek!).toBeGreaterThan(0.07);
    expect(median.relativeChangePerWeek!).toBeLessThan(0.13);
  });

  it("a flat series with one incident day has no trend, and it is not significant", () => {
    const trend = latencyTrend([spread(5, 300), spread(4, 300), spread(3, 300), spread(2, 300), spread(1, 90_000)], {
      now: NOW,
    });
    expect(trend).toMatchObject({ slopeMsPerDay: 0, relativeChangePerWeek: 0 });
    expect(trend.confidence!.significant).toBe(false);
  });

  it("today is left out, and so is anything older than the window", () => {
    const trend = latencyTrend([spread(0, 8000), spread(15, 8000), spread(3, 300), spread(2, 300), spread(1, 300)], {
      now: NOW,
    });
    expect(trend.points.map((p) => p.day)).toEqual([TODAY - 3 * DAY, TODAY - 2 * DAY, TODAY - DAY]);
    expect(trend.slopeMsPerDay).toBe(0);
  });

  it("fewer than 3 points: null with a reason", () => {
    expect(latencyTrend([spread(2, 256), spread(1, 512)], { now: NOW })).toMatchObject({
      quantile: 0.95,
      slopeMsPerDay: null,
      relativeChangePerWeek: null,
      baselineMs: null,
      confidence: null,
      reason: "a trend needs at least 3 days with latency data in the last 14 days, found 2",
      from: TODAY - 14 * DAY,
      to: TODAY,
    });
  });

  it("a custom number of days", () => {
    const days = Array.from({ length: 10 }, (_, i) => spread(10 - i, 2 ** (5 + (i % 3))));
    expect(latencyTrend(days, { now: NOW, days: 2 }).slopeMsPerDay).toBeNull();
    expect(() => latencyTrend(days, { now: NOW, days: 0 })).toThrow(RangeError);
  });
});

describe("slopeConfidence", () => {
  it("holds the true slope of noisy linear series about 95 % of the time", () => {
    let covered = 0;
    const runs = 200;
    for (let seed = 1; seed <= runs; seed++) {
      let state = seed;
      const noise = () => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state / 2 ** 32 - 0.5) * 20;
      };
      const ci = slopeConfidence(Array.from({ length: 14 }, (_, x) => ({ x, y: 100 + 2 * x + noise() })))!;
      if (ci.lowMsPerDay <= 2 && 2 <= ci.highMsPerDay) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.88);
  });
});
