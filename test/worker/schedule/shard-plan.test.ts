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
  SHARD_D1_QUERIES,
} from "../../../src/schedule/shard-plan.ts";

const SLOT = Date.UTC(2026, 10, 26, 10, 0);

function probeId(i: number): string {
  return `p-${String(i).padStart(3, "0")}`;
}

/** 200 one-step probes p-000 .. p-199, loaded once. */
const POOL: LoadedProbe[] = loadRegistry(
  Array.from({ length: 200 }, (_, i) => ({
    file: `probes/${probeId(i)}.ts`,
    definition: defineProbe({
      id: probeId(i),
      name: `Probe ${i}`,
      baseUrl: "https://example.com",
      steps: [{ name: "home", url: "/" }],
    }),
  })),
);

function run(i: number, region = "weur"): PlannedRun {
  return { probe: POOL[i]!, region, slotAt: SLOT };
}

const ids = (shard: Shard) => shard.runs.map((r) => r.probe.probe.id);
const sizes = (shards: Shard[]) => shards.map((s) => s.runs.length);
const summary = (shards: Shard[]) =>
  shards.map(
    (s) => `${shardName(s.region, s.index)} ${ids(s).join(",")}${s.overLimit ? ` over:${s.overLimit.join("+")}` : ""}`,
  );

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
  return (
    load.requests <= limits.subrequests - 1 &&
    load.d1Queries <= limits.d1Queries &&
    wallMs(load, limits) <= limits.wallBudgetMs
  );
}

describe("limits", () => {
  it("match the platform's per-invocation limits", () => {
    expect(FREE_LIMITS).toEqual({ subrequests: 50, d1Queries: 50, inFlight: 6, wallBudgetMs: 45_000 });
    expect(PAID_LIMITS).toEqual({ subrequests: 1000, d1Queries: 1000, inFlight: 6, wallBudgetMs: 45_000 });
    expect(WRITE_QUERIES_PER_RUN).toBe(0);
    expect(SHARD_D1_QUERIES).toBeLessThanOrEqual(FREE_LIMITS.d1Queries / 3);
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
    expect(estimateRunCost(journey!)).toEqual({ requests: 15, d1Queries: 0, expectedMs: 4500 });
  });

  it("takes the request time and the script assumption as options", () => {
    expect(estimateRunCost(journey!, { assumedRequestMs: 100, scriptRequests: 2 })).toEqual({
      requests: 7,
      d1Queries: 0,
      expectedMs: 700,
    });
    expect(estimateRunCost(POOL[0]!)).toEqual({ requests: 1, d1Queries: 0, expectedMs: 300 });
  });
});

