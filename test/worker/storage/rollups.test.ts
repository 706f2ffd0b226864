/**
 * Rollups equal a recomputation from the runs written, whatever the order, batching and
 * duplicates, and whichever way a day is read: summed from the hour rows (recent days), added to
 * by days-late runs, or built from the hours once settled.
 */
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunResult, RunStatus } from "../../../src/probe/result.ts";
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { BUCKETS, bucketOf } from "../../../src/storage/run-blocks.ts";

const START = Date.UTC(2026, 10, 1);
/** A store whose clock makes every day of the runs days late: days are read from rollups_daily. */
const store = new D1RunStore(env.DB, () => START + 30 * DAY_MS);
const TABLES = ["run_blocks", "run_evidence", "rollups_hourly", "rollups_daily", "probe_first_runs"];

const runArb = fc
  .record({
    probeId: fc.constantFrom("alpha", "beta"),
    region: fc.constantFrom("weur", "enam", "apac"),
    minute: fc.integer({ min: 0, max: 2 * 24 * 60 }), // two days: several hours and two days
    status: fc.constantFrom<RunStatus>("up", "degraded", "down"),
    durationMs: fc.integer({ min: 0, max: 200_000 }),
    // A failure on the monitoring side (class probe) or of the target, at one of two steps.
    failure: fc.record({
      class: fc.constantFrom("status" as const, "probe" as const, "timeout" as const),
      step: fc.constantFrom("home", "log in"),
    }),
    inMaintenance: fc.boolean(),
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
      ...(r.status === "down" ? { failure: { ...r.failure, message: "failed" } } : {}),
      ...(r.inMaintenance ? { inMaintenance: true } : {}),
    }),
  );

interface Recomputed {
  total: number;
  up: number;
  degraded: number;
  down: number;
  maintenance: number;
  latency: number[];
  stepFailures: Record<string, number>;
}

/** The runs as stored: the first of each id counts, a replay of it does not. */
function recompute(runs: readonly RunResult[], bucketMs: number): Map<string, Recomputed> {
  const unique = [...new Map(runs.map((r) => [r.runId, r])).values()].filter(
    (r, i, all) => all.findIndex((x) => x.runId === r.runId) === i,
  );
  const firstOf = new Map<string, RunResult>();
  for (const r of runs) if (!firstOf.has(r.runId)) firstOf.set(r.runId, r);
  const groups = new Map<string, Recomputed>();
  for (const run of unique.map((r) => firstOf.get(r.runId)!)) {
    const key = `${run.probeId}|${run.region}|${Math.floor(run.slotAt / bucketMs) * bucketMs}`;
    const g = groups.get(key) ?? {
      total: 0,
      up: 0,
      degraded: 0,
      down: 0,
      maintenance: 0,
      latency: emptyHistogram(),
      stepFailures: {},
    };
    g.total++;
    groups.set(key, g);
    // A run in a maintenance window is stored (not no-data) but neither good nor bad.
    if (run.inMaintenance) {
      g.maintenance++;
      continue;
    }
    g[run.status]++;
    if (run.status !== "down") g.latency = record(g.latency, run.durationMs);
    if (run.failure) g.stepFailures[run.failure.step] = (g.stepFailures[run.failure.step] ?? 0) + 1;
  }
  return groups;
}

async function fromRollups(store: D1RunStore, grain: "hour" | "day"): Promise<Map<string, Recomputed>> {
  const groups = new Map<string, Recomputed>();
  for (const probeId of ["alpha", "beta"]) {
    const { value } = await store.rollups([
      { probeId, regions: ["weur", "enam", "apac"], grain, from: 0, to: Number.MAX_SAFE_INTEGER },
    ]);
    for (const r of value)
      groups.set(`${r.probeId}|${r.region}|${r.bucketAt}`, {
        total: r.total,
        up: r.up,
        degraded: r.degraded,
        down: r.down,
        maintenance: r.maintenance ?? 0,
        latency: r.latency,
        stepFailures: r.stepFailures,
      });
  }
  return groups;
}

