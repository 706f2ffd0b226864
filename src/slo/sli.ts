/**
 * Event counts and SLIs (service level indicators).
 *
 * An SLI is the share of good events: SLI = good / events. Three kinds of event exist:
 *
 * - good and bad: a stored run, judged by the SLI's rule (below);
 * - noData: a slot in which the probe was due but no run was stored (expected − stored, from the
 *   pair's first run on: ledger.ts), and a run that failed on the monitoring side (failure class
 *   `probe`: a refused target, a missing secret), which says nothing about the service. A
 *   missing run is never "up". How no-data counts is the caller's choice, and the report shows
 *   both side by side (sliBoth):
 *     excluded:  SLI = good / (good + bad)
 *     bad:       SLI = good / (good + bad + noData)
 *
 * Availability: good = up + degraded (a degraded run is slow, not down: the latency SLI is what
 * judges slowness), bad = down on the target's side.
 *
 * Latency ("P% of runs under T ms"): good = up and degraded runs that took at most T ms, counted
 * from their exact durations (minute entries, and hourly rollups sealed under the same T); bad =
 * the other up and degraded runs. Down runs are left out of the latency SLI: their duration
 * measures how long it took to fail, not how fast the journey is; the availability SLI counts
 * them. Runs in maintenance windows excluded from SLOs are neither good, bad nor no data.
 *
 * Never NaN: with no events the SLI is null with a reason, otherwise 0 ≤ SLI ≤ 1.
 */

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

function assertCount(n: number, name: string): void {
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`${name} must be a finite count ≥ 0, got ${n}`);
}

/** Throws a RangeError unless every count is finite and ≥ 0: a NaN count must not turn into a NaN SLI. */
export function assertCounts(counts: { good: number; bad: number; noData?: number }): void {
  assertCount(counts.good, "good");
  assertCount(counts.bad, "bad");
  if (counts.noData !== undefined) assertCount(counts.noData, "noData");
}

/**
 * Good and bad after the no-data treatment: with "bad", no-data joins the bad events; with
 * "excluded", it is dropped. Budgets and burn rates use this so they agree with the SLI.
 */
export function applyNoData(counts: EventCounts, noData: NoDataTreatment): { good: number; bad: number } {
  return noData === "bad"
    ? { good: counts.good, bad: counts.bad + counts.noData }
    : { good: counts.good, bad: counts.bad };
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
