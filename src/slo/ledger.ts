/**
 * What happened to a probe over any span of time [from, to), counted exactly from what is stored:
 * the minute entries of single runs (within raw retention), hourly rollups and daily rollups.
 *
 * Every SLO figure (the SLI of the window, each burn-rate lookback, the forecast, timeslices, the
 * daily burn-down) is a tally over a span. A span is cut into
 *
 *     head   [from, ceilHour(from))   minute entries of that hour, run by run
 *     body   [ceilHour(from), floorHour(to))   whole UTC days from daily rollups where loaded,
 *                                               the other whole hours from hourly rollups
 *     tail   [floorHour(to), to)      minute entries of that hour, run by run
 *
 * so every instant is served by exactly one grain (nothing is counted twice) and both ends are
 * exact to the run's slot. When the head's hour is past raw retention (a 30- or 90-day window), no
 * single run of it is left: the span then starts at the next hour, and the tally says so
 * (`from` is the start actually counted, `exactFrom` false).
 *
 * Expected runs count from the later of the span's start and the pair's first stored run, so a
 * probe added an hour ago is not charged for the month before it. A pair that never stored a run
 * counts from its probe's first run in any region, and from the span's start when the probe has
 * none at all: a probe that never ran is no data, not "no runs were due".
 *
 * Pure: the loader (queries/slo.ts) reads the rows, this counts.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { MinuteEntry } from "../storage/minute-entries.ts";
import type { Rollup } from "../storage/rollup-rows.ts";
import { ceilTo, DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from "../time.ts";
import { expectedRunsPerRegion } from "./coverage.ts";
import { BUCKET_BOUNDS_MS, bucketIndex, emptyHistogram, shareUnder, type Histogram } from "./latency-histogram.ts";
import type { EventCounts } from "./sli.ts";
import type { Span } from "./windows.ts";

/** What was loaded for a probe: which hours have minute entries, which spans have rollups. */
export interface LoadedSpans {
  /** Hours (epoch ms of their start) whose minute entries were read. */
  minuteHours: ReadonlySet<number>;
  /** Minute entries exist from this hour on (raw retention); older hours have none left. */
  minuteFrom: number;
  /** Spans whose hourly rollups were read (each hour starting inside one). */
  hourSpans: readonly Span[];
  /** The whole UTC days whose daily rollups were read; null for none. */
  daySpan: Span | null;
}

/** One (probe, region): its first run and the rows read for it. */
export interface PairHistory {
  region: string;
  /** Slot of the pair's first stored run; null when it has none. */
  firstRunAt: number | null;
  /** Minute entries by hour start, for the hours in LoadedSpans.minuteHours that had any; a down run with the step it failed at. */
  minutes: ReadonlyMap<number, readonly (MinuteEntry & { failedStep?: string })[]>;
  hours: ReadonlyMap<number, Rollup>;
  days: ReadonlyMap<number, Rollup>;
}

export interface ProbeHistory {
  probe: LoadedProbe;
  loaded: LoadedSpans;
  pairs: readonly PairHistory[];
}

/** Counts of a span, before any SLI rule judges them. */
export interface Tally {
  /** Runs due in the span (from the first run on), over every pair. */
  expected: number;
  /** Runs stored in the span, any outcome. */
  stored: number;
  /** Due runs with nothing stored: max(0, expected − stored), per pair. */
  missing: number;
  /** Runs in a maintenance window excluded from SLOs: neither good, bad nor no data. */
  maintenance: number;
  /** Down runs that failed on the monitoring side (class `probe`): no data, not downtime. */
  monitoring: number;
  up: number;
  degraded: number;
  /** Down runs on the target's side. */
  down: number;
  /** Up and degraded runs that took at most the latency threshold. */
  latencyGood: number;
  /** Up and degraded runs whose latency was judged from a histogram (counted under another threshold). */
  latencyEstimated: number;
  /**
   * Up and degraded runs whose histogram bucket lies at or under the threshold: every run judged
   * the histogram's way (conservatively), so a rule whose lookbacks would otherwise mix exact and
   * estimated counts can judge both the same way.
   */
  latencyGoodByBucket: number;
  /** The latency histogram of the up and degraded runs; empty (length 0) unless asked for (tallySpan's `histogram`). */
  latency: Histogram;
  stepFailures: Record<string, number>;
  /** The start actually counted: later than the span's when its first hour is past raw retention. */
  from: number;
  exactFrom: boolean;
}

export function emptyTally(from: number, histogram = true): Tally {
  return {
    expected: 0,
    stored: 0,
    missing: 0,
    maintenance: 0,
    monitoring: 0,
    up: 0,
    degraded: 0,
    down: 0,
    latencyGood: 0,
    latencyEstimated: 0,
    latencyGoodByBucket: 0,
    latency: histogram ? emptyHistogram() : [],
    stepFailures: {},
    from,
    exactFrom: true,
  };
}

