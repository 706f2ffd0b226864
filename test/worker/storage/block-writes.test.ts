/**
 * The run store's packed writes and reads on a real local D1, at their edges: writers racing for
 * one block, replays with another outcome, an hour whose seal lagged, and listing runs page by
 * page across probes that share a block, with filters and windows.
 */
import { runResult } from "../support/run-result.ts";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RunResult, RunStatus } from "../../../src/probe/result.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { UNSEALED_HOURS } from "../../../src/storage/rollup-reads.ts";
import type { RunPosition } from "../../../src/storage/run-list.ts";
import { bucketOf } from "../../../src/storage/run-blocks.ts";
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";

const TABLES = ["run_blocks", "run_evidence", "rollups_hourly", "rollups_daily"];
const clear = () => env.DB.batch(TABLES.map((t) => env.DB.prepare(`DELETE FROM ${t}`)));
const START = Date.UTC(2026, 10, 1);

function run(probeId: string, region: string, slotAt: number, status: RunStatus): RunResult {
  return runResult(probeId, region, slotAt, {
    startedAt: slotAt + 5,
    durationMs: 42,
    status,
    ...(status === "down" ? { failure: { step: "home", class: "status", message: "HTTP 503" } } : {}),
  });
}

/** Probe ids that fall in the same bucket as `seed`. */
function sameBucket(prefix: string, count: number): string[] {
  const ids: string[] = [];
  const bucket = bucketOf(`${prefix}-0`);
  for (let i = 0; ids.length < count; i++) if (bucketOf(`${prefix}-${i}`) === bucket) ids.push(`${prefix}-${i}`);
  return ids;
}

async function hours(store: D1RunStore, probeId: string, region: string) {
  const { value } = await store.rollups([
    { probeId, regions: [region], grain: "hour", from: 0, to: Number.MAX_SAFE_INTEGER },
  ]);
  return value.map((r) => ({ at: r.bucketAt, total: r.total, up: r.up, down: r.down }));
}

describe("packed writes", () => {
  it("land every run when writers race for the same block", async () => {
    await clear();
    const store = new D1RunStore(env.DB, () => START + 10 * 60_000);
    const ids = sameBucket("race", 8);
    const reports = await Promise.all(ids.map((id) => store.saveRuns([run(id, "weur", START, "up")])));
    expect(reports.map((r) => r.inserted)).toEqual(ids.map(() => 1));
    const stored = await Promise.all(ids.map((id) => store.getRun(`${id}.weur.${START}`)));
    expect(stored.map((r) => r?.status)).toEqual(ids.map(() => "up"));
  });

  it("leave a stored run as it was when a replay brings another outcome, in sequence or in parallel", async () => {
    await clear();
    const now = START + 10 * 60_000;
    const store = new D1RunStore(env.DB, () => now);
    const slot = START + 60_000;
    await store.saveRuns([run("replay-a", "weur", slot, "up")]);
    expect(await store.saveRuns([run("replay-a", "weur", slot, "down")])).toEqual({ inserted: 0, rowsWritten: 0 });
    expect((await store.getRun(`replay-a.weur.${slot}`))?.status).toBe("up");
    const [latest] = await store.read([store.latestRunsRead([{ probeId: "replay-a", region: "weur" }], now)]);
    expect(latest.map((r) => [r.status, r.failure])).toEqual([["up", undefined]]);
    expect(await hours(store, "replay-a", "weur")).toEqual([{ at: START, total: 1, up: 1, down: 0 }]);

    await Promise.all([
      store.saveRuns([run("replay-b", "weur", slot, "up")]),
      store.saveRuns([run("replay-b", "weur", slot, "down")]),
    ]);
    const kept = await store.getRun(`replay-b.weur.${slot}`);
    const [hour] = await hours(store, "replay-b", "weur");
    // Whichever came first, the run, its evidence and the rollup tell the same story.
    expect(hour!.total).toBe(1);
    expect(kept?.status === "down" ? hour!.down : hour!.up).toBe(1);
    expect(kept?.status === "down").toBe(kept?.failure !== undefined);
  });

  it("seal an hour whose seal lagged past the unsealed window, oldest first", async () => {
    await clear();
    const slot = START + 5 * 60_000;
    await new D1RunStore(env.DB, () => slot + 1000).saveRuns([
      run("lag", "weur", slot, "up"),
      run("lag", "weur", slot + 60_000, "down"),
    ]);
    const later = new D1RunStore(env.DB, () => START + (UNSEALED_HOURS + 2) * HOUR_MS);
    expect(await hours(later, "lag", "weur")).toEqual([]); // unsealed, and outside the readers' window
    expect((await later.sealHours(["weur"], 100, START - DAY_MS)).sealed).toBe(1);
    expect(await hours(later, "lag", "weur")).toEqual([{ at: START, total: 2, up: 1, down: 1 }]);
    const { value } = await later.rollups([
      { probeId: "lag", regions: ["weur"], grain: "day", from: START, to: START + DAY_MS },
    ]);
    expect(value.map((d) => [d.total, d.up, d.down])).toEqual([[2, 1, 1]]);
  });

  it("store no run of an hour whose block is past retention, so the hour's rollup is never replaced by a late run alone", async () => {
    await clear();
    const slot = START + 5 * 60_000;
    await new D1RunStore(env.DB, () => slot + 2 * HOUR_MS).saveRuns(
      [0, 1, 2].map((m) => run("late", "weur", slot + m * 60_000, "up")),
    );
    const now = slot + 15 * DAY_MS;
    const store = new D1RunStore(env.DB, () => now);
    await store.prune({
      pairs: [],
      regions: ["weur"],
      runsBefore: now - 14 * DAY_MS,
      hoursBefore: 0,
      rollupsBefore: 0,
    });
    expect((await env.DB.prepare("SELECT count(*) AS n FROM run_blocks").first<{ n: number }>())?.n).toBe(0);
    expect(await store.saveRuns([run("late", "weur", slot + 3 * 60_000, "down")])).toEqual({
      inserted: 0,
      rowsWritten: 0,
      expired: 1,
    });
    expect(await hours(store, "late", "weur")).toEqual([{ at: START, total: 3, up: 3, down: 0 }]);
    // A run of an old hour that never had a rollup (a backfill) is stored as ever, and so is a recent one.
    expect(
      (await store.saveRuns([run("late-new", "weur", slot, "up"), run("late", "weur", now - 60_000, "up")])).inserted,
    ).toBe(2);
  });
});

