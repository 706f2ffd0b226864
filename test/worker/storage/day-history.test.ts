/**
 * The day histories on a real local D1: what the tick's refresh builds from stored runs, that a
 * page read gives the same days as the daily rollups, and how it behaves when runs arrive late,
 * regions change, probes go away, and the work per tick is capped.
 */
import { runResult } from "../support/run-result.ts";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import type { RunResult, RunStatus } from "../../../src/probe/result.ts";
import { readTogether } from "../../../src/storage/d1-read.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { dayTotalsFrom, HISTORY_DAYS, settledThrough } from "../../../src/status/day-totals.ts";
import { dayHistoryUpkeep, refreshDayHistory } from "../../../src/status/refresh-day-history.ts";
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";

const TODAY = Date.UTC(2026, 10, 20);
const NOW = TODAY + 14 * HOUR_MS;
const runs = new D1RunStore(env.DB);
const histories = new D1DayHistoryStore(env.DB);
/** The day totals of [from, to) of each probe, as the page reads them: daysRead, then completeDays. */
async function daysOf(...args: Parameters<D1DayHistoryStore["daysRead"]>) {
  const [partial] = await readTogether(env.DB, [histories.daysRead(...args)]);
  return histories.completeDays(partial);
}

function probesOf(...defs: { id: string; regions: string[] }[]): LoadedProbe[] {
  return loadRegistry(
    defs.map((d) => ({
      file: `probes/${d.id}.ts`,
      definition: { name: d.id, group: "G", steps: [{ name: "s", url: "http://x.test/" }], ...d },
    })),
  );
}

function run(probeId: string, region: string, slotAt: number, status: RunStatus, durationMs: number): RunResult {
  return runResult(probeId, region, slotAt, { durationMs, status });
}

/** Runs over the last `days` days and today, in both regions: a few an hour, some down. */
function history(probeId: string, regions: readonly string[], days: number): RunResult[] {
  const out: RunResult[] = [];
  for (let d = days; d >= 0; d--) {
    for (const region of regions) {
      for (let h = 0; h < 24; h += 5) {
        const slot = TODAY - d * DAY_MS + h * HOUR_MS + regions.indexOf(region) * 60_000;
        if (slot > NOW) continue;
        const status: RunStatus = (d + h) % 11 === 0 ? "down" : (d + h) % 7 === 0 ? "degraded" : "up";
        out.push(run(probeId, region, slot, status, 80 + ((d * 37 + h * 13) % 400)));
      }
    }
  }
  return out;
}

async function save(results: readonly RunResult[]) {
  for (let i = 0; i < results.length; i += 150) await runs.saveRuns(results.slice(i, i + 150));
}

/** The days of [from, to) straight from every daily rollup: what the page showed before day histories. */
async function fromRollups(probe: LoadedProbe, from: number, to: number) {
  const daily = await runs.rollups([{ probeId: probe.probe.id, regions: probe.probe.regions, grain: "day", from, to }]);
  return dayTotalsFrom(daily.value, from, to);
}

const FROM = TODAY - (HISTORY_DAYS - 1) * DAY_MS;