/** Two tallies together (counts added; the later start and the weaker exactness kept). Both made with the same `histogram` choice. */
export function addTallies(a: Tally, b: Tally): Tally {
  const sum: Tally = { ...a, latency: a.latency.slice(), stepFailures: { ...a.stepFailures } };
  addInto(sum, b);
  return sum;
}

/** Adds `b` into `into`, in place. */
function addInto(into: Tally, b: Tally): void {
  into.expected += b.expected;
  into.stored += b.stored;
  into.missing += b.missing;
  into.maintenance += b.maintenance;
  into.monitoring += b.monitoring;
  into.up += b.up;
  into.degraded += b.degraded;
  into.down += b.down;
  into.latencyGood += b.latencyGood;
  into.latencyEstimated += b.latencyEstimated;
  into.latencyGoodByBucket += b.latencyGoodByBucket;
  for (let i = 0; i < into.latency.length && i < b.latency.length; i++) into.latency[i]! += b.latency[i]!;
  for (const step in b.stepFailures) into.stepFailures[step] = (into.stepFailures[step] ?? 0) + b.stepFailures[step]!;
  into.from = Math.max(into.from, b.from);
  into.exactFrom &&= b.exactFrom;
}

function addEntry(into: Tally, e: MinuteEntry & { failedStep?: string }, thresholdMs: number | undefined): void {
  into.stored++;
  if (e.inMaintenance) {
    into.maintenance++;
    return;
  }
  // As a block counts them: every down run outside maintenance, monitoring-side ones included.
  if (e.failedStep !== undefined) into.stepFailures[e.failedStep] = (into.stepFailures[e.failedStep] ?? 0) + 1;
  if (e.monitoringSide) {
    into.monitoring++;
    return;
  }
  into[e.status]++;
  if (e.status === "down" || (thresholdMs === undefined && into.latency.length === 0)) return;
  const bucket = bucketIndex(e.durationMs);
  if (into.latency.length > 0) into.latency[bucket]! += 1;
  if (thresholdMs === undefined) return;
  if (e.durationMs <= thresholdMs) into.latencyGood++;
  if (BUCKET_BOUNDS_MS[bucket]! <= thresholdMs) into.latencyGoodByBucket++;
}

function addRollup(into: Tally, r: Rollup, thresholdMs: number | undefined): void {
  const monitoring = r.monitoring ?? 0;
  into.stored += r.total;
  into.maintenance += r.maintenance ?? 0;
  into.monitoring += monitoring;
  into.up += r.up;
  into.degraded += r.degraded;
  into.down += r.down - monitoring;
  // In place: a report adds thousands of rollups, and a new array each time would dominate it.
  for (let i = 0; i < into.latency.length; i++) into.latency[i]! += r.latency[i]!;
  for (const step in r.stepFailures) into.stepFailures[step] = (into.stepFailures[step] ?? 0) + r.stepFailures[step]!;
  if (thresholdMs === undefined) return;
  const latencyRuns = r.up + r.degraded;
  const byBucket = Math.min(latencyRuns, shareUnder(r.latency, thresholdMs)?.under ?? 0);
  into.latencyGoodByBucket += byBucket;
  if (r.latencyUnder && r.latencyUnder.thresholdMs === thresholdMs) {
    into.latencyGood += Math.min(latencyRuns, r.latencyUnder.good);
    return;
  }
  // Counted under another threshold (or before thresholds were counted): from the histogram,
  // conservatively (latency-histogram.ts shareUnder), and said so.
  into.latencyGood += byBucket;
  into.latencyEstimated += latencyRuns;
}

function covers(spans: readonly Span[], t: number): boolean {
  for (const s of spans) if (t >= s.from && t < s.to) return true;
  return false;
}

/** Thrown when a span needs rows the loader did not read: a bug in the loader, never a user's. */
export class NotLoadedError extends Error {
  override name = "NotLoadedError";
}

/**
 * The runs of one pair in [from, to), with `from` the start actually counted; expected runs are
 * left to the caller. `thresholdMs` is the latency threshold the report judges by (undefined: no
 * latency SLI).
 */