describe("planShards", () => {
  const flat = (c: RunCost) => () => c;

  /** Each shard's probe ids as a first..last range. */
  const ranges = (shards: Shard[]) => shards.map((s) => `${ids(s)[0]}..${ids(s).at(-1)}`);

  it("packs equal runs into as few shards as the tightest limit allows (9 of 5 requests in 49 usable), then fills them evenly", () => {
    const runs = Array.from({ length: 20 }, (_, i) => run(i));
    const cost = flat({ requests: 5, d1Queries: 3, expectedMs: 1500 });
    // next-fit needs 3 shards (9 + 9 + 2); 20 mod 3 = 2, so the first 2 are capped at ceil(20 / 3) = 7
    // and the last at floor(20 / 3) = 6: the same 3 hold 7 + 7 + 6
    const shards = planShards(runs, FREE_LIMITS, cost);
    expect(shards.map((s) => [s.region, s.index, s.runs.length])).toEqual([
      ["weur", 0, 7],
      ["weur", 1, 7],
      ["weur", 2, 6],
    ]);
    expect(ranges(shards)).toEqual(["p-000..p-006", "p-007..p-013", "p-014..p-019"]);
    expect(shards.some((s) => s.overLimit)).toBe(false);
    for (const s of shards) expect(sumOf(s, cost).requests).toBeLessThanOrEqual(49);
    // when the runs fill the shards exactly, they still go 9 to a shard
    expect(sizes(planShards(runs.slice(0, 9), FREE_LIMITS, cost))).toEqual([9]);
    expect(sizes(planShards(runs.slice(0, 18), FREE_LIMITS, cost))).toEqual([9, 9]);
    expect(sizes(planShards(runs.slice(0, 10), FREE_LIMITS, cost))).toEqual([5, 5]);
  });

  it("on Paid, the wall budget binds: 180 runs of 1.5 s (270 s of work, 6 at a time = 45 s)", () => {
    const runs = Array.from({ length: 200 }, (_, i) => run(i));
    const cost = flat({ requests: 5, d1Queries: 3, expectedMs: 1500 });
    const shards = planShards(runs, PAID_LIMITS, cost);
    // next-fit: 180 + 20; evened: 2 × 100
    expect(sizes(shards)).toEqual([100, 100]);
    expect(ranges(shards)).toEqual(["p-000..p-099", "p-100..p-199"]);
    expect(sizes(planShards(runs.slice(0, 180), PAID_LIMITS, cost))).toEqual([180]);
    expect(wallMs(sumOf(planShards(runs.slice(0, 180), PAID_LIMITS, cost)[0]!, cost), PAID_LIMITS)).toBe(45_000);
    expect(sizes(planShards(runs.slice(0, 181), PAID_LIMITS, cost))).toEqual([91, 90]);
  });

  it("D1 queries bind when requests are cheap: 16 runs of 3 queries in 50", () => {
    const runs = Array.from({ length: 40 }, (_, i) => run(i));
    const cost = flat({ requests: 1, d1Queries: 3, expectedMs: 300 });
    // next-fit: 16 + 16 + 8; evened with 40 mod 3 = 1 shard at ceil(40 / 3) = 14, the others at 13
    const shards = planShards(runs, FREE_LIMITS, cost);
    expect(sizes(shards)).toEqual([14, 13, 13]);
    expect(ranges(shards)).toEqual(["p-000..p-013", "p-014..p-026", "p-027..p-039"]);
    expect(shards.some((s) => s.overLimit)).toBe(false);
    expect(sizes(planShards(runs.slice(0, 16), FREE_LIMITS, cost))).toEqual([16]);
    expect(sizes(planShards(runs.slice(0, 32), FREE_LIMITS, cost))).toEqual([16, 16]);
    expect(sizes(planShards(runs.slice(0, 17), FREE_LIMITS, cost))).toEqual([9, 8]);
  });

  it("fills a shard exactly to each limit, and not one past", () => {
    const runs = Array.from({ length: 100 }, (_, i) => run(i));
    const oneRequest = flat({ requests: 1, d1Queries: 0, expectedMs: 0 });
    expect(sizes(planShards(runs.slice(0, 49), FREE_LIMITS, oneRequest))).toEqual([49]);
    expect(sizes(planShards(runs.slice(0, 50), FREE_LIMITS, oneRequest))).toEqual([25, 25]);
    expect(sizes(planShards(runs.slice(0, 98), FREE_LIMITS, oneRequest))).toEqual([49, 49]);
    expect(sizes(planShards(runs.slice(0, 99), FREE_LIMITS, oneRequest))).toEqual([33, 33, 33]);
    const budget = flat({ requests: 0, d1Queries: 0, expectedMs: 45_000 });
    expect(sizes(planShards(runs.slice(0, 6), FREE_LIMITS, budget))).toEqual([6]);
    expect(sizes(planShards(runs.slice(0, 7), FREE_LIMITS, budget))).toEqual([4, 3]);
    expect(sizes(planShards(runs.slice(0, 12), FREE_LIMITS, budget))).toEqual([6, 6]);
  });

  it("fills the same number of shards evenly: 1,000 equal runs at 333 a shard go 250 × 4, not 333 + 333 + 333 + 1", () => {
    // 200 probes × 5 consecutive minutes: 1,000 distinct runs in one region
    const runs = Array.from(
      { length: 1000 },
      (_, i): PlannedRun => ({ probe: POOL[i % 200]!, region: "weur", slotAt: SLOT + Math.floor(i / 200) * 60_000 }),
    );
    const limits: InvocationLimits = { ...PAID_LIMITS, subrequests: 334 }; // 333 usable
    const cost = flat({ requests: 1, d1Queries: 0, expectedMs: 0 });
    const shards = planShards(runs, limits, cost);
    expect(shards.map((s) => [s.region, s.index, s.runs.length])).toEqual([
      ["weur", 0, 250],
      ["weur", 1, 250],
      ["weur", 2, 250],
      ["weur", 3, 250],
    ]);
    // each shard holds 50 probes' 5 minutes, in probe-id then slot order
    expect(ranges(shards)).toEqual(["p-000..p-049", "p-050..p-099", "p-100..p-149", "p-150..p-199"]);
    expect(shards[0]!.runs.slice(0, 6).map((r) => [r.probe.probe.id, r.slotAt - SLOT])).toEqual([
      ["p-000", 0],
      ["p-000", 60_000],
      ["p-000", 120_000],
      ["p-000", 180_000],
      ["p-000", 240_000],
      ["p-001", 0],
    ]);
    const placed = shards.flatMap((s) => s.runs);
    expect(placed).toHaveLength(1000);
    expect(new Set(placed)).toEqual(new Set(runs));
    expect(shards.some((s) => s.overLimit)).toBe(false);
  });

  it("keeps the tight packing when evening out would need another shard", () => {
    const costs = new Map<string, RunCost>([
      ["p-000", { requests: 1, d1Queries: 3, expectedMs: 300 }],
      ["p-001", { requests: 1, d1Queries: 3, expectedMs: 300 }],
      ["p-002", { requests: 1, d1Queries: 3, expectedMs: 300 }],
      ["p-003", { requests: 49, d1Queries: 3, expectedMs: 300 }],
    ]);
    const cost = (r: PlannedRun) => costs.get(r.probe.probe.id)!;
    // next-fit: 3 + 1 (49 requests fill a Free shard alone). Capped at 4 / 2 = 2 a shard it would be
    // [p-000,p-001], [p-002] (1 + 49 > 49), [p-003]: 3 shards, so the tight 2 stay.
    expect(summary(planShards([run(0), run(1), run(2), run(3)], FREE_LIMITS, cost))).toEqual([
      "weur:0 p-000,p-001,p-002",
      "weur:1 p-003",
    ]);
    // with one request fewer on p-003 the capped pass fits in 2: 2 + 2
    costs.set("p-003", { requests: 48, d1Queries: 3, expectedMs: 300 });
    expect(summary(planShards([run(0), run(1), run(2), run(3)], FREE_LIMITS, cost))).toEqual([
      "weur:0 p-000,p-001",
      "weur:1 p-002,p-003",
    ]);
  });

  it("gives a run that alone exceeds a limit its own shard, marked, and keeps going", () => {
    const costs = new Map<string, RunCost>([
      ["p-000", { requests: 5, d1Queries: 3, expectedMs: 1500 }],
      ["p-001", { requests: 60, d1Queries: 3, expectedMs: 300_000 }],
      ["p-002", { requests: 5, d1Queries: 3, expectedMs: 1500 }],
      ["p-003", { requests: 5, d1Queries: 60, expectedMs: 1500 }],
    ]);
    const shards = planShards([run(0), run(1), run(2), run(3)], FREE_LIMITS, (r) => costs.get(r.probe.probe.id)!);
    expect(summary(shards)).toEqual([
      "weur:0 p-000",
      "weur:1 p-001 over:subrequests+wallBudgetMs",
      "weur:2 p-002",
      "weur:3 p-003 over:d1Queries",
    ]);
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
    expect(summary(planShards([run(0), run(1), run(2)], FREE_LIMITS, cost))).toEqual([
      "weur:0 p-000",
      "weur:1 p-001 over:wallBudgetMs",
      "weur:2 p-002",
    ]);
    // a run of exactly the budget still fits, and shares its shard: max(47 s / 6, 45 s) = 45 s
    costs.set("p-001", { requests: 1, d1Queries: 3, expectedMs: 45_000 });
    expect(summary(planShards([run(0), run(1), run(2)], FREE_LIMITS, cost))).toEqual(["weur:0 p-000,p-001,p-002"]);
    // with one request in flight the sum decides instead: 1 s + 45 s > 45 s
    expect(summary(planShards([run(0), run(1), run(2)], { ...FREE_LIMITS, inFlight: 1 }, cost))).toEqual([
      "weur:0 p-000",
      "weur:1 p-001",
      "weur:2 p-002",
    ]);
  });

  it("splits by region, regions in name order, each indexed from 0, runs in probe-id order", () => {
    const runs = [
      run(3, "weur"),
      run(1, "apac"),
      run(2, "weur"),
      run(0, "apac"),
      run(1, "weur"),
      run(2, "apac"),
      run(0, "weur"),
    ];
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
    expect(() =>
      planShards([run(0)], { ...FREE_LIMITS, inFlight: 0 }, flat({ requests: 1, d1Queries: 3, expectedMs: 300 })),
    ).toThrow(RangeError);
  });
});

