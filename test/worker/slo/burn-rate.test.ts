/** Burn rates with the SRE Workbook's numbers, multi-window alert states, and properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BurnRates,
  budgetShareOfBurn,
  burnAlert,
  burnRate,
  burnRateForBudgetShare,
  burnRateOver,
  burnRates,
  DEFAULT_BURN_ALERT_CONFIG,
  lookbackSpan,
  windowsOf,
} from "../../../src/slo/burn-rate.ts";
import { occurrencesBudget } from "../../../src/slo/error-budget.ts";
import { countsIn, type TimedEvents } from "../../../src/slo/sli.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WINDOW_30D = 30 * DAY;
const NOW = Date.parse("2026-01-31T00:00:00Z");

/** 30 days of hourly buckets of 10 000 events each, ending at NOW; badAt(h) bad events in the h-th hour before NOW (h = 1 is the last hour). */
function thirtyDays(badAt: (hoursBeforeNow: number) => number): TimedEvents[] {
  return Array.from({ length: 720 }, (_, i) => {
    const hoursBeforeNow = 720 - i;
    const bad = badAt(hoursBeforeNow);
    return { at: NOW - hoursBeforeNow * HOUR, good: 10_000 - bad, bad };
  });
}

function budgetShareSpent(events: readonly TimedEvents[], objective: number): number {
  const all = countsIn(events, NOW - WINDOW_30D, NOW);
  const budget = occurrencesBudget(all, objective, { noData: "excluded" });
  return budget.consumed / budget.budget;
}

describe("the Workbook's numbers (30-day window, 99.9 %)", () => {
  it("2 % of the budget in 1 hour is a burn rate of 14.4", () => {
    const events = thirtyDays((h) => (h === 1 ? 144 : 0));
    expect(budgetShareSpent(events, 0.999)).toBeCloseTo(0.02, 12);
    expect(burnRateOver(events, 0.999, { now: NOW, lookbackMs: HOUR, bucketMs: HOUR })).toBeCloseTo(14.4, 12);
    expect(burnRateForBudgetShare(0.02, HOUR, WINDOW_30D)).toBeCloseTo(14.4, 12);
    expect(budgetShareOfBurn(14.4, HOUR, WINDOW_30D)).toBeCloseTo(0.02, 12);
  });

  it("5 % in 6 hours is 6", () => {
    const events = thirtyDays((h) => (h <= 6 ? 60 : 0));
    expect(budgetShareSpent(events, 0.999)).toBeCloseTo(0.05, 12);
    expect(burnRateOver(events, 0.999, { now: NOW, lookbackMs: 6 * HOUR, bucketMs: HOUR })).toBeCloseTo(6, 12);
    expect(burnRateForBudgetShare(0.05, 6 * HOUR, WINDOW_30D)).toBeCloseTo(6, 12);
  });

  it("10 % in 24 hours is 3", () => {
    const events = thirtyDays((h) => (h <= 24 ? 30 : 0));
    expect(budgetShareSpent(events, 0.999)).toBeCloseTo(0.1, 12);
    expect(burnRateOver(events, 0.999, { now: NOW, lookbackMs: DAY, bucketMs: HOUR })).toBeCloseTo(3, 12);
    expect(burnRateForBudgetShare(0.1, DAY, WINDOW_30D)).toBeCloseTo(3, 12);
  });

  it("10 % in 3 days is 1", () => {
    const events = thirtyDays((h) => (h <= 72 ? 10 : 0));
    expect(budgetShareSpent(events, 0.999)).toBeCloseTo(0.1, 12);
    expect(burnRateOver(events, 0.999, { now: NOW, lookbackMs: 3 * DAY, bucketMs: HOUR })).toBeCloseTo(1, 12);
    expect(burnRateForBudgetShare(0.1, 3 * DAY, WINDOW_30D)).toBeCloseTo(1, 12);
  });

  it("spending the budget evenly is a burn rate of exactly 1 everywhere", () => {
    const events = thirtyDays(() => 10);
    for (const lookbackMs of [HOUR, 6 * HOUR, DAY, 3 * DAY, WINDOW_30D]) {
      expect(burnRateOver(events, 0.999, { now: NOW, lookbackMs, bucketMs: HOUR })).toBeCloseTo(1, 12);
    }
  });
});

