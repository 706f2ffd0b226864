/**
 * Every figure of GET /api/v1/slo recomputed by hand. Each scenario writes its runs through the
 * real store into the real local D1 (closed hours sealed into rollups as the tick does), asks the
 * Worker's API, and compares with an independent implementation of the SRE Workbook's formulas
 * inside this file, which reads nothing but the list of runs it wrote: counts must agree exactly,
 * ratios to 1e-9.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { latencyThresholdsOf } from "../../../src/slo/latency-thresholds.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { appDeps, appFetch } from "../support/app-deps.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Mid-minute, mid-hour: every window has a partial first and last hour. */
const NOW = Date.UTC(2026, 10, 20, 14, 27, 13, 500);
const LAST_SLOT = Math.floor(NOW / MINUTE) * MINUTE;
const RAW_RETENTION = 14 * DAY;

type Outcome = "up" | "degraded" | "down" | "probe";
interface Run {
  region: string;
  slotAt: number;
  outcome: Outcome;
  durationMs: number;
}

interface Scenario {
  name: string;
  id: string;
  regions: string[];
  window: "24h" | "30d";
  latency?: { percent: number; underMs: number };
  /** History written from this long before now. */
  historyMs: number;
  /** The run at a slot of a region (slots count back from the last one: ago = 0 is the newest), or null. */
  runAt: (region: number, ago: number) => { outcome: Outcome; durationMs?: number } | null;
  budgeting?: "occurrences" | "timeslices";
}

const fail = (outcome: Outcome = "down") => ({ outcome });
const SCENARIOS: Scenario[] = [
  {
    name: "steady failures below budget (0.05 %)",
    id: "steady",
    regions: ["weur", "enam"],
    window: "24h",
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: (r, ago) => ((ago * 2 + r) % 2000 === 7 ? fail() : { outcome: "up" }),
  },
  {
    name: "a short 20× burst (2 % for the last 50 minutes)",
    id: "burst",
    regions: ["weur", "enam"],
    window: "24h",
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: (r, ago) => (ago < 50 && (ago * 2 + r) % 50 === 0 ? fail() : { outcome: "up" }),
  },
  {
    name: "a 5× burn over 3 days (0.5 %)",
    id: "slow-burn",
    regions: ["weur", "enam"],
    window: "24h",
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: (r, ago) => ((ago * 2 + r) % 200 === 3 ? fail() : { outcome: "up" }),
  },
  {
    name: "stretches of missing runs, and monitoring-side failures",
    id: "gaps",
    regions: ["weur", "enam"],
    window: "24h",
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: (r, ago) => {
      if (r === 0 && ago >= 20 * 60 && ago < 23 * 60) return null; // weur silent for 3 hours yesterday
      if (r === 1 && ago < 45) return null; // enam silent for the last 45 minutes
      if ((ago + r) % 300 === 11) return fail("probe");
      return (ago + r) % 1997 === 5 ? fail() : { outcome: "up" };
    },
  },
  {
    name: "the same gaps, budgeted in timeslices",
    id: "gaps-slices",
    regions: ["weur", "enam"],
    window: "24h",
    budgeting: "timeslices",
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: (r, ago) =>
      r === 0 && ago >= 20 * 60 && ago < 23 * 60
        ? null
        : r === 1 && ago < 45
          ? null
          : (ago + r) % 97 === 5
            ? fail()
            : { outcome: "up" },
  },
  {
    name: "latencies uniform around the threshold (100–300 ms, under 250 ms)",
    id: "latency",
    regions: ["weur", "enam"],
    window: "24h",
    latency: { percent: 0.9, underMs: 250 },
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: (r, ago) => ({
      outcome: (ago + r) % 500 === 0 ? "down" : (ago * 7 + r) % 13 === 0 ? "degraded" : "up",
      durationMs: 100 + (((ago * 2 + r) * 7919) % 201),
    }),
  },
  { name: "no data at all", id: "silent", regions: ["weur", "enam"], window: "24h", historyMs: 0, runAt: () => null },
  {
    name: "100 % failures",
    id: "all-down",
    regions: ["weur", "enam"],
    window: "24h",
    historyMs: 3 * DAY + 2 * HOUR,
    runAt: () => fail(),
  },
  {
    name: "a probe added 16 minutes ago",
    id: "new",
    regions: ["weur", "enam"],
    window: "24h",
    historyMs: 16 * MINUTE,
    runAt: (r, ago) => (r === 1 && ago === 3 ? fail() : { outcome: "up" }),
  },
  {
    name: "30 days, the first hour past raw retention",
    id: "month",
    regions: ["weur"],
    window: "30d",
    historyMs: 31 * DAY,
    runAt: (_r, ago) => (ago % 1000 === 17 ? fail() : { outcome: "up" }),
  },
];

