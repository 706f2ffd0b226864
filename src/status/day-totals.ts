/**
 * Day totals: one UTC day of one probe with every region merged, which is what a segment of the
 * status page's 90-day bar shows. Pure: built from daily rollups, and packed into the
 * day_history table for the days that are closed (see storage/day-history-store.ts), so that
 * a page render reads one row per probe instead of one per (region, day).
 *
 * A day is "settled" once it ended SETTLE_MS ago: results that D1 refused are retried by the
 * region runners within minutes, so by then the day's rollups no longer move. A run stored even
 * later is still counted: every refresh rebuilds the whole 90 days, and there is one a day.
 */
import { BUCKET_BOUNDS_MS, BUCKET_COUNT, bucketIndex, emptyHistogram, quantile } from "../slo/latency-histogram.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";

export interface DayTotals {
  /** Start of the UTC day, epoch ms. */
  dayAt: number;
  /** Runs stored, maintenance runs included (their slots had a run: they are not "no data"). */
  total: number;
  up: number;
  degraded: number;
  down: number;
  /** Runs in a maintenance window excluded from SLOs: neither good nor bad. */
  maintenance: number;
  /** Median duration of the up and degraded runs (upper bound of its histogram bucket), null without one. */
  medianMs: number | null;
}

/** Days a history holds, ending with the settled day: the status page's 90-day bars. */
export const HISTORY_DAYS = 90;

/** How long after its end a day counts as closed for good. */
const SETTLE_MS = HOUR_MS;

/** The newest settled day (its start, epoch ms) at `now`. */
export function settledThrough(now: number): number {
  return Math.floor((now - SETTLE_MS) / DAY_MS) * DAY_MS - DAY_MS;
}

/**
 * The day totals of one probe's daily rollups with dayAt in [from, to): only days that have a
 * rollup, oldest first. Regions are merged by adding their counts and their histograms.
 */
export function dayTotalsFrom(daily: readonly Rollup[], from: number, to: number): DayTotals[] {
  const days = new Map<number, { totals: DayTotals; latency: number[] }>();
  for (const r of daily) {
    if (r.grain !== "day" || r.bucketAt < from || r.bucketAt >= to) continue;
    let day = days.get(r.bucketAt);
    if (!day) {
      day = {
        totals: { dayAt: r.bucketAt, total: 0, up: 0, degraded: 0, down: 0, maintenance: 0, medianMs: null },
        latency: emptyHistogram(),
      };
      days.set(r.bucketAt, day);
    }
    const t = day.totals;
    t.total += r.total;
    t.up += r.up;
    t.degraded += r.degraded;
    t.down += r.down;
    t.maintenance += r.maintenance ?? 0;
    for (let b = 0; b < BUCKET_COUNT; b++) day.latency[b]! += r.latency[b]!;
  }
  return [...days.values()]
    .map(({ totals, latency }) => ({ ...totals, medianMs: quantile(latency, 0.5) }))
    .sort((a, b) => a.dayAt - b.dayAt);
}

/** Up and degraded runs over the judged ones (maintenance runs left out); null without any. */
export function dayAvailability(d: Pick<DayTotals, "up" | "degraded" | "down">): number | null {
  const judged = d.up + d.degraded + d.down;
  return judged > 0 ? (d.up + d.degraded) / judged : null;
}

// ---------------------------------------------------------------- the stored form

/**
 * A probe's closed days as day_history keeps them: the regions they merge (a probe whose regions
 * changed needs a rebuild) and the days up to `throughDay` that have data.
 */
export interface DayHistory {
  probeId: string;
  /** The probe's regions, sorted and comma-joined: see regionsKey. */
  regions: string;
  /** Start of the newest day it covers; days after it come from the daily rollups. */
  throughDay: number;
  /** When it was built, epoch ms. */
  builtAt: number;
  days: DayTotals[];
}

export function regionsKey(regions: readonly string[]): string {
  return [...regions].sort().join(",");
}

