/**
 * The probe network in workerd: region runner objects, quorum and confirmation from another
 * region, idempotent replays, missed ticks as no-data, retention, and zero loss when D1 fails.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { probeModules } from "../../src/generated/probe-registry.ts";
import { loadRegistry } from "../../src/probe/registry.ts";
import type { RunResult } from "../../src/probe/result.ts";
import { HOUR_MS } from "../../src/time.ts";
import { dispatchTick } from "../../src/schedule/dispatch-tick.ts";
import { regionRunner } from "../../src/schedule/region-runner.ts";
import { DurableObjectResultBuffer } from "../../src/schedule/result-buffer.ts";
import { executeShard } from "../../src/schedule/shard-executor.ts";
import { FREE_LIMITS } from "../../src/schedule/shard-plan.ts";
import { coverage } from "../../src/slo/coverage.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import { DEFAULT_RETENTION, planPrune } from "../../src/storage/retention.ts";
import type { RunStore } from "../../src/storage/run-store.ts";
import { pruneStage } from "../../src/tick/prune-stage.ts";
import { runTick } from "../../src/tick/run-tick.ts";
import { fetchWorker } from "./support/fetch-worker.ts";
import { setFault, storedRuns, tick } from "./support/network.ts";
import { fleetTickDeps } from "./support/tick-deps.ts";

const HOUR = Date.UTC(2026, 10, 20, 8); // a whole hour, in the past
const MINUTE = 60_000;
const probes = loadRegistry(probeModules);
const byId = new Map(probes.map((p) => [p.probe.id, p]));
const store = new D1RunStore(env.DB);

afterEach(() => setFault(null));

async function rollupSnapshot(): Promise<unknown[]> {
  const hourly = await env.DB.prepare("SELECT * FROM run_blocks ORDER BY region, bucket, hour_at").all();
  const daily = await env.DB.prepare("SELECT * FROM rollups_daily ORDER BY probe_id, region, day_at").all();
  return [hourly.results, daily.results];
}

async function status(): Promise<Record<string, { state: string; regions: Record<string, string> }>> {
  // The edge cache off: each tick changes what /api/v1/status says.
  const res = await fetchWorker("http://afterlife.test/api/v1/status");
  const body = (await res.json()) as {
    probes: { id: string; state: string; regions: { region: string; state: string }[] }[];
  };
  return Object.fromEntries(
    body.probes.map((p) => [
      p.id,
      { state: p.state, regions: Object.fromEntries(p.regions.map((r) => [r.region, r.state])) },
    ]),
  );
}

describe("replays", () => {
  it("5 sequential and 5 parallel replays leave one row per (probe, region, slot) and unchanged rollups", async () => {
    const slot = HOUR;
    await tick(slot);
    const runsAfterFirst = await storedRuns("slot_at = ?", slot);
    const rollupsAfterFirst = await rollupSnapshot();
    expect(runsAfterFirst).toHaveLength(6);
    for (let i = 0; i < 5; i++) await tick(slot + i * 1000);
    await Promise.all(Array.from({ length: 5 }, (_, i) => tick(slot + 30_000 + i)));
    expect(await storedRuns("slot_at = ?", slot)).toEqual(runsAfterFirst);
    expect(await rollupSnapshot()).toEqual(rollupsAfterFirst);
    const hourly = (
      await store.rollups([
        { probeId: "shop-checkout", regions: ["apac", "enam", "weur"], grain: "hour", from: HOUR, to: HOUR + HOUR_MS },
        { probeId: "shop-home", regions: ["apac", "enam", "weur"], grain: "hour", from: HOUR, to: HOUR + HOUR_MS },
      ])
    ).value
      .map((r) => ({ probe_id: r.probeId, region: r.region, total: r.total, up: r.up }))
      .sort((a, b) => (a.probe_id + a.region < b.probe_id + b.region ? -1 : 1));
    expect(hourly).toEqual([
      { probe_id: "shop-checkout", region: "apac", total: 1, up: 1 },
      { probe_id: "shop-checkout", region: "enam", total: 1, up: 1 },
      { probe_id: "shop-checkout", region: "weur", total: 1, up: 1 },
      { probe_id: "shop-home", region: "apac", total: 1, up: 1 },
      { probe_id: "shop-home", region: "enam", total: 1, up: 1 },
      { probe_id: "shop-home", region: "weur", total: 1, up: 1 },
    ]);
  });
});

describe("regions, quorum and confirmation", () => {
  it("one region failing is a regional issue, confirmed as such from another region", async () => {
    await setFault({ region: "apac", status: 503 });
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    await tick(now);
    const current = await status();
    expect(current["shop-home"]).toEqual({ state: "regional", regions: { weur: "up", enam: "up", apac: "down" } });
    const [apac] = await storedRuns("probe_id = 'shop-home' AND region = 'apac' AND slot_at = ?", now);
    const detail = JSON.parse(apac!.detail) as Pick<RunResult, "confirmation">;
    expect(detail.confirmation).toEqual({ region: "weur", status: "up" });
  });

  it("a quorum of regions failing is down, confirmed; recovery brings it back up", async () => {
    await setFault({ region: "weur", status: 503 });
    await setFault({ region: "enam", status: 503 });
    const now = Math.floor(Date.now() / MINUTE) * MINUTE + MINUTE;
    await tick(now);
    expect((await status())["shop-home"]).toEqual({
      state: "down",
      regions: { weur: "down", enam: "down", apac: "up" },
    });
    const [weur] = await storedRuns("probe_id = 'shop-home' AND region = 'weur' AND slot_at = ?", now);
    expect((JSON.parse(weur!.detail) as Pick<RunResult, "confirmation">).confirmation).toEqual({
      region: "enam",
      status: "down",
      failureClass: "status",
    });
    await setFault(null);
    await tick(now + MINUTE);
    expect((await status())["shop-home"]!.state).toBe("up");
  });
});

describe("sharding", () => {
  it("packs a tick into shards that fit the Free plan's per-invocation limits, each run exactly once", async () => {
    const fleet = loadRegistry(
      Array.from({ length: 100 }, (_, i) => ({
        file: `p${i}.ts`,
        definition: {
          id: `p-${String(i).padStart(3, "0")}`,
          name: "P",
          baseUrl: "https://example.com",
          regions: ["weur", "apac"],
          steps: [{ name: "s", url: "/" }],
        },
      })),
    );
    const requests: { region: string; shard: number; probeIds: string[] }[] = [];
    const report = await dispatchTick(HOUR, {
      probes: fleet,
      limits: FREE_LIMITS,
      runShard: async (request) => {
        requests.push(request);
        return {
          region: request.region,
          shard: request.shard,
          planned: request.probeIds.length,
          completed: request.probeIds.length,
          stored: request.probeIds.length,
          buffered: 0,
          flushed: 0,
          dropped: 0,
          rowsWritten: 0,
          statuses: [],
        };
      },
    });
    // A shard stores its runs in a fixed number of D1 statements, so subrequests bound it: 50 per
    // invocation, one kept for the colo lookup, one request per run = at most 49 runs per shard.
    // Next-fit needs 3 shards per region for 100 runs; they are then filled evenly: 34 + 33 + 33.
    expect(requests.map((r) => r.probeIds.length)).toEqual([34, 33, 33, 34, 33, 33]);
    for (const region of ["weur", "apac"]) {
      const ids = requests.filter((r) => r.region === region).flatMap((r) => r.probeIds);
      expect(new Set(ids).size).toBe(100);
      expect(ids).toHaveLength(100);
    }
    expect([report.planned, report.shards, report.completed]).toEqual([200, 6, 200]);
  });
});

describe("missed ticks", () => {
  it("a slot without a run is no-data, never up", async () => {
    const hour = HOUR + 3 * 3_600_000;
    for (const minute of [0, 1, 3]) await tick(hour + minute * MINUTE); // minute 2 never arrives
    const { value } = await store.rollups([
      { probeId: "shop-home", regions: ["weur", "enam", "apac"], grain: "hour", from: hour, to: hour + 3_600_000 },
    ]);
    const stored = value.reduce((n, r) => n + r.total, 0);
    const up = value.reduce((n, r) => n + r.up, 0);
    expect(coverage(byId.get("shop-home")!, 3, hour, hour + 4 * MINUTE, stored)).toEqual({
      expected: 12,
      stored: 9,
      noData: 3,
    });
    expect(up).toBe(9);
  });
});

describe("retention", () => {
  it("drops minute entries and evidence past raw retention in bounded chunks and keeps the rollups", async () => {
    const now = Date.UTC(2026, 10, 26, 12);
    const old = now - 15 * 86_400_000 - 3 * HOUR_MS; // past raw retention (14 days), in hour rollup retention
    const home = byId.get("shop-home")!;
    const runs: RunResult[] = Array.from({ length: 5 }, (_, i) => ({
      runId: `shop-home.weur.${old + i * MINUTE}`,
      probeId: "shop-home",
      probeVersion: home.version,
      region: "weur",
      colo: "weur",
      slotAt: old + i * MINUTE,
      startedAt: old + i * MINUTE,
      durationMs: 40,
      status: i === 0 ? "down" : "up",
      ...(i === 0 ? { failure: { class: "status" as const, step: "home", message: "HTTP 500" } } : {}),
      steps: [],
    }));
    await store.saveRuns(runs);
    await store.saveRuns([{ ...runs[1]!, runId: `shop-home.weur.${now - MINUTE}`, slotAt: now - MINUTE }]);
    // Find the minute at which (shop-home, weur) is pruned: once an hour, at its hash's minute.
    let pruneAt = now;
    while (!planPrune([{ probeId: "shop-home", region: "weur" }], pruneAt, DEFAULT_RETENTION).pairs.length)
      pruneAt += MINUTE;
    // Retention is a stage of the tick: run it alone, as the tick runs it.
    const summary = await runTick(
      pruneAt,
      { ...fleetTickDeps(probes), runShard: async () => Promise.reject(new Error("not in this test")) },
      [pruneStage],
    );
    // The block and the evidence go; the hour's rollup stays.
    expect(summary).toMatchObject({ slotAt: pruneAt, reports: { prune: { deleted: 2 } }, stageErrors: [] });
    expect(
      await storedRuns("probe_id = 'shop-home' AND region = 'weur' AND slot_at < ?", now - 14 * 86_400_000),
    ).toEqual([]);
    expect((await storedRuns("probe_id = 'shop-home' AND region = 'weur' AND slot_at = ?", now - MINUTE)).length).toBe(
      1,
    );
    const hourAt = Math.floor(old / HOUR_MS) * HOUR_MS;
    const hour = await store.rollups([
      { probeId: "shop-home", regions: ["weur"], grain: "hour", from: hourAt, to: hourAt + HOUR_MS },
    ]);
    expect(hour.value.map((r) => [r.region, r.total, r.up, r.down])).toEqual([["weur", 5, 4, 1]]);
    const dayAt = Math.floor(old / 86_400_000) * 86_400_000;
    const rollup = await store.rollups([
      { probeId: "shop-home", regions: ["weur", "enam", "apac"], grain: "day", from: dayAt, to: dayAt + 86_400_000 },
    ]);
    expect(rollup.value.map((r) => [r.region, r.total])).toEqual([["weur", 5]]);
    expect(await store.getRun(runs[0]!.runId)).toBeNull();
  });
});

/** The real D1 store, made to fail on chosen calls (fault injection, not a stand-in). */
function failingOn(calls: number[], real: RunStore): RunStore & { calls: number } {
  const wrapper = Object.create(real) as RunStore & { calls: number };
  wrapper.calls = 0;
  wrapper.saveRuns = async (results) => {
    wrapper.calls++;
    if (calls.includes(wrapper.calls)) throw new Error(`D1_ERROR: injected failure on call ${wrapper.calls}`);
    return real.saveRuns(results);
  };
  return wrapper;
}