function probeOf(s: Scenario): LoadedProbe {
  return loadRegistry([
    {
      file: `probes/${s.id}.ts`,
      definition: {
        id: s.id,
        name: s.name,
        baseUrl: "https://example.com",
        regions: s.regions,
        schedule: "1m",
        slo: { availability: 0.999, window: s.window, ...(s.latency ? { latency: s.latency } : {}) },
        steps: [{ name: "home", url: "/" }],
      },
    },
  ])[0]!;
}

function runsOf(s: Scenario): Run[] {
  const runs: Run[] = [];
  for (let ago = 0; ago * MINUTE < s.historyMs; ago++) {
    s.regions.forEach((region, r) => {
      const run = s.runAt(r, ago);
      if (run)
        runs.push({
          region,
          slotAt: LAST_SLOT - ago * MINUTE,
          outcome: run.outcome,
          durationMs: run.durationMs ?? 120,
        });
    });
  }
  return runs;
}

function resultOf(probe: LoadedProbe, run: Run): RunResult {
  const down = run.outcome === "down" || run.outcome === "probe";
  return {
    runId: `${probe.probe.id}.${run.region}.${run.slotAt}`,
    probeId: probe.probe.id,
    probeVersion: probe.version,
    region: run.region,
    colo: run.region,
    slotAt: run.slotAt,
    startedAt: run.slotAt,
    durationMs: run.durationMs,
    status: down ? "down" : run.outcome === "degraded" ? "degraded" : "up",
    steps: [],
    ...(down
      ? {
          failure: {
            class: run.outcome === "probe" ? ("probe" as const) : ("status" as const),
            step: "home",
            message: "503",
          },
        }
      : {}),
  };
}

// ---------------------------------------------------------------- the Workbook, by hand

interface Counts {
  good: number;
  bad: number;
  noData: number;
  expected: number;
  missing: number;
  monitoringSide: number;
}

/** Counts over [from, to) for an SLI, from the runs alone; due runs are the minutes since each region's first run. */
function countsOver(
  s: Scenario,
  runs: readonly Run[],
  from: number,
  to: number,
  sli: "availability" | "latency",
): Counts {
  const firstOf = new Map<string, number>();
  for (const run of runs) firstOf.set(run.region, Math.min(firstOf.get(run.region) ?? Infinity, run.slotAt));
  const probeFirst = Math.min(...firstOf.values());
  const c: Counts = { good: 0, bad: 0, noData: 0, expected: 0, missing: 0, monitoringSide: 0 };
  for (const region of s.regions) {
    const first = firstOf.get(region) ?? (Number.isFinite(probeFirst) ? probeFirst : from);
    const dueFrom = Math.ceil(Math.max(from, first) / MINUTE) * MINUTE;
    const expected = Math.max(0, Math.ceil(to / MINUTE) - dueFrom / MINUTE);
    const inside = runs.filter((r) => r.region === region && r.slotAt >= from && r.slotAt < to);
    c.expected += expected;
    c.missing += Math.max(0, expected - inside.length);
    for (const run of inside) {
      if (run.outcome === "probe") c.monitoringSide++;
      else if (sli === "availability") run.outcome === "down" ? c.bad++ : c.good++;
      else if (run.outcome !== "down") run.durationMs <= s.latency!.underMs ? c.good++ : c.bad++;
    }
  }
  c.noData = c.missing + c.monitoringSide;
  return c;
}

const RULES = [
  { severity: "page", long: "1h", short: "5m", threshold: 14.4 },
  { severity: "page", long: "6h", short: "30m", threshold: 6 },
  { severity: "ticket", long: "24h", short: "2h", threshold: 3 },
  { severity: "ticket", long: "3d", short: "6h", threshold: 1 },
] as const;
const LOOKBACK_MS: Record<string, number> = {
  "5m": 5 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": HOUR,
  "2h": 2 * HOUR,
  "6h": 6 * HOUR,
  "24h": DAY,
  "3d": 3 * DAY,
};

