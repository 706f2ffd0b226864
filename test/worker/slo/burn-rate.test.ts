/** Burn rates with the SRE Workbook's numbers, multi-window alert states, and properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/probe/registry.ts";
import {
  budgetShareOfBurn,
  burnAlert,
  burnAlertConfigOf,
  burnRate,
  burnRateForBudgetShare,
  type BurnWindowCounts,
  DEFAULT_BURN_ALERT_CONFIG,
  burnLookbacksOf,
} from "../../../src/slo/burn-rate.ts";
import { planReads } from "../../../src/slo/report-plan.ts";
import { buildSloReport } from "../../../src/slo/report.ts";
import { historyOf, type RunAt } from "./history-fixtures.ts";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const WINDOW_30D = 30 * DAY;

/** A lookback's counts with this burn rate at 99.9 %, over `events` events. */
function w(rate: number | null, events = 100_000): BurnWindowCounts {
  if (rate === null) return { good: 0, bad: 0, noData: 0, events: 0, burnRate: null };
  const bad = rate * 0.001 * events;
  return { good: events - bad, bad, noData: 0, events, burnRate: rate };
}

function lookbacks(rates: Record<string, number | null>): Record<string, BurnWindowCounts> {
  return Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, w(v)]));
}

describe("the Workbook's numbers (30-day window, 99.9 %)", () => {
  it.each([
    [0.02, HOUR, 14.4],
    [0.05, 6 * HOUR, 6],
    [0.1, DAY, 3],
    [0.1, 3 * DAY, 1],
  ])("%s of the budget in %s ms is a burn rate of %s", (share, lookbackMs, rate) => {
    // 30 days of 10 000 events an hour: the budget is 7 200 bad events.
    const eventsInLookback = (lookbackMs / HOUR) * 10_000;
    const bad = share * 7_200;
    expect(burnRate({ good: eventsInLookback - bad, bad }, 0.999)).toBeCloseTo(rate, 9);
    expect(burnRateForBudgetShare(share, lookbackMs, WINDOW_30D)).toBeCloseTo(rate, 12);
    expect(budgetShareOfBurn(rate, lookbackMs, WINDOW_30D)).toBeCloseTo(share, 12);
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
      fc.property(
        fc.nat({ max: 1e7 }),
        fc.nat({ max: 1e7 }),
        fc.double({ min: 0.001, max: 0.99999, noNaN: true }),
        (good, bad, objective) => {
          const rate = burnRate({ good, bad }, objective);
          expect(rate === null).toBe(good + bad === 0);
          if (rate !== null) {
            expect(rate).toBeGreaterThanOrEqual(0);
            expect(Number.isFinite(rate)).toBe(true);
          }
        },
      ),
    );
  });
});

const ALL_OK = { "5m": 0, "30m": 0, "1h": 0, "2h": 0, "6h": 0, "24h": 0, "3d": 0 };

