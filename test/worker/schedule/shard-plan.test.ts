/** Shard planning: exact packings for known costs, and coverage/limit/minimality properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defineProbe, script } from "../../../src/probe/define-probe.ts";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import { REGIONS } from "../../../src/probe/schema.ts";
import type { PlannedRun } from "../../../src/schedule/plan.ts";
import {
  estimateRunCost,
  FREE_LIMITS,
  type InvocationLimits,
  PAID_LIMITS,
  planShards,
  type RunCost,
  type Shard,
  shardName,
  WRITE_QUERIES_PER_RUN,
} from "../../../src/schedule/shard-plan.ts";

const SLOT = Date.UTC(2026, 10, 26, 10, 0);

function probeId(i: number): string {
  return `p-${String(i).padStart(3, "0")}`;
}

/** 200 one-step probes p-000 .. p-199, loaded once. */
const POOL: LoadedProbe[] = loadRegistry(
  Array.from({ length: 200 }, (_, i) => ({
    file: `probes/${probeId(i)}.ts`,
    definition: defineProbe({ id: probeId(i), name: `Probe ${i}`, baseUrl: "https://example.com", steps: [{ name: "home", url: "/" }] }),
  })),
);

function run(i: number, region = "weur"): PlannedRun {
  return { probe: POOL[i]!, region, slotAt: SLOT };
}

const ids = (shard: Shard) => shard.runs.map((r) => r.probe.probe.id);
const summary = (shards: Shard[]) => shards.map((s) => `${shardName(s.region, s.index)} ${ids(s).join(",")}${s.overLimit ? ` over:${s.overLimit.join("+")}` : ""}`);

/** A shard's load: summed costs, plus its longest single run. */
interface Load extends RunCost {
  longestMs: number;
}

function loadOf(costs: readonly RunCost[]): Load {
  return costs.reduce<Load>(
    (acc, c) => ({
      requests: acc.requests + c.requests,
      d1Queries: acc.d1Queries + c.d1Queries,
      expectedMs: acc.expectedMs + c.expectedMs,
      longestMs: Math.max(acc.longestMs, c.expectedMs),
    }),
    { requests: 0, d1Queries: 0, expectedMs: 0, longestMs: 0 },
  );
}

function sumOf(shard: Shard, cost: (run: PlannedRun) => RunCost): Load {
  return loadOf(shard.runs.map(cost));
}

/** The documented model: wall time is max(sum / inFlight, longest run), as plain division. */
function wallMs(load: Load, limits: InvocationLimits): number {
  return Math.max(load.expectedMs / limits.inFlight, load.longestMs);
}

function fits(load: Load, limits: InvocationLimits): boolean {
  return load.requests <= limits.subrequests - 1 && load.d1Queries <= limits.d1Queries && wallMs(load, limits) <= limits.wallBudgetMs;
}

describe("limits", () => {
  it("match the platform's per-invocation limits", () => {
    expect(FREE_LIMITS).toEqual({ subrequests: 50, d1Queries: 50, inFlight: 6, wallBudgetMs: 45_000 });
    expect(PAID_LIMITS).toEqual({ subrequests: 1000, d1Queries: 1000, inFlight: 6, wallBudgetMs: 45_000 });
    expect(WRITE_QUERIES_PER_RUN).toBe(3);
    expect(shardName("weur", 2)).toBe("weur:2");
  });
});

describe("estimateRunCost", () => {
  const [journey] = loadRegistry([
    {
      file: "probes/journey.ts",
      definition: defineProbe({
        id: "journey",
        name: "Journey",
        baseUrl: "https://example.com",
        steps: [
          { name: "home", url: "/" },
          { name: "login", url: "/login", maxRedirects: 3 },
          script("browse", async () => {}),
        ],
      }),
    },
  ]);

  it("counts 1 + maxRedirects per HTTP step and 10 per script step, at 300 ms a request", () => {
    expect(estimateRunCost(journey!)).toEqual({ requests: 15, d1Queries: 3, expectedMs: 4500 });
  });

  it("takes the request time and the script assumption as options", () => {
    expect(estimateRunCost(journey!, { assumedRequestMs: 100, scriptRequests: 2 })).toEqual({ requests: 7, d1Queries: 3, expectedMs: 700 });
    expect(estimateRunCost(POOL[0]!)).toEqual({ requests: 1, d1Queries: 3, expectedMs: 300 });
  });
});

