/**
 * Burn rates and multi-window, multi-burn-rate alerts (Google SRE Workbook, "Alerting on SLOs").
 *
 * The burn rate over a lookback is how fast the budget is spent compared with spending it evenly
 * over the SLO window:
 *
 *     burn = (bad / events) / (1 − objective)
 *
 * 1 spends exactly the budget by the end of the window; 14.4 over 1 h spends 2 % of a 30-day
 * budget (14.4 × 1 h / 720 h). In general:
 *
 *     share of the budget spent = burn × lookback / window length
 *
 * It is null when the lookback holds no events: nothing was measured, which is not "0".
 *
 * An alert fires when a long and a short lookback both burn at or above a threshold: the long
 * one says enough budget went to matter, the short one that it is still going on, so the alert
 * stops soon after the problem does. Defaults (Workbook, for a 30-day window):
 *
 *     page:   burn(1h)  ≥ 14.4 and burn(5m)  ≥ 14.4   (2 % of the budget in an hour)
 *             burn(6h)  ≥ 6    and burn(30m) ≥ 6      (5 % in six hours)
 *     ticket: burn(24h) ≥ 3    and burn(2h)  ≥ 3      (10 % in a day)
 *             burn(3d)  ≥ 1    and burn(6h)  ≥ 1      (10 % in three days)
 *
 * The 5m and 30m lookbacks are finer than the hourly rollups, so rates are computed from a
 * generic list of timed events: the caller passes raw runs (kept 14 days) for the short lookbacks
 * and rollups for the long ones, and hands the rates to burnAlert.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../time.ts";
import { allowedErrorRate } from "./error-budget.ts";
import { assertCounts, countsIn, type TimedEvents } from "./sli.ts";
import { type Span } from "./windows.ts";

/** The lookbacks the alert rules may use. */
export const BURN_WINDOWS_MS = Object.freeze({
  "5m": 5 * MINUTE_MS,
  "30m": 30 * MINUTE_MS,
  "1h": HOUR_MS,
  "2h": 2 * HOUR_MS,
  "6h": 6 * HOUR_MS,
  "24h": DAY_MS,
  "3d": 3 * DAY_MS,
});

export type BurnWindow = keyof typeof BURN_WINDOWS_MS;

/** Burn rate per lookback; null = no events in it. */
export type BurnRates = Partial<Record<BurnWindow, number | null>>;

/**
 * (bad / events) / (1 − objective); null when there are no events. Always ≥ 0.
 *
 * @example
 * burnRate({ good: 9856, bad: 144 }, 0.999) // 14.4
 */
export function burnRate(counts: { good: number; bad: number }, objective: number): number | null {
  const rate = allowedErrorRate(objective);
  assertCounts(counts);
  const events = counts.good + counts.bad;
  if (events === 0) return null;
  return counts.bad / events / rate;
}

/**
 * The span a lookback reads at `now`: [now − lookback, now) for point events (raw runs,
 * bucketMs 0), or, for buckets of bucketMs that start on multiples of it (rollups), from the
 * start of the bucket that holds now − lookback, so the oldest bucket is taken whole rather than
 * dropped (the same rule as resolveWindow).
 */
