/** A probe's `slo` settings beyond the objective: alert rules, minEvents, no-data alert, timeslices; each mistake named with its field. */
import { describe, expect, it } from "vitest";
import { defineProbe } from "../../../src/probe/define-probe.ts";
import { loadRegistry, ProbeRegistryError } from "../../../src/probe/registry.ts";
import { burnAlertConfigOf, DEFAULT_BURN_ALERT_CONFIG } from "../../../src/slo/burn-rate.ts";
import { silenceLookbackMs, sliceMsOf } from "../../../src/slo/report-plan.ts";

const good = defineProbe({
  id: "good",
  name: "Good",
  baseUrl: "https://example.com",
  steps: [{ name: "home", url: "/" }],
});

function problemsOf(slo: unknown): string[] {
  try {
    loadRegistry([
      { file: "probes/bad.ts", definition: { ...good, slo: { availability: 0.999, ...(slo as object) } } },
    ]);
  } catch (error) {
    if (error instanceof ProbeRegistryError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("slo settings", () => {
  it("defaults: the Workbook's rules, 10 events, a silence of three intervals (at least 15 minutes), hour slices", () => {
    const [loaded] = loadRegistry([{ file: "probes/good.ts", definition: good }]);
    expect(burnAlertConfigOf(loaded!.probe.slo.alerting)).toEqual(DEFAULT_BURN_ALERT_CONFIG);
    expect(silenceLookbackMs(loaded!)).toBe(15 * 60_000);
    expect(sliceMsOf(loaded!)).toBe(3_600_000);
    const [hourly] = loadRegistry([{ file: "probes/h.ts", definition: { ...good, schedule: "1h" } }]);
    expect(silenceLookbackMs(hourly!)).toBe(3 * 3_600_000);
  });

  it("takes custom rules, minEvents, a silence lookback or none, and a slice target", () => {
    const [loaded] = loadRegistry([
      {
        file: "probes/good.ts",
        definition: {
          ...good,
          slo: {
            availability: 0.99,
            timeslices: { slice: "6h", target: 0.95 },
            alerting: {
              rules: [{ severity: "ticket", long: "2d", short: "2h", burnRate: 2 }],
              minEvents: 3,
              noDataAfter: "45m",
            },
          },
        },
      },
    ]);
    expect(burnAlertConfigOf(loaded!.probe.slo.alerting)).toEqual({
      rules: [{ severity: "ticket", longWindow: "2d", shortWindow: "2h", threshold: 2 }],
      minEvents: 3,
    });
    expect(silenceLookbackMs(loaded!)).toBe(45 * 60_000);
    expect(sliceMsOf(loaded!)).toBe(6 * 3_600_000);
    const [off] = loadRegistry([
      { file: "probes/off.ts", definition: { ...good, slo: { availability: 0.99, alerting: { noDataAfter: false } } } },
    ]);
    expect(silenceLookbackMs(off!)).toBeNull();
  });

  it.each<[string, unknown, RegExp]>([
    [
      "a short lookback longer than the long one",
      { alerting: { rules: [{ severity: "page", long: "5m", short: "1h", burnRate: 14.4 }] } },
      /slo\.alerting\.rules\[0\]\.short: short must be shorter than long/,
    ],
    [
      "a lookback that is not a duration",
      { alerting: { rules: [{ severity: "page", long: "1 hour", short: "5m", burnRate: 14.4 }] } },
      /slo\.alerting\.rules\[0\]\.long: a duration in whole minutes, hours or days/,
    ],
    [
      "a lookback over a week",
      { alerting: { rules: [{ severity: "page", long: "8d", short: "5m", burnRate: 1 }] } },
      /slo\.alerting\.rules\[0\]\.long: at most 7d/,
    ],
    [
      "a burn rate of 0",
      { alerting: { rules: [{ severity: "page", long: "1h", short: "5m", burnRate: 0 }] } },
      /slo\.alerting\.rules\[0\]\.burnRate/,
    ],
    [
      "an unknown severity",
      { alerting: { rules: [{ severity: "urgent", long: "1h", short: "5m", burnRate: 2 }] } },
      /slo\.alerting\.rules\[0\]\.severity/,
    ],
    ["minEvents of 0", { alerting: { minEvents: 0 } }, /slo\.alerting\.minEvents/],
    ["a slice that does not divide a day", { timeslices: { slice: "5h" } }, /slo\.timeslices\.slice/],
    ["a slice target of 1", { timeslices: { target: 1 } }, /slo\.timeslices\.target: below 1/],
    ["a typo in alerting", { alerting: { minEvent: 5 } }, /slo\.alerting: unknown key 'minEvent'/],
  ])("refuses %s, naming the field", (_name, slo, message) => {
    const problems = problemsOf(slo);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