describe("storage failure", () => {
  it("loses no run and invents no downtime when D1 fails, then writes everything on the next attempt", async () => {
    const slot = HOUR + 6 * 3_600_000;
    const stub = regionRunner(env, "weur", "failure-test");
    const failing = failingOn([1, 2], store);
    const reports = await runInDurableObject(stub, async (_instance, state) => {
      const deps = {
        probes: byId,
        store: failing,
        buffer: new DurableObjectResultBuffer(state.storage),
        runner: {
          fetch: (i: RequestInfo | URL, init?: RequestInit) => fetch(i, init),
          now: Date.now,
          randomId: () => "r",
          values: { SHOP_URL: env.SHOP_URL, SHOP_PASSWORD: env.SHOP_PASSWORD },
          allowPrivateTargets: true,
        },
        colo: async () => "weur",
        confirm: async () => Promise.reject(new Error("no confirmation needed")),
      };
      const ids = ["shop-checkout", "shop-home"];
      const first = await executeShard({ region: "weur", shard: 0, slotAt: slot, probeIds: ids }, deps); // D1 fails (call 1)
      const second = await executeShard({ region: "weur", shard: 0, slotAt: slot + MINUTE, probeIds: ids }, deps); // flush fails (2), new ones stored (3)
      const third = await executeShard({ region: "weur", shard: 0, slotAt: slot + 2 * MINUTE, probeIds: ids }, deps); // flush (4) then store (5)
      return [first, second, third];
    });
    expect(reports.map((r) => [r.stored, r.buffered, r.flushed])).toEqual([
      [0, 2, 0],
      [2, 2, 0],
      [2, 0, 2],
    ]);
    expect(reports.flatMap((r) => r.statuses.map((s) => s.status))).toEqual(["up", "up", "up", "up", "up", "up"]);
    const stored = await storedRuns("region = 'weur' AND slot_at >= ? AND slot_at < ?", slot, slot + 3 * MINUTE);
    expect(stored.map((r) => `${r.probe_id}@${(r.slot_at - slot) / MINUTE}:${r.status}`).sort()).toEqual([
      "shop-checkout@0:up",
      "shop-checkout@1:up",
      "shop-checkout@2:up",
      "shop-home@0:up",
      "shop-home@1:up",
      "shop-home@2:up",
    ]);
  });

  it("the runner's alarm writes buffered results once D1 is back", async () => {
    const stub = regionRunner(env, "enam", "alarm-test");
    const slot = HOUR + 7 * 3_600_000;
    const home = byId.get("shop-home")!;
    const buffered: RunResult = {
      runId: `shop-home.enam.${slot}`,
      probeId: "shop-home",
      probeVersion: home.version,
      region: "enam",
      colo: "enam",
      slotAt: slot,
      startedAt: slot,
      durationMs: 12,
      status: "up",
      steps: [],
    };
    await runInDurableObject(stub, async (_instance, state) => {
      await new DurableObjectResultBuffer(state.storage).put([buffered]);
      await state.storage.setAlarm(Date.now() + 60_000);
    });
    expect(await stub.bufferedCount()).toBe(1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.bufferedCount()).toBe(0);
    expect(
      (await storedRuns("probe_id = 'shop-home' AND region = 'enam' AND slot_at = ?", slot)).map((r) => r.status),
    ).toEqual(["up"]);
  });
});