describe("burnAlert", () => {
  it("reads the windows of the Workbook rules, shortest first", () => {
    expect(burnLookbacksOf()).toEqual(["5m", "30m", "1h", "2h", "6h", "24h", "3d"]);
  });

  it.each<[string, Record<string, number | null>, "ok" | "ticket" | "page", [string, string, string][]]>([
    ["all quiet", ALL_OK, "ok", []],
    [
      "no events anywhere",
      { "5m": null, "30m": null, "1h": null, "2h": null, "6h": null, "24h": null, "3d": null },
      "ok",
      [],
    ],
    [
      "acute outage: 1h and 5m over 14.4, 6h and 30m over 6",
      { "5m": 20, "30m": 8, "1h": 15, "2h": 5, "6h": 7, "24h": 2, "3d": 0.8 },
      "page",
      [
        ["page", "1h", "5m"],
        ["page", "6h", "30m"],
      ],
    ],
    ["exactly at 14.4 pages (≥)", { ...ALL_OK, "1h": 14.4, "5m": 14.4 }, "page", [["page", "1h", "5m"]]],
    ["over in the last hour but already recovered (5m low): no page", { ...ALL_OK, "1h": 15, "5m": 10 }, "ok", []],
    ["short spike only (5m high, 1h low): no page", { ...ALL_OK, "1h": 3, "5m": 200 }, "ok", []],
    [
      "a day at 3.5 and still going: ticket",
      { ...ALL_OK, "24h": 3.5, "2h": 3.2, "6h": 3.1, "3d": 1.4 },
      "ticket",
      [
        ["ticket", "24h", "2h"],
        ["ticket", "3d", "6h"],
      ],
    ],
    [
      "page and ticket together: state page, pages first",
      { "5m": 30, "30m": 30, "1h": 30, "2h": 30, "6h": 30, "24h": 30, "3d": 30 },
      "page",
      [
        ["page", "1h", "5m"],
        ["page", "6h", "30m"],
        ["ticket", "24h", "2h"],
        ["ticket", "3d", "6h"],
      ],
    ],
    ["null short window never fires", { ...ALL_OK, "1h": 50, "5m": null }, "ok", []],
  ])("%s", (_name, rates, state, firing) => {
    const alert = burnAlert(lookbacks(rates));
    expect(alert.state).toBe(state);
    expect(alert.firing.map((f) => [f.severity, f.longWindow, f.shortWindow])).toEqual(firing);
  });

  it("a lookback with fewer than minEvents events holds its rule back, and says which", () => {
    // One failure in a quiet 5 minutes (5 runs): a burn of 200, and 1 in 60 over the hour: 16.7.
    const quiet = {
      ...lookbacks(ALL_OK),
      "5m": { good: 4, bad: 1, noData: 0, events: 5, burnRate: 200 },
      "1h": { good: 59, bad: 1, noData: 0, events: 60, burnRate: 1 / 60 / 0.001 },
    };
    const alert = burnAlert(quiet, DEFAULT_BURN_ALERT_CONFIG);
    expect(alert.state).toBe("ok");
    expect(alert.held).toEqual([
      { severity: "page", longWindow: "1h", shortWindow: "5m", threshold: 14.4, quiet: ["5m"] },
    ]);
    expect(burnAlert(quiet, { ...DEFAULT_BURN_ALERT_CONFIG, minEvents: 5 }).state).toBe("page");
  });

  it("rules, windows and factors come from the probe's slo.alerting", () => {
    const config = burnAlertConfigOf({
      rules: [{ severity: "page", long: "2h", short: "10m", burnRate: 10 }],
      minEvents: 3,
    });
    expect(config).toEqual({
      rules: [{ severity: "page", longWindow: "2h", shortWindow: "10m", threshold: 10 }],
      minEvents: 3,
    });
    expect(burnLookbacksOf(config)).toEqual(["10m", "2h"]);
    expect(burnAlert({ "2h": w(12), "10m": w(11) }, config).state).toBe("page");
    expect(burnAlertConfigOf(undefined)).toEqual(DEFAULT_BURN_ALERT_CONFIG);
  });

  it("a missing lookback is a caller bug, not a silent ok", () => {
    expect(() => burnAlert({ "1h": w(20), "5m": w(20) })).toThrow("no counts for the 6h lookback");
    expect(() => burnAlert({ ...lookbacks(ALL_OK), "1h": { ...w(1), burnRate: Number.NaN } })).toThrow(RangeError);
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

describe("alert states over exact lookbacks of stored runs", () => {
  const now = Date.parse("2026-01-15T10:00:00Z");
  const REGIONS = Array.from({ length: 10 }, (_, i) => `r${i}`);
  const probe = loadRegistry([
    {
      file: "probes/p.ts",
      definition: {
        id: "p",
        name: "P",
        baseUrl: "https://example.com",
        slo: { availability: 0.999, window: "24h" },
        steps: [{ name: "home", url: "/" }],
      },
    },
  ])[0]!;
  const up = { status: "up" as const, monitoringSide: false, inMaintenance: false, durationMs: 100, delayMs: 0 };

  /** 10 runs a minute (10 regions) for 3 days; `failing(m)` of them fail m minutes before now. */
  function stateOf(failing: (minutesBeforeNow: number) => number) {
    const runAt: RunAt = (region, slotAt) => {
      const m = (now - slotAt) / MINUTE;
      return Number(region.slice(1)) < failing(m) ? { ...up, status: "down" } : up;
    };
    const loaded = planReads({ probe, windows: ["24h"], budgeting: "occurrences", now, rawRetentionMs: 14 * DAY });
    return buildSloReport({
      histories: [historyOf(probe, REGIONS, loaded, runAt)],
      regions: REGIONS,
      window: "24h",
      now,
    }).availability.alert;
  }

  it("an outage in the last 10 minutes (half the runs failing) pages", () => {
    const alert = stateOf((m) => (m <= 10 ? 5 : 0));
    expect(alert.state).toBe("page");
    expect(alert.firing[0]).toMatchObject({ longWindow: "1h", shortWindow: "5m" });
    expect(alert.firing[0]!.short).toBeCloseTo(500, 9);
    expect(alert.firing[0]!.long).toBeCloseTo(50 / 600 / 0.001, 9);
  });

  it("an outage that ended 20 minutes ago: the 1h/5m rule has reset, the 6h/30m rule still pages", () => {
    const alert = stateOf((m) => (m > 20 && m <= 50 ? 5 : 0));
    expect(alert.state).toBe("page");
    expect(alert.firing.map((f) => [f.severity, f.longWindow, f.shortWindow])).toEqual([
      ["page", "6h", "30m"],
      ["ticket", "24h", "2h"],
      ["ticket", "3d", "6h"],
    ]);
    expect(alert.firing[0]!.short).toBeCloseTo(50 / 300 / 0.001, 9);
  });

  it("an outage that ended 40 minutes ago: no page any more, a ticket for the budget it spent", () => {
    const alert = stateOf((m) => (m > 40 && m <= 70 ? 5 : 0));
    expect(alert.state).toBe("ticket");
    expect(alert.firing.map((f) => [f.longWindow, f.shortWindow])).toEqual([
      ["24h", "2h"],
      ["3d", "6h"],
    ]);
    expect(alert.firing[0]!.long).toBeCloseTo(150 / 14_400 / 0.001, 9);
    expect(alert.firing[1]!.long).toBeCloseTo(150 / 43_200 / 0.001, 9);
  });

  it("within budget (no failures): ok", () => {
    expect(stateOf(() => 0)).toEqual({ state: "ok", firing: [], held: [], minEvents: 10 });
  });
});