function windowFrom(s: Scenario): number {
  const from = NOW - (s.window === "30d" ? 30 * DAY : DAY);
  // The first hour is past raw retention: no single run of it is left, so the window starts at the next hour.
  const oldestRawHour = Math.floor((NOW - RAW_RETENTION) / HOUR) * HOUR + HOUR;
  return Math.floor(from / HOUR) * HOUR < oldestRawHour ? Math.ceil(from / HOUR) * HOUR : from;
}

function workbook(s: Scenario, runs: readonly Run[], sli: "availability" | "latency", objective: number) {
  const from = windowFrom(s);
  const events = countsOver(s, runs, from, NOW, sli);
  const allowed = 1 - objective;
  const total = events.good + events.bad;
  const budget = allowed * total;
  const lookbacks = Object.fromEntries(
    Object.entries(LOOKBACK_MS).map(([w, ms]) => {
      const c = countsOver(s, runs, NOW - ms, NOW, sli);
      const n = c.good + c.bad;
      return [w, { ...c, events: n, burnRate: n === 0 ? null : c.bad / n / allowed }];
    }),
  );
  const firing = RULES.filter((r) => {
    const long = lookbacks[r.long]!;
    const short = lookbacks[r.short]!;
    return (
      long.burnRate !== null &&
      short.burnRate !== null &&
      long.burnRate >= r.threshold &&
      short.burnRate >= r.threshold &&
      long.events >= 10 &&
      short.events >= 10
    );
  });
  const badPerHour = lookbacks["6h"]!.bad / 6;
  const remaining = budget - events.bad;
  const hoursLeft = total === 0 || remaining <= 0 || badPerHour === 0 ? null : remaining / badPerHour;
  const slices = s.budgeting === "timeslices" ? timeslices(s, runs, from, sli, objective) : null;
  return {
    from,
    events,
    sli: total === 0 ? null : events.good / total,
    sliNoDataAsBad: total + events.noData === 0 ? null : events.good / (total + events.noData),
    budget,
    remaining,
    remainingFraction: total === 0 ? null : remaining / budget,
    lookbacks,
    state: firing.some((f) => f.severity === "page") ? "page" : firing.length ? "ticket" : "ok",
    hoursLeft,
    slices,
  };
}

/** Hour slices on UTC hours, clipped to the window; a slice is good when its SLI reaches the objective. */
function timeslices(
  s: Scenario,
  runs: readonly Run[],
  from: number,
  sli: "availability" | "latency",
  objective: number,
) {
  const judge = (noDataAsBad: boolean) => {
    let good = 0;
    let bad = 0;
    for (let start = Math.floor(from / HOUR) * HOUR; start < NOW; start += HOUR) {
      const c = countsOver(s, runs, Math.max(start, from), Math.min(start + HOUR, NOW), sli);
      const n = c.good + c.bad + (noDataAsBad ? c.noData : 0);
      if (n === 0) continue;
      if (c.good / n >= objective) good++;
      else bad++;
    }
    return { goodSlices: good, badSlices: bad };
  };
  return { excluded: judge(false), noDataAsBad: judge(true) };
}

// ---------------------------------------------------------------- the API

interface ApiSli {
  events: Counts & { estimated: number };
  sli: { excluded: { value: number | null }; noDataAsBad: { value: number | null } };
  budget: {
    budget: number;
    consumed: number;
    remaining: number;
    remainingFraction: number | null;
    goodSlices?: number;
    badSlices?: number;
  };
  budgetNoDataAsBad: { goodSlices?: number; badSlices?: number };
  lookbacks: Record<string, Counts & { events: number; burnRate: number | null; from: number; to: number }>;
  alert: { state: string };
  forecast: { hoursLeft: number | null; reason?: string };
  method?: string;
}
interface ApiReport {
  span: { from: number; to: number };
  resolution: string;
  availability: ApiSli;
  latency: ApiSli | null;
  steps: { name: string; executed: number; failed: number; sli: { reason?: string } }[];
}

const reports = new Map<string, { report: ApiReport; runs: Run[] }>();