/**
 * The `days` column: a JSON array with one entry per day that has data, oldest first, each
 * `[UTC day number, total, up, degraded, down, maintenance, median bucket or null]`: the day
 * number is dayAt / 86 400 000, and the median is the index of its latency-histogram bucket
 * (exact, and the overflow bucket's +Infinity has no JSON number). Arrays, not objects: 90 days
 * of 1,000 probes stay small.
 */
export function encodeDays(days: readonly DayTotals[]): string {
  return JSON.stringify(
    days.map((d) => [
      d.dayAt / DAY_MS,
      d.total,
      d.up,
      d.degraded,
      d.down,
      d.maintenance,
      d.medianMs === null ? null : bucketIndex(d.medianMs),
    ]),
  );
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Parses the `days` column; anything but what encodeDays writes is a bug and throws, naming it. */
export function decodeDays(text: string): DayTotals[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new TypeError(`day_history.days is not a JSON array: ${text.slice(0, 80)}`);
  const days: DayTotals[] = new Array(parsed.length);
  for (let i = 0; i < parsed.length; i++) {
    const entry: unknown = parsed[i];
    if (!Array.isArray(entry) || entry.length !== 7)
      throw new TypeError(`day_history.days[${i}] is not a 7-item array: ${JSON.stringify(entry)}`);
    const median: unknown = entry[6];
    for (let k = 0; k < 6; k++)
      if (!isCount(entry[k]))
        throw new TypeError(`day_history.days[${i}] has a value out of range: ${JSON.stringify(entry)}`);
    if (!(median === null || (isCount(median) && median < BUCKET_COUNT)))
      throw new TypeError(`day_history.days[${i}] has a value out of range: ${JSON.stringify(entry)}`);
    days[i] = {
      dayAt: entry[0] * DAY_MS,
      total: entry[1],
      up: entry[2],
      degraded: entry[3],
      down: entry[4],
      maintenance: entry[5],
      medianMs: median === null ? null : BUCKET_BOUNDS_MS[median]!,
    };
  }
  return days;
}

// ---------------------------------------------------------------- reading and refreshing

/**
 * The days of [from, to) of one probe: its history's days up to throughDay when the history
 * merges the probe's current regions, and the totals of the daily rollups for the days after
 * (all of them when there is no usable history). The same answer as dayTotalsFrom over every
 * daily rollup, as long as the history is up to date.
 */
export function mergeDays(
  history: DayHistory | undefined,
  regions: readonly string[],
  daily: readonly Rollup[],
  from: number,
  to: number,
): DayTotals[] {
  if (!history || history.regions !== regionsKey(regions)) return dayTotalsFrom(daily, from, to);
  const kept = history.days.filter((d) => d.dayAt >= from && d.dayAt <= history.throughDay && d.dayAt < to);
  return [...kept, ...dayTotalsFrom(daily, Math.max(from, history.throughDay + DAY_MS), to)];
}

/**
 * The probes whose history should be rebuilt at `now`, most urgent first: those without one,
 * then those whose regions changed, then the ones furthest behind the settled day.
 */
export function staleHistories(
  probes: readonly { probeId: string; regions: readonly string[] }[],
  stored: ReadonlyMap<string, { regions: string; throughDay: number }>,
  now: number,
): string[] {
  const settled = settledThrough(now);
  const rank = (p: { probeId: string; regions: readonly string[] }): number | null => {
    const h = stored.get(p.probeId);
    if (!h) return Number.NEGATIVE_INFINITY;
    if (h.regions !== regionsKey(p.regions)) return Number.MIN_SAFE_INTEGER;
    return h.throughDay < settled ? h.throughDay : null;
  };
  return probes
    .flatMap((p) => {
      const r = rank(p);
      return r === null ? [] : [{ id: p.probeId, r }];
    })
    .sort((a, b) => a.r - b.r || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((p) => p.id);
}