describe("planShards properties", () => {
  const flat = (c: RunCost) => () => c;
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
    .uniqueArray(
      fc.record({ p: fc.nat({ max: POOL.length - 1 }), region: fc.constantFrom(...REGIONS), cost: costArb }),
      {
        selector: (x) => `${x.p}/${x.region}`,
        maxLength: 250,
      },
    )
    .map((xs) => {
      const costs = new Map<PlannedRun, RunCost>();
      const runs = xs.map((x) => {
        const r = run(x.p, x.region);
        costs.set(r, x.cost);
        return r;
      });
      return { runs, cost: (r: PlannedRun) => costs.get(r)! };
    });

  /** 2 to 40 runs in one region, each with its own cost: several shards, so both passes matter. */
  const packedArb = fc
    .tuple(fc.constantFrom(...REGIONS), fc.array(costArb, { minLength: 2, maxLength: 40 }))
    .map(([region, cs]) => {
      const costs = new Map<PlannedRun, RunCost>();
      const runs = cs.map((c, i) => {
        const r = run(i, region);
        costs.set(r, c);
        return r;
      });
      return { runs, cost: (r: PlannedRun) => costs.get(r)! };
    });

  /**
   * 2 to 60 runs in one region whose costs differ only a little, so shards close on the run caps
   * rather than on the limits, and ceil-only caps would pack differently from ceil-then-floor ones.
   */
  const nearEqualArb = fc
    .tuple(
      fc.constantFrom(...REGIONS),
      // an explicit length: fc.array alone rarely goes past a dozen
      fc.integer({ min: 2, max: 60 }).chain((n) =>
        fc.array(
          fc.record({
            requests: fc.constantFrom(5, 5, 5, 4),
            d1Queries: fc.constantFrom(3, 3, 3, 2),
            expectedMs: fc.constantFrom(1_000, 1_000, 1_000, 0),
          }),
          { minLength: n, maxLength: n },
        ),
      ),
    )
    .map(([region, cs]) => {
      const costs = new Map<PlannedRun, RunCost>();
      const runs = cs.map((c, i) => {
        const r = run(i, region);
        costs.set(r, c);
        return r;
      });
      return { runs, cost: (r: PlannedRun) => costs.get(r)! };
    });

  it("places every planned run in exactly one shard, of its own region", () => {
    fc.assert(
      fc.property(fc.oneof(runsArb, packedArb, nearEqualArb), limitsArb, ({ runs, cost }, limits) => {
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
      fc.property(fc.oneof(runsArb, packedArb, nearEqualArb), limitsArb, ({ runs, cost }, limits) => {
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

  /**
   * Reference next-fit on the test's own limit model: a run joins the current shard (the out.length
   * - 1'th) if that shard holds fewer than maxRuns(its index), is not a lone over-limit run, and
   * still fits with it.
   */
  function nextFit(
    ordered: readonly PlannedRun[],
    limits: InvocationLimits,
    cost: (run: PlannedRun) => RunCost,
    maxRuns: (index: number) => number,
  ): PlannedRun[][] {
    const out: PlannedRun[][] = [];
    for (const r of ordered) {
      const current = out.at(-1);
      if (current && current.length < maxRuns(out.length - 1) && fits(loadOf([...current, r].map(cost)), limits))
        current.push(r);
      else out.push([r]);
    }
    return out;
  }

  const sizesOf = (parts: readonly PlannedRun[][]) => parts.map((p) => p.length);

  /** The even pass's cap for shard i of k over n runs: ceil(n / k) for the first n mod k shards, floor(n / k) after. */
  const evenCap = (n: number, k: number) => (i: number) => (i < n % k ? Math.ceil(n / k) : Math.floor(n / k));

  it("caps the first n mod k shards at ceil(n / k) and the rest at floor(n / k): n sums, sizes differ by at most 1", () => {
    for (let n = 1; n <= 60; n++) {
      for (let k = 1; k <= n; k++) {
        const caps = Array.from({ length: k }, (_, i) => evenCap(n, k)(i));
        expect(caps.reduce((a, b) => a + b, 0)).toBe(n);
        expect(Math.max(...caps) - Math.min(...caps)).toBeLessThanOrEqual(1);
        expect(caps).toEqual([...caps].sort((a, b) => b - a));
      }
    }
    expect([0, 1, 2].map(evenCap(40, 3))).toEqual([14, 13, 13]);
    expect([0, 1, 2, 3].map(evenCap(10, 4))).toEqual([3, 3, 2, 2]);
  });

  it("is next-fit in probe-id order, the first n mod k shards capped at ceil(n / k) runs and the rest at floor(n / k), when that keeps next-fit's k shards", () => {
    let evened = 0;
    let kept = 0;
    let spread = 0;
    fc.assert(
      fc.property(fc.oneof(runsArb, packedArb, nearEqualArb), limitsArb, ({ runs, cost }, limits) => {
        const shards = planShards(runs, limits, cost);
        const regions = [...new Set(shards.map((s) => s.region))];
        expect(regions).toEqual([...new Set(runs.map((r) => r.region))].sort());
        for (const region of regions) {
          const own = shards.filter((s) => s.region === region);
          expect(own.map((s) => s.index)).toEqual(own.map((_, i) => i));
          // contiguous ranges: the shards, in index order, are the region's runs in probe-id order
          const ordered = runs
            .filter((r) => r.region === region)
            .sort((a, b) => (a.probe.probe.id < b.probe.probe.id ? -1 : 1));
          expect(own.flatMap((s) => s.runs)).toEqual(ordered);
          // as few shards as plain next-fit needs, never more
          const tight = nextFit(ordered, limits, cost, () => Infinity);
          expect(own).toHaveLength(tight.length);
          const n = ordered.length;
          const k = tight.length;
          const even = k < 2 ? tight : nextFit(ordered, limits, cost, evenCap(n, k));
          expect(even.length).toBeGreaterThanOrEqual(k);
          const usesEven = k >= 2 && even.length === k;
          if (k >= 2) usesEven ? evened++ : kept++;
          // the per-shard caps decided: a single ceil(n / k) cap would have packed differently
          if (
            usesEven &&
            n % k !== 0 &&
            sizesOf(nextFit(ordered, limits, cost, () => Math.ceil(n / k))).join() !== sizesOf(even).join()
          )
            spread++;
          const cap = usesEven ? evenCap(n, k) : () => Infinity;
          expect(own.map((s) => s.runs)).toEqual(usesEven ? even : tight);
          for (let i = 0; i < own.length; i++) {
            const a = own[i]!;
            expect(a.runs.length).toBeLessThanOrEqual(cap(i));
            if (a.overLimit || i + 1 === own.length) continue;
            // a shard closes only when full: at its cap, or unable to take the next run
            if (a.runs.length < cap(i))
              expect(fits(loadOf([...a.runs, own[i + 1]!.runs[0]!].map(cost)), limits)).toBe(false);
          }
        }
      }),
      { numRuns: 600 },
    );
    // both branches were exercised (packedArb hits each in roughly a fifth to a half of its cases),
    // and the floor caps changed the packing somewhere (nearEqualArb: a few percent of all cases)
    expect(evened).toBeGreaterThan(0);
    expect(kept).toBeGreaterThan(0);
    expect(spread).toBeGreaterThan(0);
  });

  it("is deterministic: any order of the same runs gives the same shards", () => {
    fc.assert(
      fc.property(
        fc
          .oneof(runsArb, packedArb, nearEqualArb)
          .chain((x) =>
            fc.tuple(
              fc.constant(x),
              fc.shuffledSubarray(x.runs, { minLength: x.runs.length, maxLength: x.runs.length }),
            ),
          ),
        limitsArb,
        ([{ runs, cost }, shuffled], limits) => {
          expect(summary(planShards(shuffled, limits, cost))).toEqual(summary(planShards(runs, limits, cost)));
        },
      ),
      { numRuns: 200 },
    );
  });

  const equalCostArb: fc.Arbitrary<RunCost> = fc.record({
    requests: fc.integer({ min: 1, max: 20 }),
    d1Queries: fc.integer({ min: 1, max: 6 }),
    expectedMs: fc.integer({ min: 1, max: 30_000 }),
  });

  /** Many runs per region (up to 400: each probe at up to two consecutive minutes), for equal-cost packings of many shards. */
  const crowdedArb: fc.Arbitrary<PlannedRun[]> = fc
    .uniqueArray(fc.constantFrom(...REGIONS), { minLength: 1, maxLength: 3 })
    .chain((regions) =>
      fc.tuple(...regions.map((region) => fc.tuple(fc.constant(region), fc.integer({ min: 1, max: 400 })))),
    )
    .map((counts) =>
      counts.flatMap(([region, n]) =>
        Array.from(
          { length: n },
          (_, i): PlannedRun => ({
            probe: POOL[i % POOL.length]!,
            region,
            slotAt: SLOT + Math.floor(i / POOL.length) * 60_000,
          }),
        ),
      ),
    );

  /** How many runs of cost c fit one shard; 0 when one run alone is too big. */
  function perShardOf(limits: InvocationLimits, c: RunCost): number {
    // a run longer than the budget cannot share (nor fit) a shard, however many go at once
    return Math.min(
      Math.floor((limits.subrequests - 1) / c.requests),
      Math.floor(limits.d1Queries / c.d1Queries),
      c.expectedMs > limits.wallBudgetMs ? 0 : Math.floor((limits.wallBudgetMs * limits.inFlight) / c.expectedMs),
    );
  }

  it("with equal costs, uses ceil(n / perShard) shards per region (n when one run alone is too big)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          runsArb.map((x) => x.runs),
          crowdedArb,
        ),
        limitsArb,
        equalCostArb,
        (runs, limits, c) => {
          const perShard = perShardOf(limits, c);
          const shards = planShards(runs, limits, () => c);
          for (const region of new Set(runs.map((r) => r.region))) {
            const n = runs.filter((r) => r.region === region).length;
            const expected = perShard === 0 ? n : Math.ceil(n / perShard);
            const own = shards.filter((s) => s.region === region);
            expect(own).toHaveLength(expected);
            for (const s of own)
              expect(s.runs.length).toBeLessThanOrEqual(
                perShard === 0 ? 1 : Math.min(perShard, Math.ceil(n / expected)),
              );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  // With equal costs and perShard > 0, next-fit needs k = ceil(n / perShard) shards and
  // ceil(n / k) <= perShard, so the even pass always keeps k shards and fills each exactly to its
  // cap: n mod k shards of ceil(n / k), the others floor(n / k). 10 runs at 3 a shard give
  // 3 + 3 + 2 + 2, not 3 + 3 + 3 + 1.
  it("with equal costs, shard sizes within a region differ by at most 1 when the even pass applies", () => {
    const oneRequest = flat({ requests: 1, d1Queries: 0, expectedMs: 0 });
    const ten = Array.from({ length: 10 }, (_, i) => run(i));
    expect(sizes(planShards(ten, { ...FREE_LIMITS, subrequests: 4 }, oneRequest))).toEqual([3, 3, 2, 2]);
    expect(sizes(planShards(ten.slice(0, 7), { ...FREE_LIMITS, subrequests: 4 }, oneRequest))).toEqual([3, 2, 2]);
    fc.assert(
      fc.property(
        fc.oneof(
          runsArb.map((x) => x.runs),
          crowdedArb,
        ),
        limitsArb,
        equalCostArb,
        (runs, limits, c) => {
          // perShard 0: every run is alone, over its limit, and no pass evens anything
          fc.pre(perShardOf(limits, c) > 0);
          const shards = planShards(runs, limits, () => c);
          for (const region of new Set(runs.map((r) => r.region))) {
            const own = sizes(shards.filter((s) => s.region === region));
            expect(Math.max(...own) - Math.min(...own)).toBeLessThanOrEqual(1);
            const n = runs.filter((r) => r.region === region).length;
            const k = Math.ceil(n / perShardOf(limits, c));
            expect(own).toEqual(Array.from({ length: k }, (_, i) => evenCap(n, k)(i)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