function pairRuns(
  pair: PairHistory,
  loaded: LoadedSpans,
  span: Span,
  thresholdMs: number | undefined,
  histogram: boolean,
): Tally {
  const runs = emptyTally(span.from, histogram);
  const done = (from: number): Tally => {
    runs.from = from;
    runs.exactFrom = from === span.from;
    return runs;
  };
  let { from } = span;
  const { to } = span;
  if (to <= from) return done(to);
  const minutesOf = (hourAt: number, a: number, b: number) => {
    if (!loaded.minuteHours.has(hourAt))
      throw new NotLoadedError(`minute entries of ${new Date(hourAt).toISOString()} were not read`);
    for (const e of pair.minutes.get(hourAt) ?? []) {
      const slotAt = hourAt + e.minute * MINUTE_MS;
      if (slotAt >= a && slotAt < b) addEntry(runs, e, thresholdMs);
    }
  };
  const headHour = floorTo(from, HOUR_MS);
  const bodyFrom = ceilTo(from, HOUR_MS);
  const bodyTo = floorTo(to, HOUR_MS);
  if (bodyFrom > bodyTo) {
    // Inside one hour: the span is all head.
    if (headHour < loaded.minuteFrom) return done(to);
    minutesOf(headHour, from, to);
    return done(from);
  }
  if (from < bodyFrom) {
    if (headHour >= loaded.minuteFrom) minutesOf(headHour, from, bodyFrom);
    else from = bodyFrom; // no single run of that hour is left: the span starts at the next hour
  }
  for (let t = bodyFrom; t < bodyTo; ) {
    const dayAt = floorTo(t, DAY_MS);
    const wholeDay =
      t === dayAt &&
      dayAt + DAY_MS <= bodyTo &&
      loaded.daySpan !== null &&
      dayAt >= loaded.daySpan.from &&
      dayAt + DAY_MS <= loaded.daySpan.to;
    if (wholeDay) {
      const day = pair.days.get(dayAt);
      if (day) addRollup(runs, day, thresholdMs);
      t += DAY_MS;
      continue;
    }
    if (!covers(loaded.hourSpans, t))
      throw new NotLoadedError(`hourly rollups of ${new Date(t).toISOString()} were not read`);
    const hour = pair.hours.get(t);
    if (hour) addRollup(runs, hour, thresholdMs);
    t += HOUR_MS;
  }
  if (bodyTo < to) minutesOf(bodyTo, bodyTo, to);
  return done(from);
}

/**
 * The tally of a probe over [from, to), over the given regions (each region the probe runs in
 * that is also in `regions`). With `histogram`, it also sums the latency histograms (percentiles
 * need them; counts do not, and most spans skip the cost).
 *
 * @example
 * tallySpan(history, { from: now - HOUR_MS, to: now }, { regions: ["weur"], thresholdMs: 800 })
 */
export function tallySpan(
  history: ProbeHistory,
  span: Span,
  options: { regions?: readonly string[]; thresholdMs?: number | undefined; histogram?: boolean } = {},
): Tally {
  const pairs =
    options.regions === undefined ? history.pairs : history.pairs.filter((p) => options.regions!.includes(p.region));
  const probeFirst = history.pairs.reduce<number | null>(
    (first, p) => (p.firstRunAt === null ? first : first === null ? p.firstRunAt : Math.min(first, p.firstRunAt)),
    null,
  );
  const histogram = options.histogram ?? false;
  const total = emptyTally(span.from, histogram);
  for (const pair of pairs) {
    const runs = pairRuns(pair, history.loaded, span, options.thresholdMs, histogram);
    const firstRunAt = pair.firstRunAt ?? probeFirst;
    runs.expected = expectedRunsPerRegion(
      history.probe,
      firstRunAt === null ? runs.from : Math.max(runs.from, firstRunAt),
      span.to,
    );
    runs.missing = Math.max(0, runs.expected - runs.stored);
    addInto(total, runs);
  }
  return total;
}

/** What an SLI judges: availability, or latency under a threshold. */
export type SliKind = { kind: "availability" } | { kind: "latency"; underMs: number };

/** The events of a span as one SLI sees them, with where its no-data comes from. */
export interface WindowCounts extends EventCounts {
  /** Runs due in the span. */
  expected: number;
  /** Due runs with nothing stored (part of noData). */
  missing: number;
  /** Runs that failed on the monitoring side (part of noData). */
  monitoringSide: number;
  /** Runs in maintenance windows excluded from SLOs (in no count). */
  maintenance: number;
  /** Latency only: events judged from a histogram because they were counted under another threshold. */
  estimated: number;
}

/**
 * The events of a tally for an SLI: availability good = up + degraded, bad = down on the target's
 * side; latency good = up and degraded runs under the threshold, bad = the other ones; no data =
 * missing runs + monitoring-side failures, for both. Latency "histogram": every run judged by its
 * bucket, the way hours counted under another threshold are.
 */
export function eventsOf(t: Tally, kind: SliKind, method: "exact" | "histogram" = "exact"): WindowCounts {
  const noData = {
    noData: t.missing + t.monitoring,
    expected: t.expected,
    missing: t.missing,
    monitoringSide: t.monitoring,
    maintenance: t.maintenance,
  };
  if (kind.kind === "availability") return { good: t.up + t.degraded, bad: t.down, ...noData, estimated: 0 };
  const ran = t.up + t.degraded;
  if (method === "histogram")
    return { good: t.latencyGoodByBucket, bad: ran - t.latencyGoodByBucket, ...noData, estimated: ran };
  return { good: t.latencyGood, bad: ran - t.latencyGood, ...noData, estimated: t.latencyEstimated };
}
