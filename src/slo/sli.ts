/**
 * Event counts and SLIs (service level indicators) over rollups.
 *
 * An SLI is the share of good events: SLI = good / events. Three kinds of event exist:
 *
 * - good and bad: a stored run, judged by the SLI's rule (below);
 * - noData: a slot in which the probe was due but no run was stored (expected − stored,
 *   coverage.ts). A missing run is never "up". How it counts is the caller's choice, and the
 *   report shows both side by side (sliBoth):
 *     excluded:  SLI = good / (good + bad)
 *     bad:       SLI = good / (good + bad + noData)
 *
 * Availability: good = up + degraded (a degraded run is slow, not down: the latency SLI is what
 * judges slowness), bad = down.
 *
 * Latency ("P% of runs under T ms"): good = runs whose latency is ≤ T, read from the rollups'
 * histograms with shareUnder, which is conservative (the bucket straddling T counts as over, so
 * the SLI can only look worse than the truth; exact when T is a power of two); bad = the other
 * non-down runs. Down runs are excluded from the latency SLI altogether: their duration measures
 * how long it took to fail (often a timeout), not how fast the journey is, so they are neither
 * good nor bad here; the availability SLI already counts them. Hence latency events are
 * up + degraded, not total. Missing runs are no-data for latency as for availability.
 *
 * Never NaN: with no events the SLI is null with a reason, otherwise 0 ≤ SLI ≤ 1.
 */
import type { Rollup } from "../storage/rollup-rows.ts";
import { shareUnder } from "./latency-histogram.ts";

export interface EventCounts {
  good: number;
  bad: number;
  /** Expected runs with no stored result. */
  noData: number;
}

/** How no-data counts: left out of the SLI, or counted as bad events. */
export type NoDataTreatment = "excluded" | "bad";

export interface SliResult {
  /** good / events, in [0, 1]; null when there are no events (see reason). */
  value: number | null;
  reason?: string;
}

/** A bucket of events at a time: a raw run (one event) or a rollup (many). Used by budgets and burn rates. */
export interface TimedEvents {
  /** Epoch ms: the run's slot, or the start of the rollup's bucket. */
  at: number;
  good: number;
  bad: number;
  noData?: number;
}

/** The counts of a rollup the SLIs read. */
export type RollupCounts = Pick<Rollup, "up" | "degraded" | "down" | "total" | "latency">;

export const EMPTY_COUNTS: Readonly<EventCounts> = Object.freeze({ good: 0, bad: 0, noData: 0 });

function assertCount(n: number, name: string): void {
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`${name} must be a finite count ≥ 0, got ${n}`);
}

/** Throws a RangeError unless every count is finite and ≥ 0: a NaN count must not turn into a NaN SLI. */
export function assertCounts(counts: { good: number; bad: number; noData?: number }): void {
  assertCount(counts.good, "good");
  assertCount(counts.bad, "bad");
  if (counts.noData !== undefined) assertCount(counts.noData, "noData");
}

export function addCounts(a: EventCounts, b: EventCounts): EventCounts {
  return { good: a.good + b.good, bad: a.bad + b.bad, noData: a.noData + b.noData };
}

/**
 * Good and bad after the no-data treatment: with "bad", no-data joins the bad events; with
 * "excluded", it is dropped. Budgets and burn rates use this so they agree with the SLI.
 */
export function applyNoData(counts: EventCounts, noData: NoDataTreatment): { good: number; bad: number } {
  return noData === "bad" ? { good: counts.good, bad: counts.bad + counts.noData } : { good: counts.good, bad: counts.bad };
}

/**
 * The SLI: good / (good + bad), or good / (good + bad + noData) when no-data counts as bad.
 *
 * @example
 * sli({ good: 998, bad: 1, noData: 1 }, { noData: "excluded" }) // { value: 998 / 999 }
 * sli({ good: 998, bad: 1, noData: 1 }, { noData: "bad" })      // { value: 0.998 }
 * sli({ good: 0, bad: 0, noData: 5 }, { noData: "excluded" })   // { value: null, reason: "no stored runs ..." }
 */