describe("planShards", () => {
  const flat = (c: RunCost) => () => c;

  it("packs equal runs up to the tightest limit: 9 runs of 5 requests per Free shard (49 usable)", () => {
    const runs = Array.from({ length: 20 }, (_, i) => run(i));
    const shards = planShards(runs, FREE_LIMITS, flat({ requests: 5, d1Queries: 3, expectedMs: 1500 }));
    expect(shards.map((s) => [s.region, s.index, s.runs.length])).toEqual([
      ["weur", 0, 9],
      ["weur", 1, 9],
      ["weur", 2, 2],
    ]);
    expect(ids(shards[2]!)).toEqual(["p-018", "p-019"]);
    expect(shards.some((s) => s.overLimit)).toBe(false);
  });

  it("on Paid, the wall budget binds: 180 runs of 1.5 s (270 s of work, 6 at a time = 45 s)", () => {
    const runs = Array.from({ length: 200 }, (_, i) => run(i));
    const shards = planShards(runs, PAID_LIMITS, flat({ requests: 5, d1Queries: 3, expectedMs: 1500 }));
    expect(shards.map((s) => s.runs.length)).toEqual([180, 20]);
  });

  it("D1 queries bind when requests are cheap: 16 runs of 3 queries in 50", () => {
    const runs = Array.from({ length: 40 }, (_, i) => run(i));
    expect(planShards(runs, FREE_LIMITS, flat({ requests: 1, d1Queries: 3, expectedMs: 300 })).map((s) => s.runs.length)).toEqual([16, 16, 8]);
  });

  it("fills a shard exactly to each limit, and not one past", () => {
    const runs = Array.from({ length: 50 }, (_, i) => run(i));
    expect(planShards(runs, FREE_LIMITS, flat({ requests: 1, d1Queries: 0, expectedMs: 0 })).map((s) => s.runs.length)).toEqual([49, 1]);
    expect(planShards(runs.slice(0, 7), FREE_LIMITS, flat({ requests: 0, d1Queries: 0, expectedMs: 45_000 })).map((s) => s.runs.length)).toEqual([6, 1]);
  });

  it("gives a run that alone exceeds a limit its own shard, marked, and keeps going", () => {
    const costs = new Map<string, RunCost>([
      ["p-000", { requests: 5, d1Queries: 3, expectedMs: 1500 }],
      ["p-001", { requests: 60, d1Queries: 3, expectedMs: 300_000 }],
      ["p-002", { requests: 5, d1Queries: 3, expectedMs: 1500 }],
      ["p-003", { requests: 5, d1Queries: 60, expectedMs: 1500 }],
    ]);
    const shards = planShards([run(0), run(1), run(2), run(3)], FREE_LIMITS, (r) => costs.get(r.probe.probe.id)!);
    expect(summary(shards)).toEqual(["weur:0 p-000", "weur:1 p-001 over:subrequests+wallBudgetMs", "weur:2 p-002", "weur:3 p-003 over:d1Queries"]);
  });

  it("never estimates a shard faster than its longest run: one long run cannot be split", () => {
    const costs = new Map<string, RunCost>([
      ["p-000", { requests: 1, d1Queries: 3, expectedMs: 1_000 }],
      ["p-001", { requests: 1, d1Queries: 3, expectedMs: 50_000 }],
      ["p-002", { requests: 1, d1Queries: 3, expectedMs: 1_000 }],
    ]);
    const cost = (r: PlannedRun) => costs.get(r.probe.probe.id)!;
    // sum 52 s over 6 in flight is only 8.7 s, but the 50 s run alone takes 50 s > 45 s
    expect(wallMs(loadOf([...costs.values()]), FREE_LIMITS)).toBe(50_000);
    expect(summary(planShards([run(0), run(1), run(2)], FREE_LIMITS, cost))).toEqual(["weur:0 p-000", "weur:1 p-001 over:wallBudgetMs", "weur:2 p-002"]);
    // a run of exactly the budget still fits, and shares its shard: max(47 s / 6, 45 s) = 45 s
    costs.set("p-001", { requests: 1, d1Queries: 3, expectedMs: 45_000 });
    expect(summary(planShards([run(0), run(1), run(2)], FREE_LIMITS, cost))).toEqual(["weur:0 p-000,p-001,p-002"]);
    // with one request in flight the sum decides instead: 1 s + 45 s > 45 s
    expect(summary(planShards([run(0), run(1), run(2)], { ...FREE_LIMITS, inFlight: 1 }, cost))).toEqual(["weur:0 p-000", "weur:1 p-001", "weur:2 p-002"]);
  });

  it("splits by region, regions in name order, each indexed from 0, runs in probe-id order", () => {
    const runs = [run(3, "weur"), run(1, "apac"), run(2, "weur"), run(0, "apac"), run(1, "weur"), run(2, "apac"), run(0, "weur")];
    const limits: InvocationLimits = { ...FREE_LIMITS, subrequests: 3 }; // 2 usable: 2 one-request runs per shard
    expect(summary(planShards(runs, limits, flat({ requests: 1, d1Queries: 3, expectedMs: 300 })))).toEqual([
      "apac:0 p-000,p-001",
      "apac:1 p-002",
      "weur:0 p-000,p-001",
      "weur:1 p-002,p-003",
    ]);
  });

  it("plans nothing for no runs and refuses an inFlight below 1", () => {
    expect(planShards([], FREE_LIMITS, flat({ requests: 1, d1Queries: 3, expectedMs: 300 }))).toEqual([]);
    expect(() => planShards([run(0)], { ...FREE_LIMITS, inFlight: 0 }, flat({ requests: 1, d1Queries: 3, expectedMs: 300 }))).toThrow(RangeError);
  });
});

