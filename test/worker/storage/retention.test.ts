/** Retention: expired blocks go in every region that may have them, not only the regions probes run in today. */
import { runResult } from "../support/run-result.ts";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { REGIONS } from "../../../src/probe/schema.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { DEFAULT_RETENTION, planPrune } from "../../../src/storage/retention.ts";
import { DAY_MS } from "../../../src/time.ts";

const NOW = Date.UTC(2026, 10, 20, 12);

function run(probeId: string, region: string, slotAt: number): RunResult {
  return runResult(probeId, region, slotAt, { durationMs: 10 });
}

describe("retention", () => {
  it("plans every known region, whatever the pairs of the moment", () => {
    const plan = planPrune([{ probeId: "a", region: "weur" }], NOW, DEFAULT_RETENTION, REGIONS);
    expect(plan.regions).toEqual([...REGIONS].sort());
    expect(planPrune([{ probeId: "a", region: "weur" }], NOW, DEFAULT_RETENTION).regions).toEqual(["weur"]);
  });

  it("deletes the expired blocks of a region no probe runs in any more, and keeps recent ones", async () => {
    const store = new D1RunStore(env.DB, () => NOW);
    const old = NOW - 20 * DAY_MS;
    await store.saveRuns([
      run("gone", "sam", old),
      run("kept", "weur", old),
      run("kept", "weur", NOW - 60_000),
      run("gone", "sam", NOW - 60_000),
    ]);
    // The fleet today: one probe in weur only.
    await store.prune(planPrune([{ probeId: "kept", region: "weur" }], NOW, DEFAULT_RETENTION, REGIONS));
    const { results } = await env.DB.prepare("SELECT region, hour_at FROM run_blocks ORDER BY region, hour_at").all<{
      region: string;
      hour_at: number;
    }>();
    const hour = (t: number) => Math.floor(t / 3_600_000) * 3_600_000;
    expect(results).toEqual([
      { region: "sam", hour_at: hour(NOW - 60_000) },
      { region: "weur", hour_at: hour(NOW - 60_000) },
    ]);
  });
});
