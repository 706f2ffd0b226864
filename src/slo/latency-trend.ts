/**
 * A leading indicator: is the journey getting slower, before it breaks the latency SLO?
 *
 * One point per complete UTC day: the day's p95, from the daily rollups of every region merged
 * (histograms add up). Today is left out because a partial day over-weights the hours seen so
 * far (a morning of light traffic is not a day).
 *
 * The trend is the Theil–Sen estimator: the median, over every pair of days i < j, of
 *
 *     (p95_j − p95_i) / (day_j − day_i)                       in ms per day
 *
 * Why Theil–Sen and not least squares: one bad day (an incident, a deploy rolled back) moves a
 * least-squares slope as much as it likes, but moves a median of pairwise slopes hardly at all;
 * it tolerates up to about 29 % of outlying points. With n points it looks at n(n−1)/2 pairs, 91
 * for the default 14 days.
 *
 *     relativeChangePerWeek = slope × 7 / median(p95)
 *
 * e.g. 0.1 is "p95 grows by 10 % of its typical value each week". The median is the baseline
 * because, like the slope, one outlying day barely moves it; p95 from the histogram is ≥ 1 ms,
 * so it is never 0.
 *
 * Days whose p95 is unknown (no non-down runs) or in the overflow bucket (over 131 s, Infinity)
 * are skipped: they have no finite value to fit. Fewer than 3 points give no trend (null with a
 * reason): two points make a line, not a trend.
 */
import { DAY_MS } from "../time.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { emptyHistogram, type Histogram, merge, quantile } from "./latency-histogram.ts";

export interface TrendPoint {
  /** Start of the UTC day, epoch ms. */
  day: number;
  /** The day's quantile (p95 by default) in ms, an upper bound within 26 % (latency-histogram.ts). */
  ms: number;
}

export interface Line {
  /** Change in y per unit of x. */
  slope: number;
  /** y at x = 0: the median of y − slope·x. */
  intercept: number;
}

/** The median; the mean of the two middle values for an even count; null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The Theil–Sen line through points: slope = median of the pairwise slopes over pairs with
 * different x, intercept = median of y − slope·x. Null when no two points have different x.
 *
 * @example
 * theilSen([{ x: 0, y: 100 }, { x: 1, y: 103 }, { x: 2, y: 106 }, { x: 3, y: 109 }, { x: 4, y: 500 }])
 * // { slope: 3, intercept: 100 }: the outlying last day does not bend the line
 */
export function theilSen(points: readonly { x: number; y: number }[]): Line | null {
  for (const p of points) {
    if (!(Number.isFinite(p.x) && Number.isFinite(p.y))) throw new RangeError(`theilSen: points must be finite, got (${p.x}, ${p.y})`);
  }
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i]!;
      const b = points[j]!;
      if (a.x !== b.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  const slope = median(slopes);
  if (slope === null) return null;
  const intercept = median(points.map((p) => p.y - slope * p.x))!;
  // + 0 turns a -0 (0 divided by a negative Δx) into 0.
  return { slope: slope + 0, intercept: intercept + 0 };
}

/**
 * One point per UTC day present in the daily rollups: the histograms of that day (every region)
 * merged, then the q-quantile. Hourly rollups are ignored, so passing both grains cannot count a
 * run twice. Days without a finite quantile are skipped (see the file comment). Sorted by day.
 */
export function dailyQuantiles(rollups: readonly Pick<Rollup, "grain" | "bucketAt" | "latency">[], q = 0.95): TrendPoint[] {
  const byDay = new Map<number, Histogram>();
  for (const r of rollups) {
    if (r.grain !== "day") continue;
    byDay.set(r.bucketAt, merge(byDay.get(r.bucketAt) ?? emptyHistogram(), r.latency));
  }
  const points: TrendPoint[] = [];
  for (const [day, h] of byDay) {
    const ms = quantile(h, q);
    if (ms !== null && Number.isFinite(ms)) points.push({ day, ms });
  }
  return points.sort((a, b) => a.day - b.day);
}

export type LatencyTrend =
  | {
      /** Theil–Sen slope of the daily quantile, ms per day. */
      slopeMsPerDay: number;
      /** slopeMsPerDay × 7 / baselineMs. */
      relativeChangePerWeek: number;
      /** Median of the daily quantiles. */
      baselineMs: number;
      points: TrendPoint[];
      from: number;
      to: number;
    }
  | { slopeMsPerDay: null; relativeChangePerWeek: null; baselineMs: null; reason: string; points: TrendPoint[]; from: number; to: number };

/**
 * The trend of the daily p95 over the `days` complete UTC days before the one holding `now`
 * ([from, to) = [startOfToday − days, startOfToday)).
 *
 * @example
 * latencyTrend(dailyRollups, { now }) // { slopeMsPerDay: 12.5, relativeChangePerWeek: 0.21, ... }
 */
export function latencyTrend(
  rollups: readonly Pick<Rollup, "grain" | "bucketAt" | "latency">[],
  options: { now: number; days?: number; quantile?: number },
): LatencyTrend {
  const days = options.days ?? 14;
  if (!Number.isFinite(options.now)) throw new RangeError(`now must be a time in epoch ms, got ${options.now}`);
  if (!(Number.isInteger(days) && days >= 1)) throw new RangeError(`days must be a whole number ≥ 1, got ${days}`);
  const to = Math.floor(options.now / DAY_MS) * DAY_MS;
  const from = to - days * DAY_MS;
  const points = dailyQuantiles(
    rollups.filter((r) => r.bucketAt >= from && r.bucketAt < to),
    options.quantile ?? 0.95,
  );
  if (points.length < 3) {
    return {
      slopeMsPerDay: null,
      relativeChangePerWeek: null,
      baselineMs: null,
      reason: `a trend needs at least 3 days with latency data in the last ${days} days, found ${points.length}`,
      points,
      from,
      to,
    };
  }
  const line = theilSen(points.map((p) => ({ x: p.day / DAY_MS, y: p.ms })))!;
  const baselineMs = median(points.map((p) => p.ms))!;
  return { slopeMsPerDay: line.slope, relativeChangePerWeek: (line.slope * 7) / baselineMs, baselineMs, points, from, to };
}
