/** The page's view models: pure rules, table-driven and with properties. */
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Incident, Maintenance } from "../../../src/incidents/model.ts";
import { formatCount, formatMs, formatPercent, monthOf } from "../../../src/page/format.ts";
import { parsePageConfig } from "../../../src/page/page-config.ts";
import { BAR_DAYS, barsFrom, dayBars } from "../../../src/page/day-bars.ts";
import { historyMonths } from "../../../src/page/history-view.ts";
import { incidentViews, noticesView, NO_NOTICES, type IncidentView } from "../../../src/page/notices-view.ts";
import { failureCells, latencyChart } from "../../../src/page/probe-detail-view.ts";
import { bannerState, buildStatusView } from "../../../src/page/status-view.ts";
import { isVisible } from "../../../src/page/visibility.ts";
import { worstState, type ComponentState } from "../../../src/status/state-order.ts";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import { SCHEDULES } from "../../../src/probe/schema.ts";
import { expectedRunsPerRegion } from "../../../src/slo/coverage.ts";
import { BUCKET_BOUNDS_MS, emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import type { Rollup } from "../../../src/storage/rollup-rows.ts";
import { dayTotalsFrom } from "../../../src/status/day-totals.ts";
import type { Overview } from "../../../src/status/overview.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 30);
const TODAY = Date.UTC(2026, 10, 26);

function probes(...defs: Record<string, unknown>[]): LoadedProbe[] {
  return loadRegistry(
    defs.map((d, i) => ({
      file: `probes/p${i}.ts`,
      definition: { regions: ["weur", "enam"], steps: [{ name: "s", url: "http://x.test/" }], ...d },
    })),
  );
}

const [alpha, beta, hidden] = probes(
  { id: "alpha", name: "Alpha", group: "Core", slo: { availability: 0.99 } },
  { id: "beta", name: "Beta", group: "Edge", schedule: "5m" },
  { id: "hidden", name: "Hidden", group: "Core", public: false },
);

function rollup(
  probeId: string,
  region: string,
  bucketAt: number,
  counts: { up?: number; degraded?: number; down?: number; ms?: number },
  grain: "day" | "hour" = "day",
): Rollup {
  const up = counts.up ?? 0;
  const degraded = counts.degraded ?? 0;
  const down = counts.down ?? 0;
  let latency = emptyHistogram();
  for (let i = 0; i < up + degraded; i++) latency = record(latency, counts.ms ?? 100);
  return {
    probeId,
    region,
    grain,
    bucketAt,
    total: up + degraded + down,
    up,
    degraded,
    down,
    latency,
    stepFailures: {},
  };
}

const daysAgo = (n: number) => TODAY - n * DAY_MS;

/** The bars of one probe's daily rollups, as the page gets them: through its day totals. */
const barsOf = (loaded: LoadedProbe, daily: readonly Rollup[], incidents: readonly IncidentView[] = []) =>
  dayBars(loaded, dayTotalsFrom(daily, barsFrom(NOW), NOW + 1), incidents, NOW);

function incident(overrides: Partial<Incident>): Incident {
  return {
    id: "i1",
    kind: "manual",
    title: "Checkout errors",
    impact: "minor",
    status: "investigating",
    probeIds: ["alpha"],
    regions: [],
    startedAt: NOW - HOUR_MS,
    resolvedAt: null,
    createdAt: NOW - HOUR_MS,
    updatedAt: NOW - HOUR_MS,
    failure: null,
    public: true,
    updates: [],
    ...overrides,
  };
}

function maintenance(overrides: Partial<Maintenance>): Maintenance {
  return {
    id: "m1",
    title: "Database upgrade",
    body: "Read-only for a few minutes.",
    probeIds: ["alpha"],
    schedule: { kind: "once", startsAt: NOW - HOUR_MS, endsAt: NOW + HOUR_MS },
    excludeFromSlo: true,
    createdAt: NOW - DAY_MS,
    updatedAt: NOW - DAY_MS,
    cancelledAt: null,
    ...overrides,
  };
}

describe("the 90-day bars", () => {
  it("expects the same runs on every whole UTC day: each schedule's interval divides a day", () => {
    for (const [schedule, minutes] of Object.entries(SCHEDULES)) {
      expect(1440 % minutes, schedule).toBe(0);
      const [p] = probes({ id: `every-${schedule}`, name: "P", group: "G", schedule });
      const days = dayBars(p!, [], [], NOW);
      expect(new Set(days.slice(0, -1).map((d) => d.missing)), schedule).toEqual(new Set([(1440 / minutes) * 2]));
      expect(
        days.slice(0, -1).map((d) => d.missing),
        schedule,
      ).toEqual(days.slice(0, -1).map((d) => expectedRunsPerRegion(p!, d.dayAt, d.dayAt + DAY_MS) * 2));
    }
  });

  it("without any rollup: 90 grey days, never green, each with its expected runs missing", () => {
    const days = dayBars(alpha!, [], [], NOW);
    expect(days).toHaveLength(BAR_DAYS);
    expect(days[0]!.dayAt).toBe(daysAgo(89));
    expect(days[89]!.dayAt).toBe(TODAY);
    expect(days.every((d) => d.level === "none" && d.availability === null && d.medianMs === null)).toBe(true);
    expect(days[0]!.missing).toBe(1440 * 2);
    expect(days[89]!.missing).toBe((12 * 60 + 31) * 2); // 00:00 to 12:30 inclusive, two regions
  });

  it("sums the regions of a day, colours by the probe's objective, and takes the median over every region", () => {
    const days = barsOf(alpha!, [
      rollup("alpha", "weur", daysAgo(1), { up: 710, degraded: 10, ms: 100 }),
      rollup("alpha", "enam", daysAgo(1), { up: 715, down: 5, ms: 300 }),
      rollup("alpha", "weur", daysAgo(2), { up: 950, down: 50 }),
      rollup("alpha", "weur", daysAgo(3), { up: 80, down: 20 }),
      rollup("alpha", "weur", daysAgo(90), { up: 5 }), // before the bars
      rollup("alpha", "weur", daysAgo(4), { up: 5 }, "hour"), // not a daily rollup
    ]);
    const yesterday = days[88]!;
    expect(yesterday).toMatchObject({
      runs: 1440,
      up: 1425,
      degraded: 10,
      down: 5,
      missing: 1440 * 2 - 1440,
      level: "ok",
    });
    expect(yesterday.availability).toBeCloseTo(1435 / 1440);
    expect(yesterday.medianMs).toBe(BUCKET_BOUNDS_MS.find((b) => b >= 100)); // 720 timed runs at 100 ms, 715 at 300 ms
    expect(days[87]!.level).toBe("minor"); // 95 %: below 99 %, above 90 %
    expect(days[86]!.level).toBe("major"); // 80 %
    expect(days[85]!.level).toBe("none");
    expect(days.filter((d) => d.runs > 0)).toHaveLength(3);
  });

  it("is grey exactly when no run was judged (none stored, or all in maintenance), and its availability stays within [0, 1] (property)", () => {
    const arb = fc.array(
      fc.record({
        day: fc.integer({ min: -5, max: 95 }),
        region: fc.constantFrom("weur", "enam"),
        up: fc.nat(2000),
        degraded: fc.nat(50),
        down: fc.nat(2000),
        maintenance: fc.nat(30),
      }),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const rollups = rows.map((r): Rollup => {
          const base = rollup("alpha", r.region, daysAgo(r.day), r);
          return { ...base, total: base.total + r.maintenance, maintenance: r.maintenance };
        });
        const days = barsOf(alpha!, rollups);
        for (const d of days) {
          expect(d.level === "none").toBe(d.up + d.degraded + d.down === 0);
          expect(d.runs).toBe(d.up + d.degraded + d.down + d.maintenance);
          if (d.availability !== null) {
            expect(d.availability).toBeGreaterThanOrEqual(0);
            expect(d.availability).toBeLessThanOrEqual(1);
          }
          expect(d.missing).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it("leaves runs in a maintenance window out of a day's availability, and never calls such a day empty", () => {
    const inMaintenance: Rollup = {
      ...rollup("alpha", "weur", daysAgo(1), { up: 90, down: 10 }),
      total: 160,
      maintenance: 60,
    };
    const onlyMaintenance: Rollup = { ...rollup("alpha", "weur", daysAgo(2), {}), total: 30, maintenance: 30 };
    const days = barsOf(alpha!, [inMaintenance, onlyMaintenance]);
    expect(days[88]).toMatchObject({ runs: 160, maintenance: 60, availability: 0.9, level: "minor" });
    expect(days[87]).toMatchObject({ runs: 30, maintenance: 30, availability: null, level: "none" });
    expect(days[87]!.missing).toBe(1440 * 2 - 30);
  });

  it("names the worst incident touching each day", () => {
    const views = incidentViews(
      [
        incident({
          id: "a",
          title: "Minor one",
          impact: "minor",
          startedAt: daysAgo(3) + HOUR_MS,
          resolvedAt: daysAgo(3) + 2 * HOUR_MS,
        }),
        incident({
          id: "b",
          title: "Major one",
          impact: "major",
          startedAt: daysAgo(3) + 5 * HOUR_MS,
          resolvedAt: daysAgo(2) + HOUR_MS,
        }),
        incident({ id: "c", title: "Ongoing", impact: "critical", startedAt: NOW - HOUR_MS, resolvedAt: null }),
      ],
      new Map([["alpha", "Alpha"]]),
    );
    const days = dayBars(alpha!, [], views, NOW);
    expect(days[86]!.worstIncident).toEqual({ id: "b", title: "Major one", impact: "major" });
    expect(days[87]!.worstIncident?.id).toBe("b");
    expect(days[88]!.worstIncident).toBeNull();
    expect(days[89]!.worstIncident?.id).toBe("c");
  });
});

describe("states, visibility and notices", () => {
  it.each<[ComponentState[], string]>([
    [["up", "up"], "operational"],
    [["up", "maintenance"], "maintenance"],
    [["maintenance"], "maintenance"],
    [["down", "maintenance"], "major_outage"],
    [["down", "up", "maintenance"], "partial_outage"],
    [["degraded", "maintenance"], "degraded"],
    [["no-data", "maintenance"], "unknown"],
    [["no-data", "up", "maintenance"], "degraded"],
    [[], "unknown"],
  ])("banner of %j is %s", (states, banner) => {
    expect(bannerState(states)).toBe(banner);
  });

  it("a group takes the worst state of its probes", () => {
    expect(worstState(["up", "maintenance", "up"])).toBe("maintenance");
    expect(worstState(["up", "regional", "no-data"])).toBe("regional");
    expect(worstState(["degraded", "down"])).toBe("down");
  });

  it("shows public probes of public groups that the config does not hide", () => {
    const all = parsePageConfig({});
    expect([alpha, beta, hidden].map((p) => isVisible(p!, all))).toEqual([true, true, false]);
    expect(isVisible(alpha!, { ...all, hiddenProbes: ["alpha"] })).toBe(false);
    expect([alpha, beta].map((p) => isVisible(p!, { ...all, publicGroups: ["Edge"] }))).toEqual([false, true]);
  });

  it("keeps private incidents and those of hidden probes off the page, and names only shown probes", () => {
    const names = new Map([["alpha", "Alpha"]]);
    const views = incidentViews(
      [
        incident({
          id: "shown",
          probeIds: ["alpha", "hidden"],
          updates: [
            { id: "u1", status: "investigating", body: "Looking", createdAt: NOW - 50 * 60_000 },
            { id: "u2", status: "identified", body: "Found it", createdAt: NOW - 10 * 60_000 },
          ],
        }),
        incident({ id: "private", public: false }),
        incident({ id: "other", probeIds: ["hidden"] }),
      ],
      names,
    );
    expect(views.map((v) => v.id)).toEqual(["shown"]);
    expect(views[0]!.components).toEqual(["Alpha"]);
    expect(views[0]!.probeIds).toEqual(["alpha"]);
    expect(views[0]!.updates.map((u) => u.id)).toEqual(["u2", "u1"]);
  });

  it("splits maintenance into active and the next upcoming window, and drops cancelled ones", () => {
    const names = new Map([["alpha", "Alpha"]]);
    const notices = {
      incidents: [incident({ id: "open" }), incident({ id: "done", status: "resolved", resolvedAt: NOW - 60_000 })],
      maintenances: [
        maintenance({ id: "m1" }),
        maintenance({ id: "m2", title: "Weekly" }),
        maintenance({ id: "m3", cancelledAt: NOW - DAY_MS }),
        maintenance({ id: "m4", probeIds: ["hidden"] }),
      ],
      windows: [
        { maintenanceId: "m1", startsAt: NOW - HOUR_MS, endsAt: NOW + HOUR_MS },
        { maintenanceId: "m2", startsAt: NOW + DAY_MS, endsAt: NOW + DAY_MS + HOUR_MS },
        { maintenanceId: "m2", startsAt: NOW + 8 * DAY_MS, endsAt: NOW + 8 * DAY_MS + HOUR_MS },
        { maintenanceId: "m3", startsAt: NOW - HOUR_MS, endsAt: NOW + HOUR_MS },
        { maintenanceId: "m4", startsAt: NOW - HOUR_MS, endsAt: NOW + HOUR_MS },
      ],
    };
    const view = noticesView(notices, names, NOW);
    expect(view.activeIncidents.map((i) => i.id)).toEqual(["open"]);
    expect(view.activeMaintenance.map((m) => m.id)).toEqual(["m1"]);
    expect(view.upcomingMaintenance.map((m) => [m.id, m.startsAt])).toEqual([["m2", NOW + DAY_MS]]);
  });

  it("builds the page: groups in registry order, probes under maintenance, the newest check", () => {
    const overview: Overview = {
      state: "operational",
      checkedAt: NOW - 60_000,
      probes: [
        {
          id: "alpha",
          name: "Alpha",
          group: "Core",
          description: "",
          state: "down",
          regions: [],
          lastRunAt: NOW - 60_000,
        },
        {
          id: "beta",
          name: "Beta",
          group: "Edge",
          description: "",
          state: "up",
          regions: [],
          lastRunAt: NOW - 120_000,
        },
      ],
    };
    const notices = {
      incidents: [],
      maintenances: [maintenance({})],
      windows: [{ maintenanceId: "m1", startsAt: NOW - HOUR_MS, endsAt: NOW + HOUR_MS }],
    };
    const view = buildStatusView({
      config: parsePageConfig({}),
      now: NOW,
      probes: [alpha!, beta!],
      overview,
      days: new Map([["beta", dayTotalsFrom([rollup("beta", "weur", TODAY, { up: 10 })], barsFrom(NOW), NOW + 1)]]),
      notices,
    });
    expect(view.groups.map((g) => [g.name, g.state, g.probes.map((p) => p.id)])).toEqual([
      ["Core", "maintenance", ["alpha"]],
      ["Edge", "up", ["beta"]],
    ]);
    expect(view.state).toBe("maintenance");
    expect(view.checkedAt).toBe(NOW - 60_000);
    expect(view.groups[1]!.probes[0]!).toMatchObject({ availability: 1, daysWithData: 1 });
    expect(view.groups[1]!.complete).toBe(false);
    const plain = buildStatusView({
      config: parsePageConfig({}),
      now: NOW,
      probes: [alpha!, beta!],
      overview,
      days: new Map(),
      notices: NO_NOTICES,
    });
    expect(plain.state).toBe("partial_outage");
  });
});

describe("the component page", () => {
  it("charts hourly points over 24 h and 7 d, daily ones over 30 d, regions merged, gaps as null", () => {
    const hour = Math.floor(NOW / HOUR_MS) * HOUR_MS;
    const rollups = [
      rollup("alpha", "weur", hour, { up: 10, ms: 100 }, "hour"),
      rollup("alpha", "enam", hour, { up: 10, ms: 1000 }, "hour"),
      rollup("alpha", "weur", hour - 30 * HOUR_MS, { up: 10, ms: 50 }, "hour"),
      rollup("alpha", "weur", TODAY - 3 * DAY_MS, { up: 10, ms: 200 }),
    ];
    const day = latencyChart("24h", rollups, NOW);
    expect(day.points).toHaveLength(24);
    expect(day.points[23]).toMatchObject({
      at: hour,
      runs: 20,
      p50: BUCKET_BOUNDS_MS.find((b) => b >= 100),
      p95: 1024,
    });
    expect(day.points[0]).toMatchObject({ p50: null, p95: null, runs: 0 });
    const week = latencyChart("7d", rollups, NOW);
    expect(week.points).toHaveLength(168);
    expect(week.points[167 - 30]!.p50).toBe(BUCKET_BOUNDS_MS.find((b) => b >= 50));
    const month = latencyChart("30d", rollups, NOW);
    expect(month.points).toHaveLength(30);
    expect(month.points[26]!.p50).toBe(BUCKET_BOUNDS_MS.find((b) => b >= 200));
    expect(month.points.filter((p) => p.p50 !== null)).toHaveLength(1);
  });

  it("finds the last failures' hours in the rollups, then older days while raw runs are kept", () => {
    const hour = Math.floor(NOW / HOUR_MS) * HOUR_MS;
    expect(failureCells([rollup("alpha", "weur", hour, { up: 5 }, "hour")], NOW, 14)).toEqual([]);
    const rollups = [
      rollup("alpha", "weur", hour - 2 * HOUR_MS, { down: 2 }, "hour"),
      rollup("alpha", "enam", hour - 5 * HOUR_MS, { down: 1 }, "hour"),
      rollup("alpha", "enam", hour - 2 * HOUR_MS, { up: 3 }, "hour"),
      rollup("alpha", "weur", TODAY - 10 * DAY_MS, { down: 7 }),
      rollup("alpha", "weur", TODAY - 20 * DAY_MS, { down: 7 }), // raw runs already pruned
      rollup("alpha", "weur", TODAY, { down: 3 }), // the same failures as the hourly rows
    ];
    expect(failureCells(rollups, NOW, 14)).toEqual([
      { region: "weur", from: hour - 2 * HOUR_MS, to: hour - HOUR_MS, down: 2 },
      { region: "enam", from: hour - 5 * HOUR_MS, to: hour - 4 * HOUR_MS, down: 1 },
      { region: "weur", from: TODAY - 10 * DAY_MS, to: TODAY - 9 * DAY_MS, down: 7 },
    ]);
    expect(failureCells(rollups, NOW, 14, 2)).toHaveLength(1);
    expect(failureCells(rollups, NOW, 14, 100, 2)).toHaveLength(2);
  });
});

describe("history and formatting", () => {
  const view = (id: string, startedAt: number): IncidentView => ({
    id,
    title: id,
    impact: "minor",
    status: "resolved",
    startedAt,
    resolvedAt: startedAt + HOUR_MS,
    updatedAt: startedAt,
    components: [],
    probeIds: [],
    updates: [],
  });

  it("lists months newest first back to the oldest incident, empty months included, in the page's zone", () => {
    const months = historyMonths(
      [view("sep", Date.UTC(2026, 8, 3)), view("jun", Date.UTC(2026, 5, 30, 23, 30))],
      NOW,
      (at) => monthOf(at, "Europe/Berlin"),
    );
    expect(months.map((m) => [m.key, m.incidents.map((i) => i.id)])).toEqual([
      ["2026-11", []],
      ["2026-10", []],
      ["2026-09", ["sep"]],
      ["2026-08", []],
      ["2026-07", ["jun"]], // 23:30 UTC on 30 June is 1:30 on 1 July in Berlin
    ]);
    expect(months[0]!.label).toBe("November 2026");
    expect(historyMonths([], NOW, (at) => monthOf(at, "UTC")).map((m) => m.key)).toEqual([
      "2026-11",
      "2026-10",
      "2026-09",
    ]);
  });

  it("never rounds a percentage up to a better figure", () => {
    expect(formatPercent(0.99996)).toBe("99.99 %");
    expect(formatPercent(1)).toBe("100 %");
    expect(formatPercent(0)).toBe("0.00 %");
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (share) => {
        expect(Number.parseFloat(formatPercent(share)) / 100).toBeLessThanOrEqual(share + 1e-12);
      }),
    );
  });

  it("formats counts and latencies", () => {
    expect([0, 7, 999, 1000, 43_200, 1_234_567, -4321].map(formatCount)).toEqual([
      "0",
      "7",
      "999",
      "1,000",
      "43,200",
      "1,234,567",
      "-4,321",
    ]);
    expect([null, 12.4, 999, 1000, 2600, 13_000, Number.POSITIVE_INFINITY].map(formatMs)).toEqual([
      "no data",
      "12 ms",
      "999 ms",
      "1.0 s",
      "2.6 s",
      "13 s",
      "over 131 s",
    ]);
  });
});
