/** Maintenance windows: one-off and recurring (cron on a zone's wall clock, across DST), cancellation, lookups. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isInMaintenance,
  maintenanceScheduleProblems,
  wallClockToInstant,
  maintenanceWindowsOf,
  zoneOffsetMs,
} from "../../../src/incidents/maintenance-windows.ts";
import type { Maintenance, MaintenanceSchedule, MaintenanceWindow } from "../../../src/incidents/model.ts";

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;

function maintenance(id: string, schedule: MaintenanceSchedule, extra: Partial<Maintenance> = {}): Maintenance {
  return {
    id,
    title: id,
    body: "",
    probeIds: ["shop-checkout"],
    schedule,
    excludeFromSlo: true,
    createdAt: 0,
    updatedAt: 0,
    cancelledAt: null,
    ...extra,
  };
}
const weekly = (cron = "0 2 * * SUN", durationMinutes = 60, timeZone = "Europe/Berlin") =>
  maintenance("weekly", { kind: "recurring", cron, durationMinutes, timeZone });
const byStart = (a: MaintenanceWindow, b: MaintenanceWindow) =>
  a.startsAt - b.startsAt || (a.maintenanceId < b.maintenanceId ? -1 : a.maintenanceId > b.maintenanceId ? 1 : 0);
/** Windows in progress at `now`, by start: what the incident step asks maintenanceWindowsOf for at each slot. */
const activeWindows = (ms: readonly Maintenance[], now: number) =>
  ms.flatMap((m) => maintenanceWindowsOf(m, now, now + 1)).sort(byStart);
/** Windows starting in (now, now + horizon), by start: the page's and the feed's question to maintenanceWindowsOf. */
const upcomingWindows = (ms: readonly Maintenance[], now: number, horizon: number) =>
  ms
    .flatMap((m) => maintenanceWindowsOf(m, now, now + horizon))
    .filter((w) => w.startsAt > now && w.startsAt < now + horizon)
    .sort(byStart);
const span = (w: { startsAt: number; endsAt: number }) => [
  new Date(w.startsAt).toISOString(),
  new Date(w.endsAt).toISOString(),
];

describe("time zones", () => {
  it("reads the offset at an instant", () => {
    expect(zoneOffsetMs(Date.UTC(2025, 0, 15), "Europe/Berlin")).toBe(H);
    expect(zoneOffsetMs(Date.UTC(2025, 6, 15), "Europe/Berlin")).toBe(2 * H);
    expect(zoneOffsetMs(Date.UTC(2025, 6, 15), "America/New_York")).toBe(-4 * H);
    expect(zoneOffsetMs(Date.UTC(2025, 6, 15), "Asia/Kathmandu")).toBe(5 * H + 45 * MIN);
    expect(zoneOffsetMs(Date.UTC(2025, 6, 15), "UTC")).toBe(0);
  });

  it("maps wall-clock times to instants: gaps move later, repeats take the first", () => {
    expect(wallClockToInstant(Date.UTC(2025, 0, 15, 2), "Europe/Berlin")).toBe(Date.UTC(2025, 0, 15, 1));
    expect(wallClockToInstant(Date.UTC(2025, 2, 30, 2), "Europe/Berlin")).toBe(Date.UTC(2025, 2, 30, 1)); // 02:00 does not exist: 03:00 CEST
    expect(wallClockToInstant(Date.UTC(2025, 2, 30, 2, 30), "Europe/Berlin")).toBe(Date.UTC(2025, 2, 30, 1, 30)); // 03:30 CEST
    expect(wallClockToInstant(Date.UTC(2025, 9, 26, 2, 30), "Europe/Berlin")).toBe(Date.UTC(2025, 9, 26, 0, 30)); // first 02:30 (CEST)
    expect(wallClockToInstant(Date.UTC(2025, 2, 9, 2, 30), "America/New_York")).toBe(Date.UTC(2025, 2, 9, 7, 30)); // 03:30 EDT
  });

  it("round-trips any instant to the first instant with its wall-clock time", () => {
    const zones = [
      "Europe/Berlin",
      "America/New_York",
      "Australia/Sydney",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
      "America/Santiago",
      "UTC",
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1) / MIN, max: Date.UTC(2040, 0, 1) / MIN }),
        fc.constantFrom(...zones),
        (minute, zone) => {
          const t = minute * MIN;
          const wall = t + zoneOffsetMs(t, zone);
          const back = wallClockToInstant(wall, zone);
          expect(back + zoneOffsetMs(back, zone)).toBe(wall);
          expect(back).toBeLessThanOrEqual(t);
          expect(t - back).toBeLessThanOrEqual(H); // only a repeated hour maps back earlier
        },
      ),
    );
  });
});

