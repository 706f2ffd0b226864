/** The newest run of each (probe, region) on a real local D1: a fixed number of statements for any number of pairs, full or state fields only. */
import { runResult } from "../support/run-result.ts";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RunResult, RunStatus } from "../../../src/probe/result.ts";
import { readTogether } from "../../../src/storage/d1-read.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";

const START = Date.UTC(2026, 9, 1);
/** Within the hour after the newest run (every schedule runs at least hourly). */
const NOW = START + 115 * 60_000;
const store = new D1RunStore(env.DB);

function run(probeId: string, region: string, minute: number, status: RunStatus): RunResult {
  const slotAt = START + minute * 60_000;
  return runResult(probeId, region, slotAt, { startedAt: slotAt + 7, durationMs: 42, status });
}

describe("newest runs", () => {
  it("are the newest run of every pair asked for, in two statements (one for states), full or state fields only (property)", async () => {
    const arb = fc.uniqueArray(
      fc.record({
        probe: fc.constantFrom("lr-a", "lr-b", "lr-c"),
        region: fc.constantFrom("weur", "enam"),
        minute: fc.integer({ min: 0, max: 110 }),
        status: fc.constantFrom<RunStatus>("up", "degraded", "down"),
      }),
      { selector: (r) => `${r.probe}|${r.region}|${r.minute}`, maxLength: 40 },
    );
    let round = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (rows) => {
        // Each round its own probe ids, so earlier rounds' runs do not interfere.
        const id = (probe: string) => `${probe}-${round}`;
        round++;
        await store.saveRuns(rows.map((r) => run(id(r.probe), r.region, r.minute, r.status)));
        const pairs = ["lr-a", "lr-b", "lr-c", "lr-none"].flatMap((p) =>
          ["weur", "enam"].map((region) => ({ probeId: id(p), region })),
        );
        const newest = new Map<string, (typeof rows)[number]>();
        for (const r of rows) {
          const key = `${id(r.probe)}|${r.region}`;
          if ((newest.get(key)?.minute ?? -1) < r.minute) newest.set(key, r);
        }
        const expected = [...newest.entries()]
          .map(([key, r]) => ({ key, slotAt: START + r.minute * 60_000, status: r.status }))
          .sort((x, y) => (x.key < y.key ? -1 : 1));
        const byKey = <T extends { probeId: string; region: string; slotAt: number; status: RunStatus }>(
          list: readonly T[],
        ) =>
          list
            .map((r) => ({ key: `${r.probeId}|${r.region}`, slotAt: r.slotAt, status: r.status }))
            .sort((x, y) => (x.key < y.key ? -1 : 1));

        const [full, states] = await readTogether(env.DB, [
          store.latestRunsRead(pairs, NOW),
          store.latestStatesRead(pairs, NOW),
        ]);
        expect(store.latestRunsRead(pairs, NOW).statements).toHaveLength(2);
        expect(store.latestStatesRead(pairs, NOW).statements).toHaveLength(1);
        expect(byKey(full)).toEqual(expected);
        expect(byKey(states)).toEqual(expected);
        expect(
          full.every(
            (r) =>
              r.runId === `${r.probeId}.${r.region}.${r.slotAt}` && r.durationMs === 42 && r.startedAt === r.slotAt + 7,
          ),
        ).toBe(true);
        expect(
          states.every(
            (r) =>
              Object.keys(r).sort().join() === "probeId,region,slotAt,startedAt,status" && r.startedAt === r.slotAt + 7,
          ),
        ).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});
