/** Day totals of the status page's bars: merging regions, the stored form, and what is stale. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUCKET_BOUNDS_MS, merge, quantile } from "../../../src/slo/latency-histogram.ts";
import type { Rollup } from "../../../src/storage/rollup-rows.ts";
import {
  dayAvailability,
  dayTotalsFrom,
  decodeDays,
  encodeDays,
  mergeDays,
  regionsKey,
  settledThrough,
  staleHistories,
  type DayHistory,
} from "../../../src/status/day-totals.ts";
import { DAY, rollup, rollupsOf, type RawRun } from "../slo/rollup-fixtures.ts";

const TODAY = Date.UTC(2026, 10, 26);
const REGIONS = ["weur", "enam", "apac"];

const runArb = fc.record({
  region: fc.constantFrom(...REGIONS),
  day: fc.integer({ min: -12, max: 0 }),
  minute: fc.integer({ min: 0, max: 1439 }),
  status: fc.constantFrom<RawRun["status"]>("up", "degraded", "down"),
  durationMs: fc.integer({ min: 1, max: 20_000 }),
});
const toRaw = (r: {
  region: string;
  day: number;
  minute: number;
  status: RawRun["status"];
  durationMs: number;
}): RawRun => ({
  probeId: "p",
  region: r.region,
  slotAt: TODAY + r.day * DAY + r.minute * 60_000,
  status: r.status,
  durationMs: r.durationMs,
});

describe("day totals from daily rollups", () => {
  it("adds the regions of a day and takes the median of their merged histograms", () => {
    const a = rollup({ bucketAt: TODAY - DAY, grain: "day", region: "weur", up: 3, down: 1, samples: [100, 100, 100] });
    const b = rollup({
      bucketAt: TODAY - DAY,
      grain: "day",
      region: "enam",
      up: 2,
      degraded: 1,
      samples: [900, 900, 2000],
    });
    const c = rollup({ bucketAt: TODAY, grain: "day", region: "enam", down: 2 });
    const [yesterday, today, ...rest] = dayTotalsFrom([c, a, b], TODAY - 5 * DAY, TODAY + DAY);
    expect(rest).toEqual([]);
    expect(yesterday).toEqual({
      dayAt: TODAY - DAY,
      total: 7,
      up: 5,
      degraded: 1,
      down: 1,
      maintenance: 0,
      medianMs: quantile(merge(a.latency, b.latency), 0.5),
    });
    expect(yesterday!.medianMs).toBe(BUCKET_BOUNDS_MS.find((x) => x >= 100)); // 100, 100, 100, 900, 900, 2000: rank 3
    expect(today).toEqual({ dayAt: TODAY, total: 2, up: 0, degraded: 0, down: 2, maintenance: 0, medianMs: null });
    expect(dayAvailability(today!)).toBe(0);
  });

  it("keeps only daily rollups inside [from, to)", () => {
    const rows = [
      rollup({ bucketAt: TODAY - 3 * DAY, grain: "day", up: 1 }),
      rollup({ bucketAt: TODAY - 2 * DAY, grain: "day", up: 1 }),
      rollup({ bucketAt: TODAY - 2 * DAY + 3_600_000, grain: "hour", up: 9 }),
      rollup({ bucketAt: TODAY, grain: "day", up: 1 }),
    ];
    expect(dayTotalsFrom(rows, TODAY - 2 * DAY, TODAY).map((d) => [d.dayAt, d.total])).toEqual([[TODAY - 2 * DAY, 1]]);
  });

  it("equal the totals of the raw runs of each day, regions merged (property)", () => {
    fc.assert(
      fc.property(fc.array(runArb, { maxLength: 80 }), (rows) => {
        const raw = rows.map(toRaw);
        const totals = dayTotalsFrom(rollupsOf(raw, "day"), TODAY - 12 * DAY, TODAY + DAY);
        const days = [...new Set(raw.map((r) => Math.floor(r.slotAt / DAY) * DAY))].sort((x, y) => x - y);
        expect(totals.map((t) => t.dayAt)).toEqual(days);
        for (const t of totals) {
          const ofDay = raw.filter((r) => r.slotAt >= t.dayAt && r.slotAt < t.dayAt + DAY);
          expect(t.total).toBe(ofDay.length);
          expect([t.up, t.degraded, t.down]).toEqual(
            ["up", "degraded", "down"].map((s) => ofDay.filter((r) => r.status === s).length),
          );
          const timed = ofDay.filter((r) => r.status !== "down").map((r) => r.durationMs);
          if (timed.length === 0) expect(t.medianMs).toBeNull();
          else
            expect(t.medianMs).toBeGreaterThanOrEqual(
              [...timed].sort((x, y) => x - y)[Math.ceil(timed.length / 2) - 1]!,
            );
        }
      }),
    );
  });
});

describe("the stored form", () => {
  const totalsArb = fc.array(
    fc.record({
      dayAt: fc.integer({ min: 19_000, max: 21_000 }).map((d) => d * DAY),
      total: fc.nat(100_000),
      up: fc.nat(100_000),
      degraded: fc.nat(1000),
      down: fc.nat(1000),
      maintenance: fc.nat(1000),
      medianMs: fc.option(fc.constantFrom(...BUCKET_BOUNDS_MS), { nil: null }),
    }),
  );

  it("decodes what it encodes (property)", () => {
    fc.assert(
      fc.property(totalsArb, (days) => {
        expect(decodeDays(encodeDays(days))).toEqual(days);
      }),
    );
  });

  it("refuses anything else, saying which entry is wrong", () => {
    expect(() => decodeDays('{"a":1}')).toThrow(/day_history\.days is not a JSON array/);
    expect(() => decodeDays("[[20000,1,1,0,0,0]]")).toThrow(/days\[0\] is not a 7-item array/);
    expect(() => decodeDays("[[20000,1,1,0,0,0,null],[20001,-1,0,0,0,0,null]]")).toThrow(
      /days\[1\] has a value out of range/,
    );
    expect(() => decodeDays('[[20000,1,1,0,0,0,"12"]]')).toThrow(/days\[0\] has a value out of range/);
    expect(() => decodeDays("[[20000,1,1,0,0,0,53]]")).toThrow(/days\[0\] has a value out of range/);
  });
});

describe("merging a history with the newer rollups", () => {
  it("gives the same days as all the rollups, wherever the history ends (property)", () => {
    fc.assert(
      fc.property(
        fc.array(runArb, { maxLength: 80 }),
        fc.integer({ min: -12, max: 0 }),
        fc.integer({ min: -11, max: 0 }),
        (rows, throughOffset, fromOffset) => {
          const daily = rollupsOf(rows.map(toRaw), "day");
          const through = TODAY + throughOffset * DAY;
          const from = TODAY + fromOffset * DAY;
          const history: DayHistory = {
            probeId: "p",
            regions: regionsKey(REGIONS),
            throughDay: through,
            builtAt: 0,
            days: dayTotalsFrom(daily, TODAY - 20 * DAY, through + DAY),
          };
          const newer = daily.filter((r) => r.bucketAt > through);
          expect(mergeDays(history, REGIONS, newer, from, TODAY + DAY)).toEqual(
            dayTotalsFrom(daily, from, TODAY + DAY),
          );
        },
      ),
    );
  });

  it("ignores a history that merged other regions than the probe's", () => {
    const daily: Rollup[] = [rollup({ bucketAt: TODAY - DAY, grain: "day", region: "weur", up: 4 })];
    const stale: DayHistory = {
      probeId: "p",
      regions: "enam,weur",
      throughDay: TODAY - DAY,
      builtAt: 0,
      days: [{ dayAt: TODAY - DAY, total: 99, up: 99, degraded: 0, down: 0, maintenance: 0, medianMs: null }],
    };
    expect(mergeDays(stale, ["weur"], daily, TODAY - 5 * DAY, TODAY + DAY).map((d) => d.total)).toEqual([4]);
    expect(
      mergeDays({ ...stale, regions: "weur" }, ["weur"], daily, TODAY - 5 * DAY, TODAY + DAY).map((d) => d.total),
    ).toEqual([99]);
  });
});

describe("settling and staleness", () => {
  it("settles a day an hour after it ends", () => {
    expect(settledThrough(TODAY + 59 * 60_000)).toBe(TODAY - 2 * DAY);
    expect(settledThrough(TODAY + 60 * 60_000)).toBe(TODAY - DAY);
    expect(settledThrough(TODAY + DAY - 1)).toBe(TODAY - DAY);
  });

  it("lists missing histories first, then changed regions, then the furthest behind; up-to-date ones never", () => {
    const now = TODAY + 2 * 3_600_000;
    const probes = ["fresh", "behind-1", "missing", "regions", "behind-5"].map((probeId) => ({
      probeId,
      regions: ["weur", "enam"],
    }));
    const stored = new Map([
      ["fresh", { regions: "enam,weur", throughDay: TODAY - DAY }],
      ["behind-1", { regions: "enam,weur", throughDay: TODAY - 2 * DAY }],
      ["regions", { regions: "weur", throughDay: TODAY - DAY }],
      ["behind-5", { regions: "enam,weur", throughDay: TODAY - 6 * DAY }],
    ]);
    expect(staleHistories(probes, stored, now)).toEqual(["missing", "regions", "behind-5", "behind-1"]);
    expect(regionsKey(["weur", "enam"])).toBe("enam,weur");
  });
});
