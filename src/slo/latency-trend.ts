/**
 * A leading indicator: is the journey getting slower, before it breaks the latency SLO?
 *
 * One point per complete UTC day: the day's p95 (and, as a second trend, its median), from the
 * daily rollups of every region merged (histograms add up), interpolated inside the bucket so a
 * rise of 10 % a week, less than a bucket's width over two weeks, still moves the points. Today
 * is left out because a partial day over-weights the hours seen so far.
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
 * reason): two points make a line, not a trend. The slope comes with Sen's 95 % confidence
 * interval; a trend whose interval holds 0 is reported, but not as significant.
 */
import { DAY_MS } from "../time.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { emptyHistogram, type Histogram, interpolatedQuantile } from "./latency-histogram.ts";

interface TrendPoint {
  /** Start of the UTC day, epoch ms. */
  day: number;
  /** The day's quantile (p95 by default) in ms, interpolated inside its bucket (within 26 %, latency-histogram.ts). */
  ms: number;
}

interface Line {
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
    if (!(Number.isFinite(p.x) && Number.isFinite(p.y)))
      throw new RangeError(`theilSen: points must be finite, got (${p.x}, ${p.y})`);
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

/** A day's latency histogram (every region merged). */
interface DayHistogram {
  /** Start of the UTC day, epoch ms. */
  day: number;
  latency: Histogram;
}

/** Histograms of daily rollups, summed per UTC day (every region). */
export function dayHistograms(rollups: readonly Pick<Rollup, "bucketAt" | "latency">[]): DayHistogram[] {
  const byDay = new Map<number, Histogram>();
  for (const r of rollups) {
    let day = byDay.get(r.bucketAt);
    if (!day) {
      day = emptyHistogram();
      byDay.set(r.bucketAt, day);
    }
    // In place: a fleet's report adds a histogram per pair and day.
    for (let i = 0; i < day.length; i++) day[i]! += r.latency[i]!;
  }
  return [...byDay].map(([day, latency]) => ({ day, latency })).sort((a, b) => a.day - b.day);
}

/**
 * One point per day: the day's q-quantile, interpolated inside its bucket so that a shift smaller
 * than a bucket shows (latency-histogram.ts interpolatedQuantile). Days without a finite
 * quantile are skipped (see the file comment). Sorted by day.
 */
export function dailyQuantiles(days: readonly DayHistogram[], q = 0.95): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const { day, latency } of days) {
    const ms = interpolatedQuantile(latency, q);
    if (ms !== null && Number.isFinite(ms)) points.push({ day, ms });
  }
  return points.sort((a, b) => a.day - b.day);
}

/** The confidence interval of a Theil–Sen slope (Sen 1968), at a two-sided level. */
interface SlopeConfidence {
  level: number;
  lowMsPerDay: number;
  highMsPerDay: number;
  /** The interval leaves out 0: the trend is unlikely to be noise. */
  significant: boolean;
}

/** z of the two-sided 95 % level. */
const Z_95 = 1.959963984540054;

/**
 * Sen's interval for the slope: with N pairwise slopes sorted and C = z·√(n(n−1)(2n+5)/18) (the
 * standard deviation of Kendall's S, no ties), the bounds are the slopes of rank (N − C)/2 and
 * (N + C)/2 + 1, rounded outwards and clamped to the slopes there are.
 */
export function slopeConfidence(points: readonly { x: number; y: number }[]): SlopeConfidence | null {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++)
      if (points[i]!.x !== points[j]!.x) slopes.push((points[j]!.y - points[i]!.y) / (points[j]!.x - points[i]!.x));
  if (slopes.length === 0) return null;
  slopes.sort((a, b) => a - b);
  const n = points.length;
  const spread = Z_95 * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const low = slopes[Math.max(0, Math.floor((slopes.length - spread) / 2) - 1)]!;
  const high = slopes[Math.min(slopes.length - 1, Math.ceil((slopes.length + spread) / 2))]!;
  return { level: 0.95, lowMsPerDay: low + 0, highMsPerDay: high + 0, significant: low > 0 || high < 0 };
}

export type LatencyTrend =
  | {
      /** The quantile the points are (0.95: p95, 0.5: the median). */
      quantile: number;
      /** Theil–Sen slope of the daily quantile, ms per day. */
      slopeMsPerDay: number;
      /** slopeMsPerDay × 7 / baselineMs. */
      relativeChangePerWeek: number;
      /** Median of the daily quantiles. */
      baselineMs: number;
      confidence: SlopeConfidence | null;
      points: TrendPoint[];
      from: number;
      to: number;
    }
  | {
      quantile: number;
      slopeMsPerDay: null;
      relativeChangePerWeek: null;
      baselineMs: null;
      confidence: null;
      reason: string;
      points: TrendPoint[];
      from: number;
      to: number;
    };

/**
 * The trend of a daily quantile (p95 by default) over the `days` complete UTC days before the one
 * holding `now` ([from, to) = [startOfToday − days, startOfToday)).
 *
 * @example
 * latencyTrend(dayHistograms(dailyRollups), { now }) // { slopeMsPerDay: 12.5, relativeChangePerWeek: 0.21, ... }
 */
export function latencyTrend(
  days: readonly DayHistogram[],
  options: { now: number; days?: number; quantile?: number },
): LatencyTrend {
  const count = options.days ?? 14;
  const q = options.quantile ?? 0.95;
  if (!Number.isFinite(options.now)) throw new RangeError(`now must be a time in epoch ms, got ${options.now}`);
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`days must be a whole number ≥ 1, got ${count}`);
  const to = Math.floor(options.now / DAY_MS) * DAY_MS;
  const from = to - count * DAY_MS;
  const points = dailyQuantiles(
    days.filter((d) => d.day >= from && d.day < to),
    q,
  );
  if (points.length < 3) {
    return {
      quantile: q,
      slopeMsPerDay: null,
      relativeChangePerWeek: null,
      baselineMs: null,
      confidence: null,
      reason: `a trend needs at least 3 days with latency data in the last ${count} days, found ${points.length}`,
      points,
      from,
      to,
    };
  }
  const xy = points.map((p) => ({ x: p.day / DAY_MS, y: p.ms }));
  const line = theilSen(xy)!;
  const baselineMs = median(points.map((p) => p.ms))!;
  return {
    quantile: q,
    slopeMsPerDay: line.slope,
    relativeChangePerWeek: (line.slope * 7) / baselineMs,
    baselineMs,
    confidence: slopeConfidence(xy),
    points,
    from,
    to,
  };
}