describe("rollups", () => {
  it("equal the recomputation from the runs written (property: any order, batches, replays; days read from rollups_daily)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(runArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (runs, batchSize) => {
          await env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
          const withReplays = [...runs, ...runs.slice(0, Math.ceil(runs.length / 3))];
          for (let i = 0; i < withReplays.length; i += batchSize)
            await store.saveRuns(withReplays.slice(i, i + batchSize));
          expect(await fromRollups(store, "hour")).toEqual(recompute(runs, HOUR_MS));
          expect(await fromRollups(store, "day")).toEqual(recompute(runs, DAY_MS));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it("equal it too while the last hour is open (summed from its block), and once the tick sealed it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(runArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (runs, batchSize) => {
          await env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
          // Written as they happen: the hour of the last minute (two days in) is still open.
          const lastHour = START + 2 * DAY_MS;
          const live = new D1RunStore(env.DB, () => lastHour + 30_000);
          const withReplays = [...runs, ...runs.slice(0, Math.ceil(runs.length / 3))];
          for (let i = 0; i < withReplays.length; i += batchSize)
            await live.saveRuns(withReplays.slice(i, i + batchSize));
          const openHour = runs.some((r) => r.slotAt >= lastHour);
          expect(
            (
              await env.DB.prepare("SELECT count(*) AS n FROM run_blocks WHERE sealed_revision = 0").first<{
                n: number;
              }>()
            )?.n,
          ).toBe(
            openHour
              ? new Set(runs.filter((r) => r.slotAt >= lastHour).map((r) => `${r.region}|${bucketOf(r.probeId)}`)).size
              : 0,
          );
          expect(await fromRollups(live, "hour")).toEqual(recompute(runs, HOUR_MS));
          expect(await fromRollups(live, "day")).toEqual(recompute(runs, DAY_MS));
          // The next hour the tick seals it; the days read the same from rollups_daily alone.
          const later = new D1RunStore(env.DB, () => lastHour + HOUR_MS + 60_000);
          expect((await later.sealHours(["weur", "enam", "apac"], 100, 0)).sealed).toBe(
            openHour
              ? 1 *
                  new Set(runs.filter((r) => r.slotAt >= lastHour).map((r) => `${r.region}|${bucketOf(r.probeId)}`))
                    .size
              : 0,
          );
          expect((await later.sealHours(["weur", "enam", "apac"], 100, 0)).rowsWritten).toBe(0);
          expect(await fromRollups(later, "hour")).toEqual(recompute(runs, HOUR_MS));
          expect(await fromRollups(later, "day")).toEqual(recompute(runs, DAY_MS));
          const pairs = ["alpha", "beta"].flatMap((probeId) =>
            ["weur", "enam", "apac"].map((region) => ({ probeId, region })),
          );
          expect((await later.rollUpDays(pairs, 100)).built).toBe(0); // every day was built by its seals
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);

  it("cost one written row per bucket a tick touches, one more per failure, one per new (probe, region), and none per replay", async () => {
    await env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
    const slotAt = START + 7 * 60_000;
    const live = new D1RunStore(env.DB, () => slotAt + 30_000); // the hour is open: nothing to seal
    const runs = Array.from({ length: 300 }, (_, i): RunResult => {
      const status: RunStatus = i % 50 === 0 ? "down" : "up";
      return {
        runId: `p-${i}.weur.${slotAt}`,
        probeId: `p-${i}`,
        probeVersion: "v",
        region: "weur",
        colo: "weur",
        slotAt,
        startedAt: slotAt,
        durationMs: 40 + i,
        status,
        steps: [],
      };
    });
    const buckets = new Set(runs.map((r) => bucketOf(r.probeId))).size;
    const failures = runs.filter((r) => r.status !== "up").length;
    const first = await live.saveRuns(runs);
    expect(first.inserted).toBe(runs.length);
    // The first run of each pair is also recorded once (probe_first_runs).
    expect(first.rowsWritten).toBe(buckets + failures + runs.length);
    expect(buckets).toBeLessThanOrEqual(BUCKETS);
    const replay = await live.saveRuns(runs);
    expect(replay).toEqual({ inserted: 0, rowsWritten: 0 });
    const nextMinute = runs.map((r) => ({
      ...r,
      runId: `${r.probeId}.weur.${slotAt + 60_000}`,
      slotAt: slotAt + 60_000,
      startedAt: slotAt + 60_000,
    }));
    const second = await new D1RunStore(env.DB, () => slotAt + 90_000).saveRuns(nextMinute);
    expect(second.rowsWritten).toBe(buckets + failures);
    const known = await env.DB.prepare(
      "SELECT count(*) AS n, min(first_slot_at) AS lo, max(first_slot_at) AS hi FROM probe_first_runs",
    ).first<{ n: number; lo: number; hi: number }>();
    expect(known).toEqual({ n: runs.length, lo: slotAt, hi: slotAt });
  });
});
