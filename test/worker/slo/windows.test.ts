/** SLO windows: resolution at round and non-round times, the grain plan, and no double counting across grains. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planGrains, resolveWindow, selectRollups, type SloWindow, windowLengthMs } from "../../../src/slo/windows.ts";
import { arbRuns, arbShuffledWithDuplicates, bothGrains, DAY, HOUR, MINUTE, rollup } from "./rollup-fixtures.ts";

const at = (iso: string) => Date.parse(iso);

describe("resolveWindow", () => {
  it("takes the whole hour that holds now − 1h at a non-round time", () => {
    expect(resolveWindow("1h", at("2026-01-15T10:37:20.500Z"))).toEqual({ from: at("2026-01-15T09:00:00Z"), to: at("2026-01-15T10:37:20.500Z") });
  });

  it("is exactly one hour at a round hour", () => {
    expect(resolveWindow("1h", at("2026-01-15T10:00:00Z"))).toEqual({ from: at("2026-01-15T09:00:00Z"), to: at("2026-01-15T10:00:00Z") });
  });

  it.each<[SloWindow, string]>([
    ["24h", "2026-01-14T10:00:00Z"],
    ["7d", "2026-01-08T10:00:00Z"],
    ["30d", "2025-12-16T10:00:00Z"],
    ["90d", "2025-10-17T10:00:00Z"],
    ["month", "2026-01-01T00:00:00Z"],
  ])("%s at 2026-01-15T10:37:20Z starts at %s", (window, from) => {
    expect(resolveWindow(window, at("2026-01-15T10:37:20Z"))).toEqual({ from: at(from), to: at("2026-01-15T10:37:20Z") });
  });

  it("a calendar month of 31 days: from its first instant to now, 31 days long", () => {
    const now = at("2026-03-31T23:59:59.999Z");
    expect(resolveWindow("month", now)).toEqual({ from: at("2026-03-01T00:00:00Z"), to: now });
    expect(windowLengthMs("month", now)).toBe(31 * DAY);
    // The first instant of April belongs to April, not March.
    expect(resolveWindow("month", at("2026-04-01T00:00:00Z"))).toEqual({ from: at("2026-04-01T00:00:00Z"), to: at("2026-04-01T00:00:00Z") });
  });

  it("month lengths follow the calendar (30, 28, leap 29)", () => {
    expect(windowLengthMs("month", at("2026-04-10T00:00:00Z"))).toBe(30 * DAY);
    expect(windowLengthMs("month", at("2026-02-10T00:00:00Z"))).toBe(28 * DAY);
    expect(windowLengthMs("month", at("2028-02-29T12:00:00Z"))).toBe(29 * DAY);
    expect(windowLengthMs("month", at("2026-12-31T12:00:00Z"))).toBe(31 * DAY);
    expect(windowLengthMs("30d", at("2026-02-10T00:00:00Z"))).toBe(30 * DAY);
  });

  it("refuses a time that is not a number", () => {
    expect(() => resolveWindow("1h", Number.NaN)).toThrow(RangeError);
  });

  it("always starts on an hour, covers at least the window and less than an hour more", () => {
    fc.assert(
      fc.property(fc.constantFrom<SloWindow>("1h", "24h", "7d", "30d", "90d"), fc.integer({ min: 1.6e12, max: 2e12 }), (window, now) => {
        const { from, to } = resolveWindow(window, now);
        expect(from % HOUR).toBe(0);
        expect(to).toBe(now);
        expect(to - from).toBeGreaterThanOrEqual(windowLengthMs(window, now));
        expect(to - from).toBeLessThan(windowLengthMs(window, now) + HOUR);
      }),
    );
  });
});

describe("planGrains", () => {
  it("30d at a non-round time: the partial first and last days hourly, the 29 whole days daily", () => {
    const { from, to } = resolveWindow("30d", at("2026-01-15T10:37:00Z"));
    expect(planGrains(from, to)).toEqual({
      daily: { from: at("2025-12-17T00:00:00Z"), to: at("2026-01-15T00:00:00Z") },
      hourly: [
        { from: at("2025-12-16T10:00:00Z"), to: at("2025-12-17T00:00:00Z") },
        { from: at("2026-01-15T00:00:00Z"), to: at("2026-01-15T10:37:00Z") },
      ],
    });
  });

  it("1h and 24h windows that hold no whole day are hourly only", () => {
    const now = at("2026-01-15T10:37:00Z");
    expect(planGrains(...spanOf(resolveWindow("1h", now)))).toEqual({ daily: null, hourly: [{ from: at("2026-01-15T09:00:00Z"), to: now }] });
    expect(planGrains(...spanOf(resolveWindow("24h", now)))).toEqual({ daily: null, hourly: [{ from: at("2026-01-14T10:00:00Z"), to: now }] });
  });

  it("a month starts on a day, so it has no partial first day", () => {
    const now = at("2026-01-20T05:30:00Z");
    expect(planGrains(...spanOf(resolveWindow("month", now)))).toEqual({
      daily: { from: at("2026-01-01T00:00:00Z"), to: at("2026-01-20T00:00:00Z") },
      hourly: [{ from: at("2026-01-20T00:00:00Z"), to: now }],
    });
  });

  it("a window ending at midnight has no partial last day", () => {
    const now = at("2026-01-20T00:00:00Z");
    expect(planGrains(...spanOf(resolveWindow("7d", now)))).toEqual({ daily: { from: at("2026-01-13T00:00:00Z"), to: now }, hourly: [] });
  });

  it("refuses a start that is not on an hour", () => {
    expect(() => planGrains(at("2026-01-15T09:30:00Z"), at("2026-01-15T10:00:00Z"))).toThrow(/hour boundary/);
  });
});

function spanOf(s: { from: number; to: number }): [number, number] {
  return [s.from, s.to];
}

describe("selectRollups", () => {
  const now = at("2026-01-15T10:37:00Z");
  const { from, to } = resolveWindow("30d", now);

  it("drops the hourly rows of days a daily row serves, and rows outside the window", () => {
    const rows = [
      rollup({ grain: "hour", bucketAt: at("2025-12-16T09:00:00Z"), up: 1 }), // before the window
      rollup({ grain: "hour", bucketAt: at("2025-12-16T10:00:00Z"), up: 2 }), // partial first day: in
      rollup({ grain: "day", bucketAt: at("2025-12-16T00:00:00Z"), up: 30 }), // partial first day as a day: out
      rollup({ grain: "hour", bucketAt: at("2025-12-20T13:00:00Z"), up: 4 }), // inside a whole day: out
      rollup({ grain: "day", bucketAt: at("2025-12-20T00:00:00Z"), up: 96 }), // whole day: in
      rollup({ grain: "day", bucketAt: at("2026-01-15T00:00:00Z"), up: 40 }), // today, partial: out
      rollup({ grain: "hour", bucketAt: at("2026-01-15T10:00:00Z"), up: 5 }), // current hour: in
      rollup({ grain: "hour", bucketAt: at("2026-01-15T11:00:00Z"), up: 7 }), // after now: out
    ];
    expect(selectRollups(rows, from, to).map((r) => [r.grain, new Date(r.bucketAt).toISOString(), r.up])).toEqual([
      ["hour", "2025-12-16T10:00:00.000Z", 2],
      ["day", "2025-12-20T00:00:00.000Z", 96],
      ["hour", "2026-01-15T10:00:00.000Z", 5],
    ]);
  });

  it("keeps a row read twice once, the larger snapshot when they differ", () => {
    const older = rollup({ bucketAt: at("2026-01-15T10:00:00Z"), up: 3 });
    const newer = rollup({ bucketAt: at("2026-01-15T10:00:00Z"), up: 5 });
    expect(selectRollups([older, newer, older], from, to)).toEqual([newer]);
    expect(selectRollups([newer, older], from, to)).toEqual([newer]);
  });

  it("counts every run once: the selection over both grains holds exactly the runs in [from, to)", () => {
    const start = at("2026-01-01T00:00:00Z");
    const spanMinutes = 12 * 24 * 60;
    fc.assert(
      fc.property(
        arbRuns(start, spanMinutes),
        fc.constantFrom<SloWindow>("1h", "24h", "7d", "month"),
        fc.integer({ min: 1, max: spanMinutes }),
        (allRuns, window, nowMinute) => {
          const now = start + nowMinute * MINUTE;
          const runs = allRuns.filter((r) => r.slotAt < now); // nothing after now is stored yet
          const w = resolveWindow(window, now);
          const selected = selectRollups(bothGrains(runs), w.from, w.to);
          const expected = runs.filter((r) => r.slotAt >= w.from && r.slotAt < w.to).length;
          expect(selected.reduce((n, r) => n + r.total, 0)).toBe(expected);
          // No two selected rows of one (probe, region) overlap in time.
          const spans = selected.map((r) => ({ key: `${r.probeId}|${r.region}`, from: r.bucketAt, to: r.bucketAt + (r.grain === "day" ? DAY : HOUR) }));
          for (const a of spans) for (const b of spans) if (a !== b && a.key === b.key) expect(a.to <= b.from || b.to <= a.from).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("input order and repeated rows change nothing", () => {
    const start = at("2026-01-01T00:00:00Z");
    const nowAt = at("2026-01-09T13:20:00Z");
    const w = resolveWindow("7d", nowAt);
    fc.assert(
      fc.property(
        arbRuns(start, 8 * 24 * 60 + 13 * 60, 150).chain((runs) => {
          const rows = bothGrains(runs);
          return fc.tuple(fc.constant(rows), arbShuffledWithDuplicates(rows));
        }),
        ([rows, shuffled]) => {
          expect(selectRollups(shuffled, w.from, w.to)).toEqual(selectRollups(rows, w.from, w.to));
        },
      ),
      { numRuns: 100 },
    );
  });
});
