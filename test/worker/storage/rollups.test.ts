/** Rollups equal a recomputation from the raw runs, whatever the order, batching and duplicates. */
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunResult, RunStatus } from "../../../src/probe/result.ts";
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";

const store = new D1RunStore(env.DB);
const START = Date.UTC(2026, 10, 1);

const runArb = fc
  .record({
    probeId: fc.constantFrom("alpha", "beta"),
    region: fc.constantFrom("weur", "enam", "apac"),
    minute: fc.integer({ min: 0, max: 2 * 24 * 60 }), // two days: several hours and two days
    status: fc.constantFrom<RunStatus>("up", "degraded", "down"),
    durationMs: fc.integer({ min: 0, max: 200_000 }),
  })
  .map(
    (r): RunResult => ({
      runId: `${r.probeId}.${r.region}.${START + r.minute * 60_000}`,
      probeId: r.probeId,
      probeVersion: "v",
      region: r.region,
      colo: r.region,
      slotAt: START + r.minute * 60_000,
      startedAt: START + r.minute * 60_000,
      durationMs: r.durationMs,
      status: r.status,
      steps: [],
    }),
  );

interface Recomputed {
  total: number;
  up: number;
  degraded: number;
  down: number;
  latency: number[];
}

async function recompute(bucketMs: number): Promise<Map<string, Recomputed>> {
  const rows = (await env.DB.prepare("SELECT probe_id, region, slot_at, status, duration_ms FROM runs").all<{ probe_id: string; region: string; slot_at: number; status: RunStatus; duration_ms: number }>()).results;
  const groups = new Map<string, Recomputed>();
  for (const row of rows) {
    const key = `${row.probe_id}|${row.region}|${Math.floor(row.slot_at / bucketMs) * bucketMs}`;
    const g = groups.get(key) ?? { total: 0, up: 0, degraded: 0, down: 0, latency: emptyHistogram() };
    g.total++;
    g[row.status]++;
    if (row.status !== "down") g.latency = record(g.latency, row.duration_ms);
    groups.set(key, g);
  }
  return groups;
}

async function fromRollups(grain: "hour" | "day"): Promise<Map<string, Recomputed>> {
  const groups = new Map<string, Recomputed>();
  for (const probeId of ["alpha", "beta"]) {
    const { value } = await store.rollups([{ probeId, regions: ["weur", "enam", "apac"], grain, from: 0, to: Number.MAX_SAFE_INTEGER }]);
    for (const r of value) groups.set(`${r.probeId}|${r.region}|${r.bucketAt}`, { total: r.total, up: r.up, degraded: r.degraded, down: r.down, latency: r.latency });
  }
  return groups;
}

describe("rollups", () => {
  it("equal the recomputation from raw runs (property: any order, batches, replays)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(runArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 7 }), async (runs, batchSize) => {
        await env.DB.batch(["runs", "rollups_hourly", "rollups_daily"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
        const withReplays = [...runs, ...runs.slice(0, Math.ceil(runs.length / 3))];
        for (let i = 0; i < withReplays.length; i += batchSize) await store.saveRuns(withReplays.slice(i, i + batchSize));
        expect(await fromRollups("hour")).toEqual(await recompute(HOUR_MS));
        expect(await fromRollups("day")).toEqual(await recompute(DAY_MS));
      }),
      { numRuns: 25 },
    );
  });

  it("cost three written rows per new run and none per replay", async () => {
    await env.DB.batch(["runs", "rollups_hourly", "rollups_daily"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
    const runs = fc.sample(runArb, { numRuns: 30, seed: 7 }).filter((r, i, all) => all.findIndex((x) => x.runId === r.runId) === i);
    const first = await store.saveRuns(runs);
    expect(first.inserted).toBe(runs.length);
    expect(first.rowsWritten / runs.length).toBeLessThanOrEqual(4);
    const replay = await store.saveRuns(runs);
    expect(replay).toEqual({ inserted: 0, rowsWritten: 0 });
    console.log(`rows written per new run: ${(first.rowsWritten / runs.length).toFixed(2)} (D1 meta.rows_written over ${runs.length} runs)`);
  });
});