describe("listing runs", () => {
  async function everyPage(
    store: D1RunStore,
    query: Omit<Parameters<D1RunStore["listRuns"]>[0], "cursor">,
  ): Promise<string[]> {
    const seen: string[] = [];
    let cursor: RunPosition | undefined;
    for (let pages = 0; pages < 2000; pages++) {
      const page = await store.listRuns({ ...query, cursor });
      expect(page.runs.length).toBeLessThanOrEqual(query.limit);
      seen.push(...page.runs.map((r) => r.runId));
      if (!page.next) return seen;
      cursor = page.next;
    }
    throw new Error("listing did not end");
  }

  it("pages through every run exactly once, newest first, across probes sharing a block, with status filters", async () => {
    await clear();
    const store = new D1RunStore(env.DB, () => START + 3 * DAY_MS);
    const [busy, sparse] = sameBucket("list", 2) as [string, string];
    const runs: RunResult[] = [];
    for (let m = 0; m < 2 * 24 * 60; m += 7)
      runs.push(run(busy, "weur", START + m * 60_000, m % 5 === 0 ? "down" : "up"));
    for (let m = 0; m < 120; m += 13) runs.push(run(sparse, "weur", START + m * 60_000, m % 2 === 0 ? "down" : "up"));
    for (let m = 0; m < 2 * 24 * 60; m += 11) runs.push(run("list-other", "enam", START + m * 60_000, "degraded"));
    for (let i = 0; i < runs.length; i += 300) await store.saveRuns(runs.slice(i, i + 300));
    const cases = [
      { pairs: [{ probeId: sparse, region: "weur" }], status: undefined, limit: 3 },
      {
        pairs: [
          { probeId: busy, region: "weur" },
          { probeId: sparse, region: "weur" },
          { probeId: "list-other", region: "enam" },
        ],
        status: undefined,
        limit: 7,
      },
      {
        pairs: [
          { probeId: busy, region: "weur" },
          { probeId: sparse, region: "weur" },
        ],
        status: "down" as const,
        limit: 4,
      },
      {
        pairs: [
          { probeId: busy, region: "weur" },
          { probeId: sparse, region: "weur" },
        ],
        status: "up" as const,
        limit: 50,
      },
    ];
    for (const query of cases) {
      const expected = runs
        .filter(
          (r) =>
            query.pairs.some((p) => p.probeId === r.probeId && p.region === r.region) &&
            (query.status === undefined || r.status === query.status),
        )
        .sort(
          (a, b) =>
            b.slotAt - a.slotAt ||
            (a.probeId < b.probeId ? -1 : a.probeId > b.probeId ? 1 : a.region < b.region ? -1 : 1),
        )
        .map((r) => r.runId);
      expect(await everyPage(store, query)).toEqual(expected);
    }
  }, 120_000);

  it("keeps to a from/to window", async () => {
    await clear();
    const store = new D1RunStore(env.DB, () => START + 3 * DAY_MS);
    const runs = Array.from({ length: 600 }, (_, m) => run("window", "weur", START + m * 60_000, "up"));
    await store.saveRuns(runs);
    const from = START + 90 * 60_000 + 30_000;
    const to = START + 200 * 60_000;
    const expected = runs
      .filter((r) => r.slotAt >= from && r.slotAt < to)
      .map((r) => r.runId)
      .reverse();
    expect(await everyPage(store, { pairs: [{ probeId: "window", region: "weur" }], from, to, limit: 25 })).toEqual(
      expected,
    );
  });
});