describe("planShards properties", () => {
  const limitsArb: fc.Arbitrary<InvocationLimits> = fc.record({
    subrequests: fc.integer({ min: 1, max: 120 }),
    d1Queries: fc.integer({ min: 1, max: 120 }),
    inFlight: fc.integer({ min: 1, max: 8 }),
    wallBudgetMs: fc.integer({ min: 1_000, max: 60_000 }),
  });
  const costArb: fc.Arbitrary<RunCost> = fc.record({
    requests: fc.integer({ min: 0, max: 40 }),
    d1Queries: fc.integer({ min: 0, max: 8 }),
    expectedMs: fc.integer({ min: 0, max: 30_000 }),
  });
  /** Distinct (probe, region) runs, each with its own cost. */
  const runsArb = fc
    .uniqueArray(fc.record({ p: fc.nat({ max: POOL.length - 1 }), region: fc.constantFrom(...REGIONS), cost: costArb }), {
      selector: (x) => `${x.p}/${x.region}`,
      maxLength: 250,
    })
    .map((xs) => {
      const costs = new Map<PlannedRun, RunCost>();
      const runs = xs.map((x) => {
        const r = run(x.p, x.region);
        costs.set(r, x.cost);
        return r;
      });
      return { runs, cost: (r: PlannedRun) => costs.get(r)! };
    });

  it("places every planned run in exactly one shard, of its own region", () => {
    fc.assert(
      fc.property(runsArb, limitsArb, ({ runs, cost }, limits) => {
        const shards = planShards(runs, limits, cost);
        const placed = shards.flatMap((s) => s.runs);
        expect(placed).toHaveLength(runs.length);
        expect(new Set(placed)).toEqual(new Set(runs));
        for (const s of shards) for (const r of s.runs) expect(r.region).toBe(s.region);
      }),
      { numRuns: 300 },
    );
  });

  it("keeps every shard of more than one run inside every limit; a lone run is marked exactly when it exceeds one", () => {
    fc.assert(
      fc.property(runsArb, limitsArb, ({ runs, cost }, limits) => {
        for (const s of planShards(runs, limits, cost)) {
          const load = sumOf(s, cost);
          if (s.runs.length > 1) {
            expect(fits(load, limits)).toBe(true);
            expect(s.overLimit).toBeUndefined();
          } else {
            expect(s.overLimit !== undefined).toBe(!fits(load, limits));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is next-fit in probe-id order: indexes 0..k-1 per region, and no shard could have taken the next one's first run", () => {
    fc.assert(
      fc.property(runsArb, limitsArb, ({ runs, cost }, limits) => {
        const shards = planShards(runs, limits, cost);
        const regions = [...new Set(shards.map((s) => s.region))];
        expect(regions).toEqual([...new Set(runs.map((r) => r.region))].sort());
        for (const region of regions) {
          const own = shards.filter((s) => s.region === region);
          expect(own.map((s) => s.index)).toEqual(own.map((_, i) => i));
          const order = own.flatMap(ids);
          expect(order).toEqual([...order].sort());
          for (let i = 0; i + 1 < own.length; i++) {
            const a = own[i]!;
            const first = own[i + 1]!.runs[0]!;
            if (a.overLimit) continue;
            expect(fits(loadOf([...a.runs, first].map(cost)), limits)).toBe(false);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic: any order of the same runs gives the same shards", () => {
    fc.assert(
      fc.property(
        runsArb.chain((x) => fc.tuple(fc.constant(x), fc.shuffledSubarray(x.runs, { minLength: x.runs.length, maxLength: x.runs.length }))),
        limitsArb,
        ([{ runs, cost }, shuffled], limits) => {
          expect(summary(planShards(shuffled, limits, cost))).toEqual(summary(planShards(runs, limits, cost)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("with equal costs, uses ceil(n / perShard) shards per region (n when one run alone is too big)", () => {
    const equalCostArb = fc.record({
      requests: fc.integer({ min: 1, max: 20 }),
      d1Queries: fc.integer({ min: 1, max: 6 }),
      expectedMs: fc.integer({ min: 1, max: 30_000 }),
    });
    fc.assert(
      fc.property(runsArb, limitsArb, equalCostArb, ({ runs }, limits, c) => {
        // a run longer than the budget cannot share (nor fit) a shard, however many go at once
        const perShard = Math.min(
          Math.floor((limits.subrequests - 1) / c.requests),
          Math.floor(limits.d1Queries / c.d1Queries),
          c.expectedMs > limits.wallBudgetMs ? 0 : Math.floor((limits.wallBudgetMs * limits.inFlight) / c.expectedMs),
        );
        const shards = planShards(runs, limits, () => c);
        for (const region of new Set(runs.map((r) => r.region))) {
          const n = runs.filter((r) => r.region === region).length;
          const expected = perShard === 0 ? n : Math.ceil(n / perShard);
          expect(shards.filter((s) => s.region === region)).toHaveLength(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