export function sli(counts: EventCounts, options: { noData: NoDataTreatment }): SliResult {
  assertCounts(counts);
  const { good, bad } = applyNoData(counts, options.noData);
  const events = good + bad;
  if (events === 0) {
    if (counts.noData > 0) {
      return { value: null, reason: `no stored runs in the window: all ${counts.noData} expected runs have no data` };
    }
    return { value: null, reason: "no runs were due in the window" };
  }
  // good ≤ events and both are ≥ 0, so the quotient is in [0, 1]; min guards float rounding.
  return { value: Math.min(1, good / events) };
}

/** Both no-data treatments, as every report shows them. */
export function sliBoth(counts: EventCounts): { excluded: SliResult; noDataAsBad: SliResult } {
  return { excluded: sli(counts, { noData: "excluded" }), noDataAsBad: sli(counts, { noData: "bad" }) };
}

/** Runs stored, maintenance runs included: their slots had a run, so they are not no-data. */
function storedRuns(rollups: readonly RollupCounts[]): number {
  let stored = 0;
  for (const r of rollups) stored += r.total;
  return stored;
}

function noDataOf(rollups: readonly RollupCounts[], expectedRuns: number): number {
  assertCount(expectedRuns, "expectedRuns");
  return Math.max(0, expectedRuns - storedRuns(rollups));
}

/** Availability of one rollup, without no-data (which only exists over a window). */
export function availabilityOf(r: RollupCounts): { good: number; bad: number } {
  return { good: r.up + r.degraded, bad: r.down };
}

/** Latency of one rollup: non-down runs under the threshold are good, the other non-down runs bad. */
export function latencyOf(r: RollupCounts, underMs: number): { good: number; bad: number } {
  const latencyRuns = r.up + r.degraded;
  // The histogram holds every non-down run (storage/run-write.ts). A run missing from it has no
  // known latency and is counted as over the threshold, the conservative side.
  const under = Math.min(latencyRuns, shareUnder(r.latency, underMs)?.under ?? 0);
  return { good: under, bad: latencyRuns - under };
}

/**
 * Availability events over a window's rollups (already selected with selectRollups, so no run
 * counts twice). `expectedRuns` is the number of runs due in the window over every region the
 * rollups cover (expectedRunsPerRegion × regions); no-data = max(0, expected − stored).
 *
 * @example
 * availabilityCounts(rows, expectedRunsPerRegion(probe, from, to) * probe.probe.regions.length)
 */
export function availabilityCounts(rollups: readonly RollupCounts[], expectedRuns: number): EventCounts {
  let good = 0;
  let bad = 0;
  for (const r of rollups) {
    const c = availabilityOf(r);
    good += c.good;
    bad += c.bad;
  }
  return { good, bad, noData: noDataOf(rollups, expectedRuns) };
}

/**
 * Latency events ("runs under `underMs`") over a window's rollups; down runs are excluded, and
 * no-data is the same expected − stored as for availability.
 */
export function latencyCounts(rollups: readonly RollupCounts[], underMs: number, expectedRuns: number): EventCounts {
  if (Number.isNaN(underMs)) throw new RangeError("underMs must be a number of milliseconds, got NaN");
  let good = 0;
  let bad = 0;
  for (const r of rollups) {
    const c = latencyOf(r, underMs);
    good += c.good;
    bad += c.bad;
  }
  return { good, bad, noData: noDataOf(rollups, expectedRuns) };
}

/** What an SLI judges: availability, or latency under a threshold. */
export type SliKind = { kind: "availability" } | { kind: "latency"; underMs: number };

/**
 * Rollups as timed events (at = bucket start) for budgets by timeslice and burn rates. No-data is
 * not filled in: it depends on the expected runs per bucket, which the caller knows.
 */
export function rollupEvents(rollups: readonly (RollupCounts & Pick<Rollup, "bucketAt">)[], kind: SliKind): TimedEvents[] {
  return rollups.map((r) => ({ at: r.bucketAt, ...(kind.kind === "availability" ? availabilityOf(r) : latencyOf(r, kind.underMs)) }));
}

/**
 * Sums the events whose `at` lies in [from, to). Order never matters; no-data is summed when
 * present.
 */
export function countsIn(events: readonly TimedEvents[], from: number, to: number): EventCounts {
  let good = 0;
  let bad = 0;
  let noData = 0;
  for (const e of events) {
    if (!(e.at >= from && e.at < to)) continue;
    assertCounts(e);
    good += e.good;
    bad += e.bad;
    noData += e.noData ?? 0;
  }
  return { good, bad, noData };
}
