/**
 * The ledger (slo/ledger.ts): any span counted once, run by run at its ends, from the right grain
 * in between; monitoring-side failures and missing runs as no data; expected runs from the first
 * run; exact latency under the threshold, histograms only for another threshold.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import { eventsOf, NotLoadedError, tallySpan, type LoadedSpans } from "../../../src/slo/ledger.ts";
import { planReads } from "../../../src/slo/report-plan.ts";
import { buildSloReport } from "../../../src/slo/report.ts";
import { DAY, historyOf, HOUR, MINUTE, type RunAt } from "./history-fixtures.ts";

const START = Date.parse("2026-03-01T00:00:00Z");
const END = START + 5 * DAY;

function probe(slo: Record<string, unknown> = {}): LoadedProbe {
  return loadRegistry([
    {
      file: "probes/p.ts",
      definition: {
        id: "p",
        name: "P",
        baseUrl: "https://example.com",
        regions: ["weur", "enam"],
        slo: { availability: 0.99, ...slo },
        steps: [{ name: "home", url: "/" }],
      },
    },
  ])[0]!;
}

/** Everything of [START, END) read: every hour's minutes, hourly rollups, daily rollups. */
const EVERYTHING: LoadedSpans = {
  minuteHours: new Set(Array.from({ length: (END - START) / HOUR }, (_, i) => START + i * HOUR)),
  minuteFrom: START,
  hourSpans: [{ from: START, to: END }],
  daySpan: { from: START, to: END },
};

const base = { monitoringSide: false, inMaintenance: false, delayMs: 0 };

/** A pseudo-random history: some minutes empty, some down, some monitoring-side, some in maintenance. */
const scattered: RunAt = (region, slotAt) => {
  const h = (Math.imul((slotAt / MINUTE) ^ (region === "weur" ? 0x9e37 : 0x79b9), 2654435761) >>> 0) % 100;
  if (h < 4) return null;
  if (h < 7) return { ...base, status: "down", durationMs: 30_000 };
  if (h < 8) return { ...base, status: "down", monitoringSide: true, durationMs: 5 };
  if (h < 9) return { ...base, status: "up", inMaintenance: true, durationMs: 100 };
  if (h < 15) return { ...base, status: "degraded", durationMs: 900 + h };
  return { ...base, status: "up", durationMs: 100 + h * 5 };
};

