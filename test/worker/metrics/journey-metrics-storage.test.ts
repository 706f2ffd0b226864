/**
 * Journey metrics in storage, on a real local D1: values ride in the run blocks (no extra row per
 * run), a replay changes nothing, sealing writes each hour's count/sum/min/max/last into the
 * hourly rollup, and those aggregates outlive the blocks' raw retention.
 */
import { runResult } from "../support/run-result.ts";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import {
  addValue,
  hourAggregates,
  mergeAggregates,
  withRunMetrics,
  type MetricAggregate,
} from "../../../src/storage/metric-values.ts";
import { DEFAULT_RETENTION, planPrune } from "../../../src/storage/retention.ts";
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";

const TABLES = ["run_blocks", "run_evidence", "rollups_hourly", "rollups_daily", "probe_first_runs"];
const clear = () => env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
const START = Date.UTC(2026, 10, 2);
const pairs = [{ probeId: "shop", region: "weur" }];

describe("journey metrics in the run blocks", () => {
  it("cost no extra written row, read back per run, and a replay leaves the stored value", async () => {
    await clear();
    const store = new D1RunStore(env.DB, () => START + 30 * 60_000);
    const plain = await store.saveRuns([runResult("plain", "weur", START), runResult("plain", "weur", START + 60_000)]);
    const withMetrics = await store.saveRuns([
      runResult("shop", "weur", START, { metrics: { cart_total: 3097, lines: 2 } }),
      runResult("shop", "weur", START + 60_000, { metrics: { cart_total: 0 } }),
    ]);
    expect(withMetrics.rowsWritten).toBe(plain.rowsWritten);
    expect(await store.saveRuns([runResult("shop", "weur", START, { metrics: { cart_total: 1 } })])).toEqual({
      inserted: 0,
      rowsWritten: 0,
    });

    const [history] = await store.read([
      store.metricsRead(pairs, { from: START, to: START + HOUR_MS, hoursFrom: START }),
    ]);
    expect(history.values).toEqual([
      { probeId: "shop", region: "weur", name: "cart_total", slotAt: START, value: 3097 },
      { probeId: "shop", region: "weur", name: "lines", slotAt: START, value: 2 },
      { probeId: "shop", region: "weur", name: "cart_total", slotAt: START + 60_000, value: 0 },
    ]);
    // The current hour's aggregate comes from its block.
    expect(history.hours.find((h) => h.name === "cart_total")).toEqual({
      probeId: "shop",
      region: "weur",
      name: "cart_total",
      hourAt: START,
      count: 2,
      sum: 3097,
      min: 0,
      max: 3097,
      last: 0,
      lastAt: START + 60_000,
    });
    expect((await store.getRun(`shop.weur.${START}`))?.metrics).toEqual({ cart_total: 3097, lines: 2 });
    // Another probe of the fleet reads nothing of this one.
    const [other] = await store.read([
      store.metricsRead([{ probeId: "plain", region: "weur" }], { from: START, to: START + HOUR_MS, hoursFrom: START }),
    ]);
    expect(other).toEqual({ values: [], hours: [] });
  });

  it("seal each hour's aggregates into its rollup row, which outlives the blocks' retention", async () => {
    await clear();
    const runs = [0, 1, 2].flatMap((h) =>
      [0, 30].map((m) =>
        runResult("shop", "weur", START + h * HOUR_MS + m * 60_000, { metrics: { cart_total: 100 * h + m } }),
      ),
    );
    await new D1RunStore(env.DB, () => START + 3 * HOUR_MS).saveRuns(runs);
    const later = new D1RunStore(env.DB, () => START + 3 * HOUR_MS + 60_000);
    await later.sealHours(["weur"], 100, START - DAY_MS);
    const { results } = await env.DB.prepare(
      "SELECT hour_at, metrics FROM rollups_hourly WHERE probe_id = 'shop' ORDER BY hour_at",
    ).all<{ hour_at: number; metrics: string }>();
    expect(results.map((r) => [r.hour_at, JSON.parse(r.metrics)])).toEqual(
      [0, 1, 2].map((h) => [
        START + h * HOUR_MS,
        {
          cart_total: {
            count: 2,
            sum: 200 * h + 30,
            min: 100 * h,
            max: 100 * h + 30,
            last: 100 * h + 30,
            lastAt: START + h * HOUR_MS + 30 * 60_000,
          },
        },
      ]),
    );

    // Twenty days on, the blocks are pruned; the hourly aggregates stay.
    const now = START + 20 * DAY_MS;
    const store = new D1RunStore(env.DB, () => now);
    await store.prune(planPrune([], now, DEFAULT_RETENTION, ["weur"]));
    expect((await env.DB.prepare("SELECT count(*) AS n FROM run_blocks").first<{ n: number }>())?.n).toBe(0);
    const [history] = await store.read([store.metricsRead(pairs, { from: now - HOUR_MS, to: now, hoursFrom: START })]);
    expect(history.values).toEqual([]);
    expect(history.hours.map((h) => [h.hourAt, h.count, h.min, h.max, h.last])).toEqual(
      [0, 1, 2].map((h) => [START + h * HOUR_MS, 2, 100 * h, 100 * h + 30, 100 * h + 30]),
    );
  });
});

describe("metric aggregates", () => {
  const value = fc.double({ noNaN: true, min: -1e9, max: 1e9 });
  const aggregate = fc
    .tuple(fc.array(value, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 1e6 }))
    .map(([values, at]) => values.reduce<MetricAggregate | null>((a, v, i) => addValue(a, v, at + i), null)!);

  it("merging is associative and commutative in count, sum (to rounding), min and max, and keeps the newest last", () => {
    fc.assert(
      fc.property(aggregate, aggregate, aggregate, (a, b, c) => {
        const left = mergeAggregates(mergeAggregates(a, b), c);
        const right = mergeAggregates(a, mergeAggregates(c, b));
        expect([left.count, left.min, left.max]).toEqual([right.count, right.min, right.max]);
        expect(left.sum).toBeCloseTo(right.sum, 0);
        const newest = Math.max(a.lastAt, b.lastAt, c.lastAt);
        expect(left.lastAt).toBe(newest);
        expect([a, b, c].some((x) => x.lastAt === newest && x.last === left.last)).toBe(true);
      }),
    );
  });

  it("an hour's aggregate is its values' count, sum, min, max and the newest minute's value, in whatever order runs arrive", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 59 }), fc.integer({ min: -1000, max: 1000 })), {
          selector: ([m]) => m,
          minLength: 1,
          maxLength: 60,
        }),
        (runs) => {
          const stored = runs.reduce((values, [m, v]) => withRunMetrics(values, m, { x: v }), {});
          const byMinute = [...runs].sort((p, q) => p[0] - q[0]);
          expect(hourAggregates(stored, START).x).toEqual({
            count: runs.length,
            sum: runs.reduce((s, [, v]) => s + v, 0),
            min: Math.min(...runs.map(([, v]) => v)),
            max: Math.max(...runs.map(([, v]) => v)),
            last: byMinute[byMinute.length - 1]![1],
            lastAt: START + byMinute[byMinute.length - 1]![0] * 60_000,
          });
        },
      ),
    );
  });
});