describe("burnRate", () => {
  it("(bad / events) / (1 − objective), null without events", () => {
    expect(burnRate({ good: 9856, bad: 144 }, 0.999)).toBeCloseTo(14.4, 12);
    expect(burnRate({ good: 0, bad: 10 }, 0.99)).toBe(100);
    expect(burnRate({ good: 10, bad: 0 }, 0.99)).toBe(0);
    expect(burnRate({ good: 0, bad: 0 }, 0.99)).toBeNull();
    expect(() => burnRate({ good: 1, bad: 0 }, 1)).toThrow(/100%/);
  });

  it("is ≥ 0, and null exactly when there are no events", () => {
    fc.assert(
      fc.property(fc.nat({ max: 1e7 }), fc.nat({ max: 1e7 }), fc.double({ min: 0.001, max: 0.99999, noNaN: true }), (good, bad, objective) => {
        const rate = burnRate({ good, bad }, objective);
        expect(rate === null).toBe(good + bad === 0);
        if (rate !== null) {
          expect(rate).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(rate)).toBe(true);
        }
      }),
    );
  });

  it("over a lookback: null exactly when the lookback holds no events, whatever the order of the events", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: NOW - 2 * DAY, max: NOW + HOUR }), good: fc.nat({ max: 100 }), bad: fc.nat({ max: 100 }) }), { maxLength: 40 }),
        fc.constantFrom(5 * MINUTE, 30 * MINUTE, HOUR, 6 * HOUR, DAY),
        (events, lookbackMs) => {
          const rate = burnRateOver(events, 0.99, { now: NOW, lookbackMs });
          const inside = events.filter((e) => e.at >= NOW - lookbackMs && e.at < NOW);
          expect(rate === null).toBe(inside.every((e) => e.good + e.bad === 0));
          if (rate !== null) expect(rate).toBeGreaterThanOrEqual(0);
          expect(burnRateOver([...events].reverse(), 0.99, { now: NOW, lookbackMs })).toBe(rate);
        },
      ),
    );
  });
});

describe("lookbackSpan", () => {
  const now = Date.parse("2026-01-15T10:37:00Z");

  it("points: exactly [now − lookback, now)", () => {
    expect(lookbackSpan(now, 5 * MINUTE)).toEqual({ from: Date.parse("2026-01-15T10:32:00Z"), to: now });
  });

  it("hourly buckets: the oldest bucket is taken whole", () => {
    expect(lookbackSpan(now, HOUR, HOUR)).toEqual({ from: Date.parse("2026-01-15T09:00:00Z"), to: now });
    expect(lookbackSpan(now, 6 * HOUR, HOUR)).toEqual({ from: Date.parse("2026-01-15T04:00:00Z"), to: now });
  });

  it("a 5-minute lookback over raw runs counts only the last five slots", () => {
    const runs: TimedEvents[] = Array.from({ length: 60 }, (_, m) => ({ at: now - (m + 1) * MINUTE, good: m < 5 ? 0 : 1, bad: m < 5 ? 1 : 0 }));
    expect(burnRateOver(runs, 0.99, { now, lookbackMs: 5 * MINUTE })).toBe(100);
    expect(burnRateOver(runs, 0.99, { now, lookbackMs: 30 * MINUTE })).toBeCloseTo((5 / 30) / 0.01, 12);
  });
});

const ALL_OK: BurnRates = { "5m": 0, "30m": 0, "1h": 0, "2h": 0, "6h": 0, "24h": 0, "3d": 0 };