describe("tallySpan", () => {
  const p = probe({ latency: { percent: 0.9, underMs: 400 } });
  const history = historyOf(p, ["weur", "enam"], EVERYTHING, scattered, { thresholdMs: 400, firstRunAt: () => START });

  it("counts any span exactly once, whatever grains serve it (property against the runs themselves)", () => {
    fc.assert(
      fc.property(fc.integer({ min: START, max: END - 1 }), fc.integer({ min: 1, max: 4 * DAY }), (from, length) => {
        const to = Math.min(END, from + length);
        const t = tallySpan(history, { from, to }, { thresholdMs: 400 });
        const want = {
          expected: 0,
          stored: 0,
          up: 0,
          degraded: 0,
          down: 0,
          monitoring: 0,
          maintenance: 0,
          latencyGood: 0,
        };
        for (const region of ["weur", "enam"]) {
          for (let slot = Math.ceil(from / MINUTE) * MINUTE; slot < to; slot += MINUTE) {
            want.expected++;
            const run = scattered(region, slot);
            if (!run) continue;
            want.stored++;
            if (run.inMaintenance) want.maintenance++;
            else if (run.monitoringSide) want.monitoring++;
            else {
              want[run.status]++;
              if (run.status !== "down" && run.durationMs <= 400) want.latencyGood++;
            }
          }
        }
        expect({
          expected: t.expected,
          stored: t.stored,
          up: t.up,
          degraded: t.degraded,
          down: t.down,
          monitoring: t.monitoring,
          maintenance: t.maintenance,
          latencyGood: t.latencyGood,
        }).toEqual(want);
        expect(t.missing).toBe(want.expected - want.stored);
        expect(t.latencyEstimated).toBe(0);
      }),
      { numRuns: 40 },
    );
  });

  it("monitoring-side failures and missing runs are no data, maintenance is nothing; down on the target's side is bad", () => {
    const e = eventsOf(tallySpan(history, { from: START + 5 * MINUTE, to: START + DAY + 7 * MINUTE }), {
      kind: "availability",
    });
    expect(e.noData).toBe(e.missing + e.monitoringSide);
    expect(e.good + e.bad + e.noData + e.maintenance).toBe(e.expected);
    expect(e.monitoringSide).toBeGreaterThan(0);
  });

  it("expected runs count from the pair's first run, else the probe's, else the span's start", () => {
    const added = START + 4 * DAY + 16 * MINUTE;
    const newProbe = historyOf(
      p,
      ["weur", "enam"],
      EVERYTHING,
      (r, slot) => (slot >= added && r === "weur" ? { ...base, status: "up", durationMs: 100 } : null),
      { firstRunAt: (r) => (r === "weur" ? added : null) },
    );
    const t = tallySpan(newProbe, { from: START, to: added + 16 * MINUTE });
    // Both regions are due from the probe's first run on: 16 minutes each; enam never ran.
    expect({ expected: t.expected, stored: t.stored, missing: t.missing }).toEqual({
      expected: 32,
      stored: 16,
      missing: 16,
    });
    const neverRan = historyOf(p, ["weur", "enam"], EVERYTHING, () => null, { firstRunAt: () => null });
    expect(tallySpan(neverRan, { from: START, to: START + HOUR }).expected).toBe(120);
  });

  it("a span whose first hour is past raw retention starts at the next hour, and says so", () => {
    const retained = { ...EVERYTHING, minuteFrom: START + DAY };
    const t = tallySpan(
      { ...history, loaded: retained },
      { from: START + 10 * HOUR + 30 * MINUTE, to: START + 2 * DAY },
    );
    expect(t.from).toBe(START + 11 * HOUR);
    expect(t.exactFrom).toBe(false);
    expect(t.expected).toBe((2 * (2 * DAY - 11 * HOUR)) / MINUTE);
  });

  it("latency: exact from rollups sealed under the same threshold, from the histogram (and said so) under another", () => {
    const other = historyOf(p, ["weur", "enam"], EVERYTHING, scattered, { thresholdMs: 300, firstRunAt: () => START });
    const span = { from: START, to: START + 2 * DAY };
    const exact = tallySpan(history, span, { thresholdMs: 400 });
    const mixed = tallySpan(other, span, { thresholdMs: 400 });
    expect(exact.latencyEstimated).toBe(0);
    expect(mixed.latencyEstimated).toBe(mixed.up + mixed.degraded);
    // The histogram's bucket holding 400 ms counts as over: never better than the truth.
    expect(mixed.latencyGood).toBeLessThanOrEqual(exact.latencyGood);
  });

  it("a span needing rows the plan did not read throws instead of counting no data", () => {
    const partial = { ...history, loaded: { ...EVERYTHING, hourSpans: [], daySpan: null } };
    expect(() => tallySpan(partial, { from: START, to: START + 3 * HOUR })).toThrow(NotLoadedError);
  });
});

describe("latency rules judge both lookbacks the same way", () => {
  const p = probe({ latency: { percent: 0.9, underMs: 300 }, window: "24h" });
  const now = START + 4 * DAY + 10 * HOUR + 27 * MINUTE;
  // Every run took 290 ms: under the 300 ms threshold, in the histogram bucket (256, 322.5].
  const runAt: RunAt = () => ({ ...base, status: "up", durationMs: 290 });
  const reportWith = (sealedUnderMs: number) => {
    const loaded = planReads({ probe: p, windows: ["24h"], budgeting: "occurrences", now, rawRetentionMs: 14 * DAY });
    return buildSloReport({
      histories: [
        historyOf(p, ["weur", "enam"], loaded, runAt, { thresholdMs: sealedUnderMs, firstRunAt: () => START }),
      ],
      regions: ["weur", "enam"],
      window: "24h",
      now,
    }).latency!;
  };

  it("hours sealed under the same threshold: every lookback exact, nothing fires", () => {
    const latency = reportWith(300);
    expect(latency.method).toBe("exact");
    expect(Object.values(latency.lookbacks).every((l) => l.estimated === 0 && l.bad === 0)).toBe(true);
    expect(latency.alert.state).toBe("ok");
  });

  it("hours sealed under another threshold: a rule whose lookback holds them judges both of its lookbacks from histograms, and says so", () => {
    const latency = reportWith(500);
    expect(latency.method).toBe("mixed");
    // The 5m lookback is all minute entries: exact; the 3d one holds sealed hours: estimated.
    expect(latency.lookbacks["5m"]!.estimated).toBe(0);
    expect(latency.lookbacks["3d"]!.estimated).toBeGreaterThan(0);
    expect(latency.alert.firing.length).toBeGreaterThan(0);
    expect(latency.alert.firing.every((f) => f.method === "histogram")).toBe(true);
    // Judged the histogram's way, the short lookback of the 3d/6h rule is as bad as its long one.
    const rule = latency.alert.firing.find((f) => f.longWindow === "3d")!;
    expect(rule.short).toBeCloseTo(rule.long, 9);
  });
});
