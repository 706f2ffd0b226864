/** The cost planner, from the production planner and storage code, against plan limits. */
import { describe, expect, it } from "vitest";
import { script, type ProbeDefinition } from "../../../src/probe/define-probe.ts";
import { estimateCost } from "../../../src/cost/estimate.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { DEFAULT_RETENTION } from "../../../src/storage/retention.ts";

function fleet(count: number, overrides: Partial<ProbeDefinition> = {}) {
  return loadRegistry(
    Array.from({ length: count }, (_, i) => ({
      file: `probes/p${i}.ts`,
      definition: { id: `probe-${i}`, name: `Probe ${i}`, baseUrl: "https://example.com", regions: ["weur", "enam", "apac"], steps: [{ name: "home", url: "/" }], ...overrides },
    })),
  );
}

describe("cost planner", () => {
  it("counts runs, writes and storage for a small fleet exactly", () => {
    const estimate = estimateCost(fleet(2), { plan: "paid", retention: DEFAULT_RETENTION });
    expect(estimate.perMonth.cronInvocations).toBe(43_200);
    expect(estimate.perMonth.runs).toBe(2 * 3 * 43_200);
    // the run, two rollups, and the run's deletion after retention; a day history per probe a day
    expect(estimate.perMonth.rowsWritten).toBe(2 * 3 * 43_200 * 4 + 2 * 30);
    // the deletions' reads, the day histories' rebuilds (90 daily rollups per pair a day) and
    // staleness checks (a row per probe a tick at most), and 100,000 page views of 5 rows per
    // pair and a day history per probe
    expect(estimate.perMonth.rowsRead).toBe(2 * 3 * 43_200 + 30 * 6 * 90 + 43_200 * 2 + 100_000 * (6 * 5 + 2));
    expect(estimate.storage.rawRunsRows).toBe(2 * 3 * 1440 * 14);
    expect(estimate.storage.rollupRows).toBe(6 * (400 * 24 + 400));
    expect(estimate.perMonth.doRequests).toBe(3 * 43_200); // one shard per region per tick
    expect(estimate.usd).toEqual({ base: 5, overage: 0, total: 5 });
    expect(estimate.warnings).toEqual([]);
  });

  it("spreads 5-minute probes: a fifth of the runs", () => {
    const everyMinute = estimateCost(fleet(50), { plan: "paid", retention: DEFAULT_RETENTION });
    const everyFive = estimateCost(fleet(50, { schedule: "5m" }), { plan: "paid", retention: DEFAULT_RETENTION });
    expect(everyFive.perMonth.runs * 5).toBe(everyMinute.perMonth.runs);
  });

  it("warns on the Free plan when daily D1 writes would be crossed, naming probes to change", () => {
    const estimate = estimateCost(fleet(10), { plan: "free", retention: DEFAULT_RETENTION });
    // 10 probes × 3 regions × 1440 runs/day × 4 rows + 10 day histories = 172,810 rows/day > 100,000
    expect(estimate.warnings).toEqual([expect.stringMatching(/^D1 rows written: 172,810\/day is over the Free plan's 100,000\/day; run the heaviest probes \(probe-0, probe-1, probe-2\)/)]);
  });

  it("warns when one run alone exceeds an invocation's subrequests on Free", () => {
    const heavy = fleet(1, { steps: [script("crawl", async () => {}), script("crawl more", async () => {}), script("and more", async () => {}), script("again", async () => {}), script("last", async () => {})] });
    const estimate = estimateCost(heavy, { plan: "free", retention: DEFAULT_RETENTION });
    expect(estimate.warnings.some((w) => w.includes("probe-0 (subrequests)"))).toBe(true);
    expect(estimateCost(heavy, { plan: "paid", retention: DEFAULT_RETENTION }).warnings).toEqual([]);
  });

  it("bills usage beyond the Paid plan's included rows written", () => {
    // 500 probes × 3 regions × 43,200 × 4 + 500 × 30 day histories = 259.215M rows written; 209.2M beyond 50M at $1/M
    const estimate = estimateCost(fleet(500), { plan: "paid", retention: DEFAULT_RETENTION });
    expect(estimate.perMonth.rowsWritten).toBe(259_215_000);
    expect(estimate.usd.overage).toBeGreaterThanOrEqual(209.2);
    expect(estimate.usd.total).toBe(5 + estimate.usd.overage);
  });
});