describe("burnAlert", () => {
  it("reads the windows of the Workbook rules", () => {
    expect(windowsOf()).toEqual(["5m", "30m", "1h", "2h", "6h", "24h", "3d"]);
  });

  it.each<[string, BurnRates, "ok" | "ticket" | "page", [string, string, string][]]>([
    ["all quiet", ALL_OK, "ok", []],
    ["no events anywhere", { "5m": null, "30m": null, "1h": null, "2h": null, "6h": null, "24h": null, "3d": null }, "ok", []],
    ["acute outage: 1h and 5m over 14.4, 6h and 30m over 6", { "5m": 20, "30m": 8, "1h": 15, "2h": 5, "6h": 7, "24h": 2, "3d": 0.8 }, "page", [["page", "1h", "5m"], ["page", "6h", "30m"]]],
    ["exactly at 14.4 pages (≥)", { ...ALL_OK, "1h": 14.4, "5m": 14.4 }, "page", [["page", "1h", "5m"]]],
    ["over in the last hour but already recovered (5m low): no page", { ...ALL_OK, "1h": 15, "5m": 10 }, "ok", []],
    ["short spike only (5m high, 1h low): no page", { ...ALL_OK, "1h": 3, "5m": 200 }, "ok", []],
    ["a day at 3.5 and still going: ticket", { ...ALL_OK, "24h": 3.5, "2h": 3.2, "6h": 3.1, "3d": 1.4 }, "ticket", [["ticket", "24h", "2h"], ["ticket", "3d", "6h"]]],
    ["slow leak over 3 days: ticket", { ...ALL_OK, "3d": 1.2, "6h": 1.1, "24h": 1.3, "2h": 1 }, "ticket", [["ticket", "3d", "6h"]]],
    ["page and ticket together: state page, both listed, pages first", { "5m": 30, "30m": 30, "1h": 30, "2h": 30, "6h": 30, "24h": 30, "3d": 30 }, "page", [["page", "1h", "5m"], ["page", "6h", "30m"], ["ticket", "24h", "2h"], ["ticket", "3d", "6h"]]],
    ["null short window never fires", { ...ALL_OK, "1h": 50, "5m": null }, "ok", []],
  ])("%s", (_name, rates, state, firing) => {
    const alert = burnAlert(rates);
    expect(alert.state).toBe(state);
    expect(alert.firing.map((f) => [f.severity, f.longWindow, f.shortWindow])).toEqual(firing);
  });

  it("reports the rule, its threshold and both rates", () => {
    expect(burnAlert({ "5m": 20, "30m": 1, "1h": 15, "2h": 1, "6h": 1, "24h": 0.5, "3d": 0.5 }).firing).toEqual([
      { severity: "page", longWindow: "1h", shortWindow: "5m", threshold: 14.4, long: 15, short: 20 },
    ]);
  });

  it("thresholds are configurable", () => {
    const config = { rules: [{ severity: "page" as const, longWindow: "1h" as const, shortWindow: "5m" as const, threshold: 2 }] };
    expect(burnAlert({ "1h": 2.5, "5m": 3 }, config)).toEqual({ state: "page", firing: [{ severity: "page", longWindow: "1h", shortWindow: "5m", threshold: 2, long: 2.5, short: 3 }] });
    expect(burnAlert({ ...ALL_OK, "1h": 2.5, "5m": 3 }).state).toBe("ok");
  });

  it("a missing rate is a caller bug, not a silent ok", () => {
    expect(() => burnAlert({ "1h": 20, "5m": 20 })).toThrow("no burn rate for the 6h lookback");
    expect(() => burnAlert({ ...ALL_OK, "1h": Number.NaN })).toThrow(RangeError);
  });

  it("default config is the Workbook's", () => {
    expect(DEFAULT_BURN_ALERT_CONFIG.rules.map((r) => [r.severity, r.longWindow, r.shortWindow, r.threshold])).toEqual([
      ["page", "1h", "5m", 14.4],
      ["page", "6h", "30m", 6],
      ["ticket", "24h", "2h", 3],
      ["ticket", "3d", "6h", 1],
    ]);
  });
});

