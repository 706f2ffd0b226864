/**
 * Properties of the exact rolling windows (slo/ledger.ts, slo/report.ts): a lookback is exactly
 * [now − lookback, now) at any minute of an hour, and a 20× burn is paged by the Workbook's
 * 1h/5m rule 44 ± 1 minutes after it starts, whatever minute it starts at.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import { planReads } from "../../../src/slo/report-plan.ts";
import { buildSloReport } from "../../../src/slo/report.ts";
import { historyOf, HOUR, MINUTE, type RunAt } from "./history-fixtures.ts";

/** 50 synthetic regions: one run per region and minute, so one failure a minute is exactly 2 %. */
const REGIONS = Array.from({ length: 50 }, (_, i) => `r${i}`);
const PAGE_ONLY = {
  rules: [{ severity: "page" as const, long: "1h", short: "5m", burnRate: 14.4 }],
  noDataAfter: false as const,
};

function probe(): LoadedProbe {
  return loadRegistry([
    {
      file: "probes/burn.ts",
      definition: {
        id: "burn",
        name: "Burn",
        baseUrl: "https://example.com",
        regions: ["weur"],
        slo: { availability: 0.999, window: "1h", alerting: PAGE_ONLY },
        steps: [{ name: "home", url: "/" }],
      },
    },
  ])[0]!;
}

const up = { status: "up" as const, monitoringSide: false, inMaintenance: false, durationMs: 100, delayMs: 0 };
const down = { ...up, status: "down" as const };

function report(p: LoadedProbe, now: number, runAt: RunAt) {
  const loaded = planReads({
    probe: p,
    windows: ["1h"],
    budgeting: "occurrences",
    now,
    rawRetentionMs: 14 * 24 * HOUR,
  });
  return buildSloReport({
    histories: [historyOf(p, REGIONS, loaded, runAt, { withDays: false })],
    regions: REGIONS,
    window: "1h",
    now,
  });
}

describe("exact lookbacks", () => {
  const p = probe();

  it("the 1h lookback counts exactly the runs of the last 60 minutes, at any minute and second", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.integer({ min: 0, max: 59_999 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (minuteOfDay, ms, seed) => {
          const now = Date.UTC(2026, 5, 10) + minuteOfDay * MINUTE + ms;
          // Failures scattered by a hash of (region, minute): any pattern, known run by run.
          const bad = (region: string, slotAt: number) =>
            ((Math.imul(seed ^ (slotAt / MINUTE), 2654435761) >>> 0) + Number(region.slice(1))) % 37 === 0;
          const runAt: RunAt = (region, slotAt) => (bad(region, slotAt) ? down : up);
          const r = report(p, now, runAt);
          let good = 0;
          let failed = 0;
          for (let slot = Math.ceil((now - HOUR) / MINUTE) * MINUTE; slot < now; slot += MINUTE) {
            for (const region of REGIONS) {
              if (bad(region, slot)) failed++;
              else good++;
            }
          }
          const hour = r.availability.lookbacks["1h"]!;
          expect({ from: hour.from, to: hour.to, good: hour.good, bad: hour.bad, noData: hour.noData }).toEqual({
            from: now - HOUR,
            to: now,
            good,
            bad: failed,
            noData: 0,
          });
          expect(hour.burnRate).toBeCloseTo(failed / (good + failed) / 0.001, 9);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a steady 20× burn starting at any minute pages 44 ± 1 minutes later (1h ≥ 14.4 needs 43.2 minutes of it)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 24 * 60 - 1 }),
        fc.integer({ min: 0, max: 59_999 }),
        (startMinute, offsetMs) => {
          const start = Date.UTC(2026, 5, 10) + startMinute * MINUTE;
          // From `start` on, one of the 50 regions fails each minute (2 %: a burn of 20 at 99.9 %).
          const runAt: RunAt = (region, slotAt) =>
            slotAt >= start && Number(region.slice(1)) === (slotAt / MINUTE) % 50 ? down : up;
          let pagedAfter: number | null = null;
          for (let k = 40; k <= 48 && pagedAfter === null; k++) {
            if (report(p, start + k * MINUTE + offsetMs, runAt).availability.alert.state === "page") pagedAfter = k;
          }
          // At k minutes (plus a part of the next one), the last hour holds k or k + 1 bad minutes.
          expect(pagedAfter).not.toBeNull();
          expect(Math.abs(pagedAfter! - 44)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 25 },
    );
  });
});
