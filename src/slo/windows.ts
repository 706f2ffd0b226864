/**
 * SLO windows: which span of time an SLO is judged over, and which rollup rows cover that span
 * exactly once.
 *
 * Why windows start on an hour: the finest rollup is one (probe, region, hour) row, so an SLI
 * read from rollups can only start on an hour boundary. A rolling window of duration d at time
 * `now` is therefore
 *
 *     from = floorHour(now − d),  to = now
 *
 * i.e. it covers at least d and less than d + 1 h: the hour that holds `now − d` is taken whole
 * rather than dropped, so "the last hour" at 10:01 is 09:00–10:01 and not a one-minute sample.
 * The end is `now` itself: the current hour's rollup only holds runs up to now, so nothing after
 * `to` is counted. Because both ends line up with the rollups, expected runs counted over the
 * same [from, to) (coverage.ts expectedRunsPerRegion) match the stored runs slot for slot, and
 * no-data = expected − stored is exact.
 *
 * The calendar month is the UTC month holding `now`, from its first instant to now (already on
 * an hour boundary).
 *
 * Which grain serves which part (one rule for every window): whole UTC days inside [from, to)
 * come from daily rollups; the partial day at the start and the partial day at the end come
 * from hourly rollups. Every instant of [from, to) is served by exactly one grain, so nothing is
 * counted twice, the answer is exact to the hour, and a 90-day window reads about 90 daily rows
 * plus at most 46 hourly ones per (probe, region) instead of 2 160 hourly rows. Both tables are
 * kept 400 days (storage/retention.ts), so every window here can be served.
 */
import type { z } from "zod";
import type { SloSchema } from "../probe/schema.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";

/** "1h" | "24h" | "7d" | "30d" | "90d" | "month", as a probe's `slo.window` allows. */
export type SloWindow = z.infer<typeof SloSchema>["window"];

/** A half-open span of time [from, to), epoch ms. */
export interface Span {
  from: number;
  to: number;
}

/** Duration of each rolling window; the calendar month has none of its own (see windowLengthMs). */
export const ROLLING_WINDOW_MS: Readonly<Record<Exclude<SloWindow, "month">, number>> = Object.freeze({
  "1h": HOUR_MS,
  "24h": 24 * HOUR_MS,
  "7d": 7 * DAY_MS,
  "30d": 30 * DAY_MS,
  "90d": 90 * DAY_MS,
});

function floorTo(t: number, unit: number): number {
  return Math.floor(t / unit) * unit;
}

function ceilTo(t: number, unit: number): number {
  return Math.ceil(t / unit) * unit;
}

function assertTime(t: number, name: string): void {
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a time in epoch ms, got ${t}`);
}

function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * The span an SLO window covers at `now`.
 *
 * @example
 * resolveWindow("1h", Date.UTC(2026, 0, 15, 10, 37)) // { from: 09:00, to: 10:37 } (UTC)
 * resolveWindow("month", Date.UTC(2026, 0, 15, 10, 37)) // { from: Jan 1 00:00, to: 10:37 }
 */
export function resolveWindow(window: SloWindow, now: number): Span {
  assertTime(now, "now");
  if (window === "month") return { from: monthStart(now), to: now };
  return { from: floorTo(now - ROLLING_WINDOW_MS[window], HOUR_MS), to: now };
}

/**
 * The nominal length of a window, for turning a burn rate into a share of the budget
 * (share = burn rate × lookback / window length). The calendar month is its full length
 * (28 to 31 days), not the part elapsed so far, because the budget is for the whole month.
 */
export function windowLengthMs(window: SloWindow, now: number): number {
  assertTime(now, "now");
  if (window !== "month") return ROLLING_WINDOW_MS[window];
  const start = monthStart(now);
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - start;
}

/** Which part of [from, to) each grain serves; the spans are disjoint and their union is [from, to). */
export interface GrainPlan {
  /** The whole UTC days inside the span, served by daily rollups; null when there is none. */
  daily: Span | null;
  /** The rest, served by hourly rollups: the partial first and last day (0, 1 or 2 spans). */
  hourly: Span[];
}

/**
 * Splits [from, to) between the grains: daily = [ceilDay(from), floorDay(to)) when that holds at
 * least one whole day, hourly = what is left on either side. `from` must be on an hour boundary
 * (resolveWindow guarantees it); `to` may be `now`, inside the current hour.
 */
export function planGrains(from: number, to: number): GrainPlan {
  assertTime(from, "from");
  assertTime(to, "to");
  if (from % HOUR_MS !== 0) throw new RangeError(`from must be on an hour boundary (rollups start on one), got ${new Date(from).toISOString()}`);
  if (to <= from) return { daily: null, hourly: [] };
  const dayFrom = ceilTo(from, DAY_MS);
  const dayTo = floorTo(to, DAY_MS);
  if (dayTo - dayFrom < DAY_MS) return { daily: null, hourly: [{ from, to }] };
  const hourly: Span[] = [];
  if (from < dayFrom) hourly.push({ from, to: dayFrom });
  if (dayTo < to) hourly.push({ from: dayTo, to });
  return { daily: { from: dayFrom, to: dayTo }, hourly };
}

/** What selectRollups needs of a rollup: its key and its size. */
export type RollupKey = Pick<Rollup, "probeId" | "region" | "grain" | "bucketAt" | "total">;

function keyOf(r: RollupKey): string {
  return `${r.grain}|${r.bucketAt}|${r.probeId}|${r.region}`;
}

function startsIn(t: number, span: Span): boolean {
  return t >= span.from && t < span.to;
}

/**
 * From rollups of both grains, the non-overlapping set that covers [from, to) (see planGrains):
 * a daily rollup when its day lies in the daily span, an hourly rollup when its hour starts in
 * an hourly span. Everything else is dropped, in particular the hourly rows of days served by a
 * daily row, which would count the same runs twice.
 *
 * The choice is made by time, not by which rows happen to be present, so a missing row is no
 * data for that bucket rather than a reason to switch grains. A row read twice (same probe,
 * region, grain and bucket) is kept once: the key is the table's primary key, so two copies are
 * one bucket; if they differ, the larger total is the later snapshot of a counter that only
 * grows (equal totals are taken to be the same snapshot). The result is sorted by (bucket, grain, probe, region), so the input order never
 * matters.
 *
 * @example
 * const { from, to } = resolveWindow("30d", now);
 * const rows = selectRollups([...hourlyRows, ...dailyRows], from, to);
 */
export function selectRollups<T extends RollupKey>(rollups: readonly T[], from: number, to: number): T[] {
  const plan = planGrains(from, to);
  const kept = new Map<string, T>();
  for (const r of rollups) {
    const inPlan = r.grain === "day" ? plan.daily !== null && startsIn(r.bucketAt, plan.daily) : plan.hourly.some((s) => startsIn(r.bucketAt, s));
    if (!inPlan) continue;
    const key = keyOf(r);
    const seen = kept.get(key);
    if (seen === undefined || r.total > seen.total) kept.set(key, r);
  }
  return [...kept.values()].sort(
    (a, b) =>
      a.bucketAt - b.bucketAt ||
      (a.grain === b.grain ? 0 : a.grain === "hour" ? -1 : 1) ||
      (a.probeId < b.probeId ? -1 : a.probeId > b.probeId ? 1 : 0) ||
      (a.region < b.region ? -1 : a.region > b.region ? 1 : 0),
  );
}