describe("day histories", () => {
  const [alpha, beta] = probesOf({ id: "dh-alpha", regions: ["weur", "enam"] }, { id: "dh-beta", regions: ["apac"] });

  beforeAll(async () => {
    await save([...history("dh-alpha", ["weur", "enam"], 100), ...history("dh-beta", ["apac"], 10)]);
  });

  it("are built by the refresh through the settled day, and a page read gives the days of the daily rollups", async () => {
    const before = await daysOf([{ probeId: "dh-alpha", regions: ["weur", "enam"] }], FROM, NOW + 1, NOW);
    expect(before.get("dh-alpha")).toEqual(await fromRollups(alpha!, FROM, NOW + 1));

    const report = await refreshDayHistory({ probes: [alpha!, beta!], histories, runs, now: NOW });
    expect(report).toMatchObject({ rebuilt: 2, removed: 0, behind: 0 });
    expect(report.rowsRead).toBeGreaterThan(0);
    const coverage = await histories.coverage();
    expect(coverage.get("dh-alpha")).toEqual({ regions: "enam,weur", throughDay: settledThrough(NOW) });
    expect(settledThrough(NOW)).toBe(TODAY - DAY_MS);

    const shown = [alpha!, beta!].map((p) => ({ probeId: p.probe.id, regions: p.probe.regions }));
    const [partial] = await readTogether(env.DB, [histories.daysRead(shown, FROM, NOW + 1, NOW)]);
    expect(partial.pending).toEqual([]); // nothing left for a second statement
    const read = await histories.completeDays(partial);
    expect(read.get("dh-alpha")).toEqual(await fromRollups(alpha!, FROM, NOW + 1));
    expect(read.get("dh-beta")).toEqual(await fromRollups(beta!, FROM, NOW + 1));
    expect(read.get("dh-alpha")).toHaveLength(HISTORY_DAYS);
    // Only today was read beside the histories: its daily rollups (2 regions + 1 region), and the blocks
    // of its last hours never sealed yet (none: every hour here is sealed).
    const [rows] = await readTogether(env.DB, [
      { ...histories.daysRead(shown, FROM, NOW + 1, NOW), decode: (results) => results.map((r) => r.results.length) },
    ]);
    expect(rows).toEqual([2, 3, 0]);

    // Nothing is stale until the next day settles.
    expect(await refreshDayHistory({ probes: [alpha!, beta!], histories, runs, now: NOW + HOUR_MS })).toEqual({
      rebuilt: 0,
      removed: 0,
      behind: 0,
      rowsRead: 0,
    });
  });

  it("show today's new runs at once, and a late run on a closed day from the next rebuild", async () => {
    await refreshDayHistory({ probes: [alpha!], histories, runs, now: NOW });
    await save([run("dh-alpha", "weur", NOW - 1000 * 60, "down", 0)]); // today
    await save([run("dh-alpha", "weur", TODAY - 3 * DAY_MS + 7 * 60_000, "down", 0)]); // long settled
    const read = async (now: number) =>
      (await daysOf([{ probeId: "dh-alpha", regions: ["weur", "enam"] }], FROM, now + 1, now)).get("dh-alpha")!;
    const dayOf = (days: Awaited<ReturnType<typeof read>>, dayAt: number) => days.find((d) => d.dayAt === dayAt)!;

    const now = await read(NOW);
    const truth = await fromRollups(alpha!, FROM, NOW + 1);
    expect(dayOf(now, TODAY)).toEqual(dayOf(truth, TODAY));
    expect(dayOf(now, TODAY - 3 * DAY_MS).down).toBe(dayOf(truth, TODAY - 3 * DAY_MS).down - 1);

    // The next day settles: the refresh rebuilds the whole history, the late run included.
    const tomorrow = TODAY + DAY_MS + 2 * HOUR_MS;
    expect((await refreshDayHistory({ probes: [alpha!], histories, runs, now: tomorrow })).rebuilt).toBe(1);
    expect(dayOf(await read(tomorrow), TODAY - 3 * DAY_MS)).toEqual(dayOf(truth, TODAY - 3 * DAY_MS));
  });

  it("are not used for a probe whose regions changed, until the refresh rebuilt them", async () => {
    await refreshDayHistory({ probes: [alpha!], histories, runs, now: NOW });
    const [weurOnly] = probesOf({ id: "dh-alpha", regions: ["weur"] });
    const read = async () =>
      (await daysOf([{ probeId: "dh-alpha", regions: ["weur"] }], FROM, NOW + 1, NOW)).get("dh-alpha");
    const truth = await fromRollups(weurOnly!, FROM, NOW + 1);
    expect(await read()).toEqual(truth);
    expect((await refreshDayHistory({ probes: [weurOnly!], histories, runs, now: NOW })).rebuilt).toBe(1);
    expect((await histories.coverage()).get("dh-alpha")?.regions).toBe("weur");
    expect(await read()).toEqual(truth);
  });

  it("rebuild at most `limit` probes a tick, and drop the histories of probes that are gone", async () => {
    const many = probesOf(...["dh-m1", "dh-m2", "dh-m3"].map((id) => ({ id, regions: ["weur"] })));
    await save(many.flatMap((p) => history(p.probe.id, ["weur"], 3)));
    const first = await refreshDayHistory({ probes: many, histories, runs, now: NOW, limit: 2 });
    expect(first).toMatchObject({ rebuilt: 2, behind: 1 });
    const second = await refreshDayHistory({ probes: many, histories, runs, now: NOW, limit: 2 });
    expect(second).toMatchObject({ rebuilt: 1, behind: 0 });

    const gone = await refreshDayHistory({ probes: many.slice(1), histories, runs, now: NOW, limit: 2 });
    expect(gone.removed).toBeGreaterThanOrEqual(1);
    const left = await histories.coverage();
    expect(left.has("dh-m1")).toBe(false);
    expect(left.has("dh-m2")).toBe(true);
  });

  it("read a history of the right regions that is behind: its missing days from the rollups, in one more statement", async () => {
    const [gamma] = probesOf({ id: "dh-gamma", regions: ["weur", "enam"] });
    await save(history("dh-gamma", ["weur", "enam"], 20));
    const shown = [{ probeId: "dh-gamma", regions: ["weur", "enam"] }];
    // Built four days ago: through TODAY - 5 days.
    await refreshDayHistory({ probes: [gamma!], histories, runs, now: NOW - 4 * DAY_MS });
    expect((await histories.coverage()).get("dh-gamma")?.throughDay).toBe(TODAY - 5 * DAY_MS);
    const [partial] = await readTogether(env.DB, [histories.daysRead(shown, FROM, NOW + 1, NOW)]);
    expect(partial.pending.map((p) => [p.probe.probeId, p.gapFrom, p.gapTo])).toEqual([
      ["dh-gamma", TODAY - 4 * DAY_MS, TODAY],
    ]);
    expect((await histories.completeDays(partial)).get("dh-gamma")).toEqual(await fromRollups(gamma!, FROM, NOW + 1));
  });

  it("read yesterday from the rollups in the hour before it settles, and today always", async () => {
    const [delta] = probesOf({ id: "dh-delta", regions: ["apac"] });
    await save(history("dh-delta", ["apac"], 5));
    const early = TODAY + 30 * 60_000; // 00:30 UTC: yesterday is not settled yet
    await refreshDayHistory({ probes: [delta!], histories, runs, now: early });
    expect((await histories.coverage()).get("dh-delta")?.throughDay).toBe(TODAY - 2 * DAY_MS);
    const shown = [{ probeId: "dh-delta", regions: ["apac"] }];
    const [partial] = await readTogether(env.DB, [histories.daysRead(shown, FROM, early + 1, early)]);
    expect(partial.pending).toEqual([]);
    const days = partial.days.get("dh-delta")!;
    expect(days).toEqual(await fromRollups(delta!, FROM, early + 1));
    expect(days.map((d) => d.dayAt).slice(-2)).toEqual([TODAY - DAY_MS, TODAY]);
  });

  it("treat a history row that cannot be read as missing, and say so in the log", async () => {
    const [epsilon] = probesOf({ id: "dh-epsilon", regions: ["weur"] });
    await save(history("dh-epsilon", ["weur"], 4));
    await refreshDayHistory({ probes: [epsilon!], histories, runs, now: NOW });
    await env.DB.prepare("UPDATE day_history SET days = '[[1,2,3]]' WHERE probe_id = 'dh-epsilon'").run();
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => void logged.push(line);
    try {
      const days = await daysOf([{ probeId: "dh-epsilon", regions: ["weur"] }], FROM, NOW + 1, NOW);
      expect(days.get("dh-epsilon")).toEqual(await fromRollups(epsilon!, FROM, NOW + 1));
    } finally {
      console.error = original;
    }
    expect(logged.join("\n")).toMatch(/"event":"day_history_unreadable","probe":"dh-epsilon".*7-item array/);

    // The refresh sees the row as missing, and rewrites it.
    console.error = () => {};
    try {
      expect(await refreshDayHistory({ probes: [epsilon!], histories, runs, now: NOW })).toMatchObject({ rebuilt: 1 });
    } finally {
      console.error = original;
    }
    const [partial] = await readTogether(env.DB, [
      histories.daysRead([{ probeId: "dh-epsilon", regions: ["weur"] }], FROM, NOW + 1, NOW),
    ]);
    expect(partial.pending).toEqual([]);
  });

  it("are looked at by the cron's upkeep until they are all done, then once an hour", async () => {
    const [zeta] = probesOf({ id: "dh-zeta", regions: ["weur"] });
    await save(history("dh-zeta", ["weur"], 3));
    const upkeep = dayHistoryUpkeep();
    let coverageReads = 0;
    const counted = {
      coverage: () => {
        coverageReads++;
        return histories.coverage();
      },
      save: histories.save.bind(histories),
    };
    const first = await upkeep({ probes: [zeta!], histories: counted, runs, now: NOW });
    expect(first).toMatchObject({ rebuilt: 1, behind: 0 });
    expect(await upkeep({ probes: [zeta!], histories: counted, runs, now: NOW + 10 * 60_000 })).toEqual({
      rebuilt: 0,
      removed: 0,
      behind: 0,
      rowsRead: 0,
      upToDate: true,
    });
    expect(coverageReads).toBe(1);
    // A row deleted in between is rebuilt at the next hour's look.
    await env.DB.prepare("DELETE FROM day_history WHERE probe_id = 'dh-zeta'").run();
    expect(await upkeep({ probes: [zeta!], histories: counted, runs, now: NOW + HOUR_MS })).toMatchObject({
      rebuilt: 1,
    });
    expect(coverageReads).toBe(2);
    // The next day settles: looked at again, and rebuilt.
    expect(await upkeep({ probes: [zeta!], histories: counted, runs, now: NOW + DAY_MS })).toMatchObject({
      rebuilt: 1,
    });
    expect(coverageReads).toBe(3);
  });
});