describe('recurring "0 2 * * SUN" in Europe/Berlin', () => {
  it("keeps 02:00 Berlin time across the spring change, starting when the clocks jump on the day itself", () => {
    const windows = upcomingWindows([weekly()], Date.UTC(2025, 2, 20), 21 * DAY);
    expect(windows.map(span)).toEqual([
      ["2025-03-23T01:00:00.000Z", "2025-03-23T02:00:00.000Z"], // 02:00 CET
      ["2025-03-30T01:00:00.000Z", "2025-03-30T02:00:00.000Z"], // 02:00 does not exist; 03:00 CEST
      ["2025-04-06T00:00:00.000Z", "2025-04-06T01:00:00.000Z"], // 02:00 CEST
    ]);
    expect(windows.every((w) => w.maintenanceId === "weekly")).toBe(true);
  });

  it("happens once in the repeated autumn hour, at the first 02:00", () => {
    expect(upcomingWindows([weekly()], Date.UTC(2025, 9, 15), 21 * DAY).map(span)).toEqual([
      ["2025-10-19T00:00:00.000Z", "2025-10-19T01:00:00.000Z"], // 02:00 CEST
      ["2025-10-26T00:00:00.000Z", "2025-10-26T01:00:00.000Z"], // the first 02:00 (still CEST)
      ["2025-11-02T01:00:00.000Z", "2025-11-02T02:00:00.000Z"], // 02:00 CET
    ]);
  });

  it("moves a start inside the gap later by the gap and takes every repeated time once", () => {
    expect(upcomingWindows([weekly("30 2 * * SUN", 30)], Date.UTC(2025, 2, 29), 2 * DAY).map(span)).toEqual([
      ["2025-03-30T01:30:00.000Z", "2025-03-30T02:00:00.000Z"],
    ]);
    const halfHourly = maintenance("hh", {
      kind: "recurring",
      cron: "*/30 1-3 * * *",
      durationMinutes: 10,
      timeZone: "Europe/Berlin",
    });
    expect(
      upcomingWindows([halfHourly], Date.UTC(2025, 9, 25, 21), 8 * H).map((w) =>
        new Date(w.startsAt).toISOString().slice(11, 16),
      ),
    ).toEqual([
      "23:00", // 01:00 CEST
      "23:30",
      "00:00", // 02:00 CEST, first time
      "00:30",
      // 02:00 and 02:30 CET repeat wall-clock times: not again
      "02:00", // 03:00 CET
      "02:30",
    ]);
  });

  it("is active during the window only (start inclusive, end exclusive)", () => {
    const m = [weekly()];
    const start = Date.UTC(2025, 2, 30, 1);
    expect(activeWindows(m, start - 1)).toEqual([]);
    expect(activeWindows(m, start)).toEqual([{ maintenanceId: "weekly", startsAt: start, endsAt: start + H }]);
    expect(activeWindows(m, start + H - 1)).toHaveLength(1);
    expect(activeWindows(m, start + H)).toEqual([]);
    expect(isInMaintenance("shop-checkout", m, start + 30 * MIN)).toBe(true);
    expect(isInMaintenance("shop-home", m, start + 30 * MIN)).toBe(false);
    expect(isInMaintenance("shop-checkout", m, start + 7 * DAY - 30 * MIN)).toBe(true); // 02:30 CEST next Sunday is 00:30Z
  });

  it("finds a long window that started before the lookup", () => {
    const m = [weekly("0 22 * * FRI", 3 * 24 * 60)]; // Friday 22:00 to Monday 22:00 Berlin
    expect(activeWindows(m, Date.UTC(2025, 5, 15, 12)).map(span)).toEqual([
      ["2025-06-13T20:00:00.000Z", "2025-06-16T20:00:00.000Z"],
    ]);
  });
});