describe("alert states from event streams (raw runs for short lookbacks, hourly rollups for long)", () => {
  const now = Date.parse("2026-01-15T10:00:00Z");
  const objective = 0.999;

  /** 10 runs a minute (10 regions) for 3 days; errorRate(minutesBeforeNow) of them fail. */
  function profile(errorRate: (minutesBeforeNow: number) => number): { raw: TimedEvents[]; hourly: TimedEvents[] } {
    const raw: TimedEvents[] = [];
    const hourly = new Map<number, TimedEvents>();
    for (let m = 1; m <= 3 * 24 * 60; m++) {
      const at = now - m * MINUTE;
      const bad = Math.round(10 * errorRate(m) * 1000) / 1000;
      raw.push({ at, good: 10 - bad, bad });
      const hourAt = Math.floor(at / HOUR) * HOUR;
      const h = hourly.get(hourAt) ?? { at: hourAt, good: 0, bad: 0 };
      hourly.set(hourAt, { at: hourAt, good: h.good + 10 - bad, bad: h.bad + bad });
    }
    return { raw, hourly: [...hourly.values()] };
  }

  function stateOf(p: { raw: TimedEvents[]; hourly: TimedEvents[] }) {
    return burnAlert({
      ...burnRates(p.raw, objective, { now, windows: ["5m", "30m", "1h", "2h", "6h"] }),
      ...burnRates(p.hourly, objective, { now, bucketMs: HOUR, windows: ["24h", "3d"] }),
    });
  }

  it("an outage in the last 10 minutes (half the runs failing) pages", () => {
    const alert = stateOf(profile((m) => (m <= 10 ? 0.5 : 0)));
    expect(alert.state).toBe("page");
    // 5m: 0.5 / 0.001 = 500; 1h: 50 bad of 600 runs → 83.3.
    expect(alert.firing[0]).toMatchObject({ longWindow: "1h", shortWindow: "5m" });
    expect(alert.firing[0]!.short).toBeCloseTo(500, 9);
    expect(alert.firing[0]!.long).toBeCloseTo(50 / 600 / 0.001, 9);
  });

  it("a steady 0.4 % error rate for 3 days opens a ticket, not a page", () => {
    const alert = stateOf(profile(() => 0.004));
    expect(alert.state).toBe("ticket");
    expect(alert.firing.map((f) => [f.longWindow, f.shortWindow])).toEqual([["24h", "2h"], ["3d", "6h"]]);
    expect(alert.firing[0]!.long).toBeCloseTo(4, 9);
  });

  it("a steady 0.05 % error rate is within budget: ok", () => {
    expect(stateOf(profile(() => 0.0005))).toEqual({ state: "ok", firing: [] });
  });

  it("an outage that ended 20 minutes ago: the 1h/5m rule has reset, the 6h/30m rule still pages", () => {
    const alert = stateOf(profile((m) => (m > 20 && m <= 50 ? 0.5 : 0)));
    // 5m is clean; 30m holds 10 failing minutes (50 bad of 300 runs, burn 166.7); 6h: 150 of 3600 (41.7).
    expect(alert.state).toBe("page");
    expect(alert.firing.map((f) => [f.severity, f.longWindow, f.shortWindow])).toEqual([["page", "6h", "30m"], ["ticket", "24h", "2h"], ["ticket", "3d", "6h"]]);
    expect(alert.firing[0]!.short).toBeCloseTo(50 / 300 / 0.001, 9);
  });

  it("an outage that ended 40 minutes ago: no page any more, a ticket for the budget it spent", () => {
    const alert = stateOf(profile((m) => (m > 40 && m <= 70 ? 0.5 : 0)));
    expect(alert.state).toBe("ticket");
    // 24h: 150 bad of 14 400 runs → 10.4; 3d: 150 of 43 200 → 3.47.
    expect(alert.firing.map((f) => [f.longWindow, f.shortWindow])).toEqual([["24h", "2h"], ["3d", "6h"]]);
    expect(alert.firing[0]!.long).toBeCloseTo(150 / 14_400 / 0.001, 9);
    expect(alert.firing[1]!.long).toBeCloseTo(150 / 43_200 / 0.001, 9);
  });
});
