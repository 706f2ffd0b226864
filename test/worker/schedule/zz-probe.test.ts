import { it } from "vitest";
import { defineProbe } from "../../../src/probe/define-probe.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { FREE_LIMITS, planShards } from "../../../src/schedule/shard-plan.ts";
const POOL = loadRegistry(Array.from({ length: 20 }, (_, i) => ({ file: `probes/p${i}.ts`, definition: defineProbe({ id: `p-${String(i).padStart(3,"0")}`, name: `P${i}`, baseUrl: "https://example.com", steps: [{ name: "h", url: "/" }] }) })));
it("x", () => {
  const out: unknown[] = [];
  for (const [n, per] of [[10, 3], [20, 9], [7, 6], [13, 4]] as const) {
    const runs = POOL.slice(0, n).map((p) => ({ probe: p, region: "weur", slotAt: 0 }));
    const s = planShards(runs, { ...FREE_LIMITS, subrequests: per + 1 }, () => ({ requests: 1, d1Queries: 0, expectedMs: 0 }));
    out.push([n, per, s.map((x) => x.runs.length)]);
  }
  throw new Error(JSON.stringify(out));
});
