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
 * Every lookback is the exact span [now − lookback, now), counted run by run at its ends
 * (ledger.ts): "the last hour" at 10:27 is 09:27–10:27, so the same burst pages whether the check
 * runs at :08 or at :27.
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
 * A lookback also needs `minEvents` events before its rule may fire: in a quiet lookback (5 runs
 * in 5 minutes) one failure is a burn of 200 and would page on its own. The report shows each
 * lookback's good, bad and no-data counts, so a burn of 40 read off 1 failure in 25 events is
 * visible as such.
 */
import { durationMs } from "../probe/schema.ts";
import { allowedErrorRate } from "./error-budget.ts";
import { assertCounts } from "./sli.ts";

/** A lookback, as a duration: "5m", "1h", "3d". */
export type BurnWindow = string;

/** Burn rate per lookback; null = no events in it. */
export type BurnRates = Record<BurnWindow, number | null>;

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
  /** Events each lookback of a rule needs before the rule may fire. */
  minEvents: number;
}

/** The Workbook's four rules for a 30-day window; see the file comment. */
const DEFAULT_BURN_ALERT_RULES: readonly BurnAlertRule[] = Object.freeze([
  Object.freeze({ severity: "page", longWindow: "1h", shortWindow: "5m", threshold: 14.4 }),
  Object.freeze({ severity: "page", longWindow: "6h", shortWindow: "30m", threshold: 6 }),
  Object.freeze({ severity: "ticket", longWindow: "24h", shortWindow: "2h", threshold: 3 }),
  Object.freeze({ severity: "ticket", longWindow: "3d", shortWindow: "6h", threshold: 1 }),
] satisfies BurnAlertRule[]);

/** Events a lookback needs by default before its rule may fire. */
const DEFAULT_MIN_EVENTS = 10;

export const DEFAULT_BURN_ALERT_CONFIG: BurnAlertConfig = Object.freeze({
  rules: DEFAULT_BURN_ALERT_RULES,
  minEvents: DEFAULT_MIN_EVENTS,
});

/** The alert config of a probe's `slo.alerting` (validated by the probe schema), defaults filled in. */
export function burnAlertConfigOf(
  alerting:
    | {
        rules?: readonly { severity: AlertSeverity; long: string; short: string; burnRate: number }[] | undefined;
        minEvents?: number;
      }
    | undefined,
): BurnAlertConfig {
  return {
    rules:
      alerting?.rules?.map((r) => ({
        severity: r.severity,
        longWindow: r.long,
        shortWindow: r.short,
        threshold: r.burnRate,
      })) ?? DEFAULT_BURN_ALERT_RULES,
    minEvents: alerting?.minEvents ?? DEFAULT_MIN_EVENTS,
  };
}

/** The lookbacks a config reads, shortest first, so the caller counts only those. */
export function burnLookbacksOf(config: Pick<BurnAlertConfig, "rules"> = DEFAULT_BURN_ALERT_CONFIG): BurnWindow[] {
  const seen = new Set<BurnWindow>();
  for (const r of config.rules) {
    seen.add(r.longWindow);
    seen.add(r.shortWindow);
  }
  return [...seen].sort((a, b) => durationMs(a) - durationMs(b));
}

/** The counts of one lookback and its burn rate. */
export interface BurnWindowCounts {
  good: number;
  bad: number;
  noData: number;
  /** good + bad: what the burn rate is a ratio of. */
  events: number;
  burnRate: number | null;
}

interface FiringRule extends BurnAlertRule {
  /** The burn rates that met the threshold. */
  long: number;
  short: number;
}

/** A rule whose lookbacks burn fast enough but hold fewer than minEvents events: it did not fire. */
interface HeldRule extends BurnAlertRule {
  /** The lookbacks with too few events. */
  quiet: BurnWindow[];
}

export interface BurnAlert {
  /** The most severe firing rule's severity, or "ok". */
  state: "ok" | AlertSeverity;
  /** Every rule that fires, pages first, in config order within a severity. */
  firing: FiringRule[];
  /** Rules held back only by minEvents. */
  held: HeldRule[];
}

/**
 * The alert state from each lookback's counts. A rule fires when both its lookbacks have a burn
 * rate (not null) ≥ its threshold and at least `minEvents` events; a lookback the config needs but
 * the counts leave out is a caller bug and throws, rather than silently never alerting.
 * `windows` may also be a function giving each rule the counts it judges by (the latency SLI
 * judges some rules from histograms, slo/report.ts).
 *
 * @example
 * burnAlert({ "5m": w(20), "30m": w(8), "1h": w(15), "2h": w(5), "6h": w(7), "24h": w(2), "3d": w(0.8) })
 * // { state: "page", firing: [1h/5m page, 6h/30m page], held: [] }
 */
export function burnAlert(
  countsFor:
    | Readonly<Record<BurnWindow, BurnWindowCounts>>
    | ((rule: BurnAlertRule) => Readonly<Record<BurnWindow, BurnWindowCounts>>),
  config: BurnAlertConfig = DEFAULT_BURN_ALERT_CONFIG,
): BurnAlert {
  const firing: FiringRule[] = [];
  const held: HeldRule[] = [];
  for (const rule of config.rules) {
    if (!(Number.isFinite(rule.threshold) && rule.threshold > 0))
      throw new RangeError(`a burn-rate threshold must be a positive number, got ${rule.threshold}`);
    const windows = typeof countsFor === "function" ? countsFor(rule) : countsFor;
    const long = countsOf(windows, rule.longWindow);
    const short = countsOf(windows, rule.shortWindow);
    if (
      long.burnRate === null ||
      short.burnRate === null ||
      long.burnRate < rule.threshold ||
      short.burnRate < rule.threshold
    )
      continue;
    const quiet = [rule.longWindow, rule.shortWindow].filter((w) => countsOf(windows, w).events < config.minEvents);
    if (quiet.length > 0) held.push({ ...rule, quiet });
    else firing.push({ ...rule, long: long.burnRate, short: short.burnRate });
  }
  firing.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "page" ? -1 : 1));
  const state = firing.some((f) => f.severity === "page") ? "page" : firing.length > 0 ? "ticket" : "ok";
  return { state, firing, held };
}

function countsOf(windows: Readonly<Record<BurnWindow, BurnWindowCounts>>, window: BurnWindow): BurnWindowCounts {
  const counts = windows[window];
  if (counts === undefined) throw new RangeError(`no counts for the ${window} lookback, which an alert rule needs`);
  if (counts.burnRate !== null && !(Number.isFinite(counts.burnRate) && counts.burnRate >= 0))
    throw new RangeError(`the ${window} burn rate must be a number ≥ 0 or null, got ${counts.burnRate}`);
  return counts;
}
