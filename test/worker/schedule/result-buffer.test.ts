/**
 * The region runner's buffer of results D1 refused, in a real RegionRunner object's storage, and
 * the flush into the real local D1: bounded in size (the oldest dropped, and counted) and in
 * the work of one flush (FLUSH_CHUNK results, oldest first).
 */
import { runResult } from "../support/run-result.ts";
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { storedRuns } from "../support/network.ts";
import { describe, expect, it, vi } from "vitest";
import type { RunResult } from "../../../src/probe/result.ts";
import { regionRunner } from "../../../src/schedule/region-runner.ts";
import { DurableObjectResultBuffer, MAX_BUFFERED } from "../../../src/schedule/result-buffer.ts";
import { executeShard, FLUSH_CHUNK, flushBuffer } from "../../../src/schedule/shard-executor.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import type { RunStore } from "../../../src/storage/run-store.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";

const MINUTE = 60_000;
const T = Date.UTC(2026, 10, 10, 0, 0);
const store = new D1RunStore(env.DB);

function result(probeId: string, region: string, minute: number): RunResult {
  const slotAt = T + minute * MINUTE;
  return runResult(probeId, region, slotAt, { probeVersion: "v1" });
}

/** The real store, counting what each saveRuns call was given. */
function recording(real: RunStore): RunStore & { sizes: number[] } {
  const wrapper = Object.create(real) as RunStore & { sizes: number[] };
  wrapper.sizes = [];
  wrapper.saveRuns = async (results) => {
    wrapper.sizes.push(results.length);
    return real.saveRuns(results);
  };
  return wrapper;
}

const storedMinutes = async (probeId: string) =>
  (await storedRuns("probe_id = ?", probeId)).map((r) => (r.slot_at - T) / MINUTE);

describe("flush", () => {
  it("writes at most FLUSH_CHUNK buffered results per call, oldest first, and leaves the rest", {
    timeout: 120_000,
  }, async () => {
    expect(FLUSH_CHUNK).toBe(500);
    await runInDurableObject(regionRunner(env, "weur", "flush-bound"), async (_instance, state) => {
      const buffer = new DurableObjectResultBuffer(state.storage);
      // 1,200 minutes of a D1 outage, buffered newest first to show the order is the slot's, not the insertion's.
      const backlog = Array.from({ length: 1200 }, (_, i) => result("flush-probe", "weur", 1199 - i));
      await buffer.put(backlog);
      expect(await buffer.count()).toBe(1200);
      const saving = recording(store);

      expect(await flushBuffer({ store: saving, buffer })).toEqual({ flushed: 500, remaining: 700 });
      expect(await storedMinutes("flush-probe")).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect((await buffer.oldest(1)).map((r) => r.slotAt)).toEqual([T + 500 * MINUTE]);

      expect(await flushBuffer({ store: saving, buffer })).toEqual({ flushed: 500, remaining: 200 });
      expect(await flushBuffer({ store: saving, buffer })).toEqual({ flushed: 200, remaining: 0 });
      expect(await flushBuffer({ store: saving, buffer })).toEqual({ flushed: 0, remaining: 0 });
      expect(saving.sizes).toEqual([500, 500, 200]);
      expect((await storedMinutes("flush-probe")).length).toBe(1200);
    });
  });

  it("a flush that D1 refuses keeps everything for the next one", async () => {
    await runInDurableObject(regionRunner(env, "weur", "flush-refused"), async (_instance, state) => {
      const buffer = new DurableObjectResultBuffer(state.storage);
      await buffer.put(Array.from({ length: 10 }, (_, i) => result("refused-probe", "weur", i)));
      const failing = Object.create(store) as RunStore;
      failing.saveRuns = async () => Promise.reject(new Error("D1_ERROR: injected"));
      expect(await flushBuffer({ store: failing, buffer })).toEqual({
        flushed: 0,
        remaining: 10,
        error: "Error: D1_ERROR: injected",
      });
      expect(await buffer.count()).toBe(10);
    });
  });
});

describe("buffer size", () => {
  it("holds MAX_BUFFERED results; past that it drops the oldest and counts them", async () => {
    expect(MAX_BUFFERED).toBe(10_000);
    await runInDurableObject(regionRunner(env, "enam", "buffer-cap"), async (_instance, state) => {
      const buffer = new DurableObjectResultBuffer(state.storage, { capacity: 100 });
      expect(await buffer.put(Array.from({ length: 80 }, (_, i) => result("cap-probe", "enam", i)))).toEqual({
        dropped: 0,
      });
      expect(await buffer.put(Array.from({ length: 80 }, (_, i) => result("cap-probe", "enam", i)))).toEqual({
        dropped: 0,
      }); // the same results again: no more
      expect(await buffer.count()).toBe(80);
      expect(await buffer.put(Array.from({ length: 50 }, (_, i) => result("cap-probe", "enam", 80 + i)))).toEqual({
        dropped: 30,
      });
      expect(await buffer.count()).toBe(100);
      const kept = await buffer.oldest(1000);
      expect(kept.map((r) => (r.slotAt - T) / MINUTE)).toEqual(Array.from({ length: 100 }, (_, i) => 30 + i));
    });
  });

  it("reads results buffered under the old keys first, and counts them", async () => {
    await runInDurableObject(regionRunner(env, "enam", "buffer-legacy"), async (_instance, state) => {
      const old = result("legacy-probe", "enam", 0);
      await state.storage.put(`pending:${old.runId}`, old); // as the buffer kept them before it was ordered by slot
      const buffer = new DurableObjectResultBuffer(state.storage);
      await buffer.put([result("legacy-probe", "enam", 1)]);
      expect(await buffer.count()).toBe(2);
      expect((await buffer.oldest(10)).map((r) => r.runId)).toEqual([
        old.runId,
        result("legacy-probe", "enam", 1).runId,
      ]);
      expect(await flushBuffer({ store, buffer })).toEqual({ flushed: 2, remaining: 0 });
      expect(await state.storage.get(`pending:${old.runId}`)).toBeUndefined();
    });
  });

  it("a shard whose results overflow the buffer reports and logs the dropped ones", async () => {
    const [probe] = loadRegistry([
      {
        file: "cap.ts",
        definition: {
          id: "cap-shard",
          name: "Cap",
          baseUrl: env.SHOP_URL,
          regions: ["weur"],
          steps: [{ name: "home", url: "/" }],
        },
      },
    ]);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const report = await runInDurableObject(regionRunner(env, "weur", "shard-cap"), async (_instance, state) => {
      const buffer = new DurableObjectResultBuffer(state.storage, { capacity: 1 });
      await buffer.put([result("cap-shard", "weur", 0)]);
      const failing = Object.create(store) as RunStore;
      failing.saveRuns = async () => Promise.reject(new Error("D1_ERROR: injected"));
      return executeShard(
        { region: "weur", shard: 0, slotAt: T + 10 * MINUTE, probeIds: ["cap-shard"] },
        {
          probes: new Map([["cap-shard", probe!]]),
          store: failing,
          buffer,
          runner: {
            fetch: (input, init) => fetch(input, init),
            now: Date.now,
            randomId: () => "r",
            values: {},
            allowPrivateTargets: true,
          },
          colo: async () => "weur",
          confirm: async () => Promise.reject(new Error("no confirmation")),
        },
      );
    });
    const logged = errors.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
    errors.mockRestore();
    expect([report.stored, report.buffered, report.dropped]).toEqual([0, 1, 1]);
    expect(logged).toContainEqual({ event: "buffer_full", region: "weur", shard: 0, dropped: 1, buffered: 1 });
  });
});