beforeAll(async () => {
  const probes = SCENARIOS.map(probeOf);
  const store = new D1RunStore(env.DB, () => NOW, { latencyThresholdOf: latencyThresholdsOf(probes) });
  for (const [i, s] of SCENARIOS.entries()) {
    const runs = runsOf(s);
    const results = runs.map((run) => resultOf(probes[i]!, run));
    // Six hours a batch, oldest first, as buffered shards would store them; closed hours are sealed with their write.
    results.sort((a, b) => a.slotAt - b.slotAt);
    for (let at = 0; at < results.length; ) {
      const end = Math.floor(results[at]!.slotAt / (6 * HOUR)) * 6 * HOUR + 6 * HOUR;
      let next = at;
      while (next < results.length && results[next]!.slotAt < end) next++;
      await store.saveRuns(results.slice(at, next));
      at = next;
    }
    const fetchApi = appFetch(appDeps(probes, { store, now: () => NOW }));
    const query = `probe=${s.id}${s.budgeting ? `&budgeting=${s.budgeting}` : ""}`;
    const res = await fetchApi(`/api/v1/slo?${query}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reports: ApiReport[] };
    reports.set(s.id, { report: body.reports[0]!, runs });
  }
}, 300_000);

describe.each(SCENARIOS)("GET /api/v1/slo agrees with the Workbook by hand: $name", (s) => {
  const sliKinds = s.latency ? (["availability", "latency"] as const) : (["availability"] as const);

  it.each(sliKinds)("%s: events, SLI both ways, budget, every lookback, alert, forecast", (kind) => {
    const { report, runs } = reports.get(s.id)!;
    const objective = kind === "availability" ? 0.999 : s.latency!.percent;
    const want = workbook(s, runs, kind, objective);
    const got = report[kind]!;
    expect(report.span).toEqual({ from: want.from, to: NOW });
    expect(report.resolution).toBe(want.from === NOW - (s.window === "30d" ? 30 * DAY : DAY) ? "run" : "hour");
    const { estimated, maintenance, ...counts } = got.events as ApiSli["events"] & { maintenance: number };
    expect(counts).toEqual(want.events);
    expect(estimated).toBe(0);
    expect(maintenance).toBe(0);
    if (kind === "latency") expect(got.method).toBe("exact");
    closeOrNull(got.sli.excluded.value, want.sli);
    closeOrNull(got.sli.noDataAsBad.value, want.sliNoDataAsBad);
    if (!want.slices) {
      expect(got.budget.consumed).toBe(want.events.bad);
      expect(got.budget.budget).toBeCloseTo(want.budget, 9);
      expect(got.budget.remaining).toBeCloseTo(want.remaining, 9);
      closeOrNull(got.budget.remainingFraction, want.remainingFraction);
    } else {
      expect({ goodSlices: got.budget.goodSlices, badSlices: got.budget.badSlices }).toEqual(want.slices.excluded);
      expect({ goodSlices: got.budgetNoDataAsBad.goodSlices, badSlices: got.budgetNoDataAsBad.badSlices }).toEqual(
        want.slices.noDataAsBad,
      );
    }
    for (const [w, l] of Object.entries(want.lookbacks)) {
      const g = got.lookbacks[w]!;
      expect({
        w,
        good: g.good,
        bad: g.bad,
        noData: g.noData,
        missing: g.missing,
        monitoringSide: g.monitoringSide,
        events: g.events,
        from: g.from,
        to: g.to,
      }).toEqual({
        w,
        good: l.good,
        bad: l.bad,
        noData: l.noData,
        missing: l.missing,
        monitoringSide: l.monitoringSide,
        events: l.events,
        from: NOW - LOOKBACK_MS[w]!,
        to: NOW,
      });
      closeOrNull(g.burnRate, l.burnRate);
    }
    expect(got.alert.state).toBe(want.state);
    closeOrNull(got.forecast.hoursLeft, want.hoursLeft);
    if (kind === "availability") {
      // One step: it ran in every stored run of the window and failed in every down one (monitoring-side included).
      const ran = runs.filter((r) => r.slotAt >= want.from && r.slotAt < NOW);
      const failed = ran.filter((r) => r.outcome === "down" || r.outcome === "probe").length;
      expect(report.steps.map((st) => ({ name: st.name, executed: st.executed, failed: st.failed }))).toEqual([
        { name: "home", executed: ran.length, failed },
      ]);
    }
    if (want.events.good + want.events.bad === 0) expect(got.forecast.reason).toBe("no-data");
  });
});

function closeOrNull(got: number | null, want: number | null): void {
  if (want === null) {
    expect(got).toBeNull();
    return;
  }
  expect(got).not.toBeNull();
  expect(Math.abs(got! - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
}

describe("what the scenarios must show", () => {
  it("the burst pages, the slow burn opens a ticket, steady failures below budget stay quiet", () => {
    expect(reports.get("burst")!.report.availability.alert.state).toBe("page");
    expect(reports.get("slow-burn")!.report.availability.alert.state).toBe("ticket");
    expect(reports.get("steady")!.report.availability.alert.state).toBe("ok");
  });

  it("monitoring-side failures never page: they are no data", () => {
    const gaps = reports.get("gaps")!.report.availability;
    expect(gaps.events.monitoringSide).toBeGreaterThan(0);
    expect(gaps.alert.state).toBe("ok");
  });

  it("with no data at all: no data, never exhausted; the step says how many runs were due", () => {
    const silent = reports.get("silent")!.report;
    expect(silent.availability.forecast.reason).toBe("no-data");
    expect(silent.availability.events.expected).toBe(2 * 24 * 60);
    expect(silent.steps[0]!.sli.reason).toBe(
      `no stored runs in the window: all ${2 * 24 * 60} expected runs have no data`,
    );
  });

  it("a probe added 16 minutes ago is due 16 runs per region, not a day's", () => {
    expect(reports.get("new")!.report.availability.events.expected).toBe(32);
  });

  it("latency uniform over 100–300 ms under 250 ms: about three quarters, exactly counted", () => {
    const latency = reports.get("latency")!.report.latency!;
    const share = latency.events.good / (latency.events.good + latency.events.bad);
    expect(share).toBeGreaterThan(0.74);
    expect(share).toBeLessThan(0.76);
  });
});

describe("bad queries", () => {
  it("a region the probe does not run in is a 400 naming the field and the regions it runs in", async () => {
    const probes = SCENARIOS.map(probeOf);
    const res = await appFetch(appDeps(probes, { now: () => NOW }))("/api/v1/slo?probe=steady&region=sam");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = (await res.json()) as { invalidParams?: { name: string; reason: string }[] };
    expect(body.invalidParams).toEqual([
      { name: "query.region", reason: "one of the regions these probes run in: weur, enam" },
    ]);
  });
});

describe("group reports mixing schedules, silence lookbacks and slice lengths", () => {
  const mixed = loadRegistry([
    {
      file: "probes/mixed-a.ts",
      definition: {
        id: "mixed-a",
        name: "A",
        group: "Mixed",
        baseUrl: "https://example.com",
        regions: ["weur", "enam"],
        schedule: "1m",
        slo: { availability: 0.999, window: "24h", timeslices: { slice: "1h" } },
        steps: [{ name: "home", url: "/" }],
      },
    },
    {
      file: "probes/mixed-b.ts",
      definition: {
        id: "mixed-b",
        name: "B",
        group: "Mixed",
        baseUrl: "https://example.com",
        regions: ["weur"],
        schedule: "1h",
        slo: { availability: 0.99, window: "7d", timeslices: { slice: "24h" }, alerting: { noDataAfter: "3h" } },
        steps: [{ name: "home", url: "/" }],
      },
    },
  ]);

  it.each(["occurrences", "timeslices"])(
    "answer with the group first, its counts the sum of its probes' (%s)",
    async (budgeting) => {
      const store = new D1RunStore(env.DB, () => NOW);
      const runs = mixed.flatMap((p) =>
        p.probe.regions.flatMap((region) =>
          Array.from({ length: 3 * 24 * 60 }, (_, ago) => LAST_SLOT - ago * MINUTE)
            .filter((slotAt) => (p.probe.kind === "http" && p.probe.schedule === "1m") || slotAt % HOUR === 0)
            .map((slotAt, i) => resultOf(p, { region, slotAt, outcome: i % 97 === 3 ? "down" : "up", durationMs: 80 })),
        ),
      );
      await store.saveRuns(runs);
      const res = await appFetch(appDeps(mixed, { store, now: () => NOW }))(
        `/api/v1/slo?group=Mixed&window=24h&budgeting=${budgeting}`,
      );
      expect(res.status).toBe(200);
      const { reports } = (await res.json()) as { reports: (ApiReport & { probeIds: string[] })[] };
      expect(reports.map((r) => r.probeIds)).toEqual([["mixed-a", "mixed-b"], ["mixed-a"], ["mixed-b"]]);
      const [group, a, b] = reports as unknown as [ApiReport, ApiReport, ApiReport];
      for (const key of ["good", "bad", "noData", "expected"] as const)
        expect(group.availability.events[key]).toBe(a.availability.events[key] + b.availability.events[key]);
    },
  );
});