describe("every zone, every day", () => {
  it('a daily "M H * * *" starts once a day, 23 to 25 hours apart, at that wall-clock time unless it fell into a gap', () => {
    const zones = [
      "Europe/Berlin",
      "America/New_York",
      "Australia/Lord_Howe",
      "America/Santiago",
      "Asia/Kathmandu",
      "Pacific/Apia",
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(2005, 0, 1) / DAY, max: Date.UTC(2035, 0, 1) / DAY }),
        (minute, hour, zone, day) => {
          const from = day * DAY;
          const windows = maintenanceWindowsOf(
            maintenance("d", {
              kind: "recurring",
              cron: `${minute} ${hour} * * *`,
              durationMinutes: 1,
              timeZone: zone,
            }),
            from,
            from + 60 * DAY,
          );
          expect(windows.length).toBeGreaterThanOrEqual(58);
          expect(windows.length).toBeLessThanOrEqual(61);
          for (let i = 1; i < windows.length; i++) {
            const gap = windows[i]!.startsAt - windows[i - 1]!.startsAt;
            expect(gap).toBeGreaterThanOrEqual(23 * H);
            expect(gap).toBeLessThanOrEqual(25 * H);
          }
          for (const w of windows) {
            const wall = new Date(w.startsAt + zoneOffsetMs(w.startsAt, zone));
            const asScheduled = wall.getUTCHours() === hour && wall.getUTCMinutes() === minute;
            // Otherwise the scheduled time did not exist that day, and the start is the same distance past midnight.
            if (!asScheduled)
              expect(
                wallClockToInstant(
                  Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), hour, minute),
                  zone,
                ),
              ).toBe(w.startsAt);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("one-off windows and cancellation", () => {
  const T = Date.UTC(2026, 5, 1, 10);
  const once = (extra: Partial<Maintenance> = {}) =>
    maintenance("once", { kind: "once", startsAt: T, endsAt: T + 2 * H }, extra);

  it("is active between start and end", () => {
    expect(activeWindows([once()], T - 1)).toEqual([]);
    expect(activeWindows([once()], T)).toEqual([{ maintenanceId: "once", startsAt: T, endsAt: T + 2 * H }]);
    expect(activeWindows([once()], T + 2 * H)).toEqual([]);
    expect(upcomingWindows([once()], T - DAY, DAY + 1)).toEqual([
      { maintenanceId: "once", startsAt: T, endsAt: T + 2 * H },
    ]);
    expect(upcomingWindows([once()], T - DAY, DAY)).toEqual([]); // the horizon is exclusive
    expect(upcomingWindows([once()], T, DAY)).toEqual([]); // in progress is active, not upcoming
  });

  it("ignores a window cancelled before it starts", () => {
    const cancelled = once({ cancelledAt: T - H });
    expect(activeWindows([cancelled], T + H)).toEqual([]);
    expect(upcomingWindows([cancelled], T - DAY, 2 * DAY)).toEqual([]);
    expect(isInMaintenance("shop-checkout", [cancelled], T + H)).toBe(false);
  });

  it("ends a window cancelled while in progress, and keeps finished ones for history", () => {
    expect(maintenanceWindowsOf(once({ cancelledAt: T + 30 * MIN }), 0, T + DAY)).toEqual([
      { maintenanceId: "once", startsAt: T, endsAt: T + 30 * MIN },
    ]);
    expect(isInMaintenance("shop-checkout", [once({ cancelledAt: T + 30 * MIN })], T + H)).toBe(false);
    expect(maintenanceWindowsOf(once({ cancelledAt: T + DAY }), 0, T + DAY)).toEqual([
      { maintenanceId: "once", startsAt: T, endsAt: T + 2 * H },
    ]);
  });

  it("stops a recurring schedule at its cancellation", () => {
    const m = weekly();
    const cancelledAt = Date.UTC(2025, 2, 27);
    const windows = maintenanceWindowsOf({ ...m, cancelledAt }, Date.UTC(2025, 2, 1), Date.UTC(2025, 3, 30));
    expect(windows.map((w) => new Date(w.startsAt).toISOString().slice(0, 10))).toEqual([
      "2025-03-02",
      "2025-03-09",
      "2025-03-16",
      "2025-03-23",
    ]);
    expect(upcomingWindows([{ ...m, cancelledAt }], cancelledAt, 30 * DAY)).toEqual([]);
  });

  it("sorts windows of several maintenances by start, then id", () => {
    const a = maintenance("a", { kind: "once", startsAt: Date.UTC(2025, 2, 30, 1), endsAt: Date.UTC(2025, 2, 30, 5) });
    const z = maintenance("z", { kind: "once", startsAt: Date.UTC(2025, 2, 29), endsAt: Date.UTC(2025, 2, 29, 1) });
    expect(
      upcomingWindows([weekly(), a, z], Date.UTC(2025, 2, 28), 3 * DAY).map((w) => [w.maintenanceId, w.startsAt]),
    ).toEqual([
      ["z", Date.UTC(2025, 2, 29)],
      ["a", Date.UTC(2025, 2, 30, 1)],
      ["weekly", Date.UTC(2025, 2, 30, 1)],
    ]);
  });
});

describe("bad schedules", () => {
  it("yield no windows instead of stopping every probe's incident step", () => {
    const broken = [weekly("0 2 * *", 60), weekly("0 2 * * SUN", 60, "Mars/Olympus")];
    expect(activeWindows(broken, Date.UTC(2025, 2, 30, 1, 30))).toEqual([]);
    expect(isInMaintenance("shop-checkout", broken, Date.UTC(2025, 2, 30, 1, 30))).toBe(false);
  });

  it("are reported with their field path at the edge", () => {
    expect(
      maintenanceScheduleProblems({
        kind: "recurring",
        cron: "0 2 * * SUN",
        durationMinutes: 60,
        timeZone: "Europe/Berlin",
      }),
    ).toEqual([]);
    expect(
      maintenanceScheduleProblems({
        kind: "recurring",
        cron: "0 25 * * *",
        durationMinutes: 60,
        timeZone: "Mars/Olympus",
      }),
    ).toEqual([
      { path: "schedule.cron", message: "'25' is not a valid hour (0-23)" },
      { path: "schedule.timeZone", message: "'Mars/Olympus' is not a known IANA time zone, e.g. Europe/Berlin" },
    ]);
    expect(maintenanceScheduleProblems({ kind: "once", startsAt: 10, endsAt: 10 })).toEqual([
      { path: "schedule.endsAt", message: "must be after startsAt" },
    ]);
  });
});