export function lookbackSpan(now: number, lookbackMs: number, bucketMs = 0): Span {
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time in epoch ms, got ${now}`);
  if (!(Number.isFinite(lookbackMs) && lookbackMs > 0)) throw new RangeError(`lookbackMs must be a positive duration, got ${lookbackMs}`);
  if (!(Number.isFinite(bucketMs) && bucketMs >= 0)) throw new RangeError(`bucketMs must be a duration ≥ 0, got ${bucketMs}`);
  const start = now - lookbackMs;
  return { from: bucketMs > 0 ? Math.floor(start / bucketMs) * bucketMs : start, to: now };
}

/**
 * Burn rate over the events in lookbackSpan(now, lookbackMs, bucketMs). No-data, when the events
 * carry it, is not counted here: fold it into `bad` first to burn it as bad.
 */
export function burnRateOver(events: readonly TimedEvents[], objective: number, options: { now: number; lookbackMs: number; bucketMs?: number }): number | null {
  const span = lookbackSpan(options.now, options.lookbackMs, options.bucketMs);
  return burnRate(countsIn(events, span.from, span.to), objective);
}

/**
 * Burn rates of several named lookbacks from one source of events.
 *
 * @example
 * const rates = {
 *   ...burnRates(rawRuns, 0.999, { now, windows: ["5m", "30m", "1h", "2h", "6h"] }),
 *   ...burnRates(hourly, 0.999, { now, bucketMs: HOUR_MS, windows: ["24h", "3d"] }),
 * };
 */
export function burnRates(events: readonly TimedEvents[], objective: number, options: { now: number; bucketMs?: number; windows: readonly BurnWindow[] }): BurnRates {
  const rates: BurnRates = {};
  for (const w of options.windows) {
    rates[w] = burnRateOver(events, objective, { now: options.now, lookbackMs: BURN_WINDOWS_MS[w], ...(options.bucketMs === undefined ? {} : { bucketMs: options.bucketMs }) });
  }
  return rates;
}

/** The burn rate that spends `share` of the budget (0.02 = 2 %) in `lookbackMs` of a window of `windowMs`. */
export function burnRateForBudgetShare(share: number, lookbackMs: number, windowMs: number): number {
  return (share * windowMs) / lookbackMs;
}

/** The share of the budget a burn rate spends in `lookbackMs` of a window of `windowMs`. */
export function budgetShareOfBurn(burn: number, lookbackMs: number, windowMs: number): number {
  return (burn * lookbackMs) / windowMs;
}

export type AlertSeverity = "page" | "ticket";

export interface BurnAlertRule {
  severity: AlertSeverity;
  longWindow: BurnWindow;
  shortWindow: BurnWindow;
  /** Both lookbacks must burn at or above this. */
  threshold: number;
}

export interface BurnAlertConfig {
  rules: readonly BurnAlertRule[];
}

/** The Workbook's four rules for a 30-day window; see the file comment. */
export const DEFAULT_BURN_ALERT_CONFIG: BurnAlertConfig = Object.freeze({
  rules: Object.freeze([
    Object.freeze({ severity: "page", longWindow: "1h", shortWindow: "5m", threshold: 14.4 }),
    Object.freeze({ severity: "page", longWindow: "6h", shortWindow: "30m", threshold: 6 }),
    Object.freeze({ severity: "ticket", longWindow: "24h", shortWindow: "2h", threshold: 3 }),
    Object.freeze({ severity: "ticket", longWindow: "3d", shortWindow: "6h", threshold: 1 }),
  ] satisfies BurnAlertRule[]),
});

/** The lookbacks a config reads, so the caller computes only those. */
export function windowsOf(config: BurnAlertConfig = DEFAULT_BURN_ALERT_CONFIG): BurnWindow[] {
  const seen = new Set<BurnWindow>();
  for (const r of config.rules) {
    seen.add(r.longWindow);
    seen.add(r.shortWindow);
  }
  return (Object.keys(BURN_WINDOWS_MS) as BurnWindow[]).filter((w) => seen.has(w));
}

export interface FiringRule extends BurnAlertRule {
  /** The burn rates that met the threshold. */
  long: number;
  short: number;
}

export interface BurnAlert {
  /** The most severe firing rule's severity, or "ok". */
  state: "ok" | AlertSeverity;
  /** Every rule that fires, pages first, in config order within a severity. */
  firing: FiringRule[];
}

/**
 * The alert state from burn rates. A rule fires when both its lookbacks have a rate (not null)
 * ≥ its threshold; a null rate (no events) never fires. A lookback the config needs but the rates
 * leave out is a caller bug and throws, rather than silently never alerting.
 *
 * @example
 * burnAlert({ "5m": 20, "30m": 8, "1h": 15, "2h": 5, "6h": 7, "24h": 2, "3d": 0.8 })
 * // { state: "page", firing: [1h/5m page, 6h/30m page] }
 */
export function burnAlert(rates: BurnRates, config: BurnAlertConfig = DEFAULT_BURN_ALERT_CONFIG): BurnAlert {
  const firing: FiringRule[] = [];
  for (const rule of config.rules) {
    if (!(Number.isFinite(rule.threshold) && rule.threshold > 0)) throw new RangeError(`a burn-rate threshold must be a positive number, got ${rule.threshold}`);
    const long = rateOf(rates, rule.longWindow);
    const short = rateOf(rates, rule.shortWindow);
    if (long !== null && short !== null && long >= rule.threshold && short >= rule.threshold) firing.push({ ...rule, long, short });
  }
  firing.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "page" ? -1 : 1));
  const state = firing.some((f) => f.severity === "page") ? "page" : firing.length > 0 ? "ticket" : "ok";
  return { state, firing };
}

function rateOf(rates: BurnRates, window: BurnWindow): number | null {
  const rate = rates[window];
  if (rate === undefined) throw new RangeError(`no burn rate for the ${window} lookback, which an alert rule needs; pass null when it has no events`);
  if (rate !== null && !(Number.isFinite(rate) && rate >= 0)) throw new RangeError(`the ${window} burn rate must be a number ≥ 0 or null, got ${rate}`);
  return rate;
}
