/** The cost planner, from the production planner, storage codec and read statements, against plan limits and prices. */
import { describe, expect, it } from "vitest";
import { script, type HttpProbeDefinition } from "../../../src/probe/define-probe.ts";
import { estimateCost, TICK_STATE_ROWS } from "../../../src/cost/estimate.ts";
import { hypotheticalFleet } from "../../../src/cost/hypothetical-fleet.ts";
import { READ_ROWS } from "../../../src/cost/read-rows.ts";
import { rendersOf } from "../../../src/cost/renders.ts";
import { cellBytes, recordBytes } from "../../../src/cost/sqlite-size.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { DEFAULT_RETENTION } from "../../../src/storage/retention.ts";
import { bucketOf } from "../../../src/storage/run-blocks.ts";

function fleet(count: number, overrides: Partial<HttpProbeDefinition> = {}) {
  return loadRegistry(
    Array.from({ length: count }, (_, i) => ({
      file: `probes/p${i}.ts`,
      definition: {
        id: `probe-${i}`,
        name: `Probe ${i}`,
        baseUrl: "https://example.com",
        regions: ["weur", "enam", "apac"],
        steps: [{ name: "home", url: "/" }],
        ...overrides,
      },
    })),
  );
}

const MONTH_MINUTES = 43_200;
const MONTH_SECONDS = 60 * MONTH_MINUTES;

describe("cost planner", () => {
  it("counts every row written for a small fleet exactly", () => {
    const e = estimateCost(fleet(2), { plan: "paid", retention: DEFAULT_RETENTION });
    const runs = 2 * 3 * MONTH_MINUTES;
    expect(e.perMonth.runs).toBe(runs);
    const byLabel = Object.fromEntries(e.writes.map((l) => [l.label.split(" (")[0]!.split(":")[0]!, l.perMonth]));
    // Each region's shard holds both probes: one run_blocks row per bucket they fall in, each tick.
    const buckets = new Set(["probe-0", "probe-1"].map(bucketOf)).size;
    expect(byLabel).toEqual({
      "run blocks": 3 * buckets * MONTH_MINUTES,
      "evidence rows": 0.01 * runs,
      "hourly rollups sealed": 6 * 720,
      "blocks marked sealed, then deleted": 2 * 3 * buckets * 720,
      "hourly rollups deleted": 6 * 720,
      "daily rollups built": 6 * 30,
      "daily rollups deleted": 6 * 30,
      "evidence rows deleted": 0.01 * runs,
      "day histories": 2 * 30,
      "tick state": TICK_STATE_ROWS * MONTH_MINUTES,
      "status board": MONTH_MINUTES,
      "incidents, states, outbox": 2 * 10,
    });
    expect(e.perMonth.rowsWritten).toBeCloseTo(
      3 * buckets * (MONTH_MINUTES + 2 * 720) + 0.02 * runs + 6 * 1500 + 60 + 4 * MONTH_MINUTES + 20,
      6,
    );
    // one shard per region per tick, and a confirmation per failed run
    expect(e.perMonth.doRequests).toBeCloseTo(3 * MONTH_MINUTES + 0.01 * runs, 6);
    expect(e.usd).toMatchObject({ base: 5, overage: 0, total: 5 });
    expect(e.warnings).toEqual([]);
  });

  it("writes a fraction of a row per run for a 1-minute fleet, retention and state included", () => {
    const fleet200 = hypotheticalFleet(200, 5, "1m");
    const e = estimateCost(fleet200, { plan: "paid", retention: DEFAULT_RETENTION, viewsPerSecond: 10 });
    expect(e.fleet).toEqual({ probes: 200, pairs: 1000, runsPerMinute: 1000 });
    // One shard per region holds all 200 probes: a row per bucket they fall in, per region, per tick.
    const buckets = new Set(fleet200.map((p) => bucketOf(p.probe.id))).size;
    expect(e.writes[0]!.perMonth).toBe(5 * buckets * MONTH_MINUTES);
    expect(e.rowsWrittenPerRun).toBeGreaterThan(0.2);
    expect(e.rowsWrittenPerRun).toBeLessThan(0.4);
    // Five times the probes: two shards per region, each touching most buckets; fewer rows per run.
    const big = estimateCost(hypotheticalFleet(1000, 5, "1m"), { plan: "paid", retention: DEFAULT_RETENTION });
    expect(big.rowsWrittenPerRun).toBeLessThan(0.2);
    expect(big.perMonth.rowsWritten).toBeLessThan(50_000_000); // inside the Paid plan's included rows
  });

  it("sizes a passing run by its share of a run_blocks row, and evidence with its overflow page", () => {
    const e = estimateCost(hypotheticalFleet(200, 5, "1m"), { plan: "paid", retention: DEFAULT_RETENTION });
    // 7 characters a minute plus its share of keys and lists, and of the overflow pages of a row of several probes.
    expect(e.storage.bytesPerRun).toBeGreaterThan(7);
    expect(e.storage.bytesPerRun).toBeLessThan(64);
    const evidence = e.storage.tables.find((t) => t.table.startsWith("run_evidence"))!;
    expect(evidence.rows).toBe(0.01 * 1000 * 60 * 24 * 14);
    expect(evidence.bytes / evidence.rows).toBeGreaterThan(4096); // spills into its own page
    expect(e.storage.bytes).toBeGreaterThan(1.2e9);
    expect(e.storage.bytes).toBeLessThan(1.7e9);
  });

  it("follows SQLite's record format and overflow rule", () => {
    expect(recordBytes([null, 0, 1, 100, "abc"])).toBe(6 + 1 + 3); // header of 6, one byte of 100, three of text
    expect(cellBytes(300)).toEqual({ leaf: 2 + 300 + 2, overflowPages: 0 });
    expect(cellBytes(1002).overflowPages).toBe(0);
    expect(cellBytes(1003).overflowPages).toBe(1);
    expect(cellBytes(3000)).toEqual({ leaf: 2 + 489 + 4 + 2, overflowPages: 1 });
  });

  it("prices 1,000 runs a minute on Paid: $5 with no page views, under $15 at 10 views/s with the edge cache, and the uncached renders read only the status board", () => {
    const fleet200 = hypotheticalFleet(200, 5, "1m");
    expect(estimateCost(fleet200, { plan: "paid", retention: DEFAULT_RETENTION, viewsPerSecond: 0 }).usd.total).toBe(5);
    const e = estimateCost(fleet200, { plan: "paid", retention: DEFAULT_RETENTION, viewsPerSecond: 10 });
    const blockKeys = 5 * new Set(fleet200.map((p) => bucketOf(p.probe.id))).size;
    const pageRows =
      1000 * READ_ROWS.page.perPair +
      200 * READ_ROWS.page.perProbe +
      blockKeys * READ_ROWS.page.perBlockKey +
      READ_ROWS.page.fixed;
    expect(e.readsPerView.page).toBe(pageRows);
    expect(e.assumptions).toMatchObject({ colos: 20, cacheSeconds: 60 });
    // 25.9M views, but each of 20 locations renders at most once a minute: 20 x 2,592,000 / 60.
    expect(e.perMonth.renders).toBe(864_000);
    expect(e.reads[0]).toEqual({
      label: `status page (10/s: 864,000 renders x ${pageRows.toLocaleString("en-US")} rows)`,
      perMonth: 864_000 * pageRows,
    });
    expect(e.perMonth.rowsRead).toBeLessThan(25e9); // under the 25B included
    // Every view is still a Worker request: the cache is in the Worker.
    expect(e.perMonth.workerRequests).toBe(MONTH_MINUTES + 10 * MONTH_SECONDS);
    expect(e.usd).toMatchObject({ base: 5, rowsWritten: 0, requests: 4.79, rowsRead: 0, total: 9.79 });

    // A render reads the status board's one row and the notices: even without the cache, 10
    // views/s stay inside the included reads; the tick builds the board once a minute.
    expect(pageRows).toBe(11);
    const boardRows =
      1000 * READ_ROWS.statusBoard.perPair +
      200 * READ_ROWS.statusBoard.perProbe +
      blockKeys * READ_ROWS.statusBoard.perBlockKey;
    expect(e.reads).toContainEqual({
      label: `status board (every tick x ${boardRows.toLocaleString("en-US")} rows)`,
      perMonth: MONTH_MINUTES * boardRows,
    });
    const uncached = estimateCost(fleet200, {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 10,
      cacheSeconds: 0,
    });
    expect(uncached.perMonth.renders).toBe(10 * MONTH_SECONDS);
    expect(uncached.perMonth.rowsRead - e.perMonth.rowsRead).toBe((10 * MONTH_SECONDS - 864_000) * pageRows);
    const worldwide = estimateCost(fleet200, {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 10,
      colos: 100,
    });
    expect(worldwide.perMonth.renders).toBe(4_320_000);
    expect(worldwide.perMonth.rowsRead).toBeGreaterThan(e.perMonth.rowsRead);
    // The old 15 s lifetime rendered four times as often.
    expect(
      estimateCost(fleet200, { plan: "paid", retention: DEFAULT_RETENTION, viewsPerSecond: 10, cacheSeconds: 15 })
        .perMonth.renders,
    ).toBe(3_456_000);
  });

  it("prices 5,000 runs a minute on Paid under $60: rows written inside the included 50M", () => {
    const e = estimateCost(hypotheticalFleet(1000, 5, "1m"), {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 10,
    });
    expect(e.perMonth.runs).toBe(216_000_000);
    expect(e.usd.rowsWritten).toBe(0);
    expect(e.usd.total).toBeLessThan(60);
    expect(e.usd.total).toBeGreaterThan(5);
  });

  it("counts page and SLO reads per render: every view without the cache, at most one per lifetime per location with it", () => {
    expect(rendersOf(1000, MONTH_SECONDS, { colos: 20, cacheSeconds: 0 })).toBe(1000);
    expect(rendersOf(1000, MONTH_SECONDS, { colos: 20, cacheSeconds: 15 })).toBe(1000); // fewer views than the cap
    expect(rendersOf(10 * MONTH_SECONDS, MONTH_SECONDS, { colos: 20, cacheSeconds: 15 })).toBe(3_456_000);
    expect(rendersOf(10 * MONTH_SECONDS, MONTH_SECONDS, { colos: 20, cacheSeconds: 60 })).toBe(864_000);
    // A copy never outlives its minute: a longer setting renders as often as 60 s.
    expect(rendersOf(10 * MONTH_SECONDS, MONTH_SECONDS, { colos: 20, cacheSeconds: 300 })).toBe(864_000);
    // One view a second from 20 locations, with the 15 s lifetime: below its cap (3,456,000), each view renders.
    const e = estimateCost(hypotheticalFleet(200, 5, "1m"), {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 1,
      sloPollsPerMinute: 60,
      cacheSeconds: 15,
    });
    expect(e.perMonth.renders).toBe(MONTH_SECONDS + 60 * MONTH_MINUTES);
    // With the default (the rest of the minute) both are capped at 20 locations x a render a minute.
    const byMinute = estimateCost(hypotheticalFleet(200, 5, "1m"), {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 1,
      sloPollsPerMinute: 60,
    });
    expect(byMinute.perMonth.renders).toBe(2 * 20 * MONTH_MINUTES);
  });

  it("spreads 5-minute probes: a fifth of the runs", () => {
    const everyMinute = estimateCost(fleet(50), { plan: "paid", retention: DEFAULT_RETENTION });
    const everyFive = estimateCost(fleet(50, { schedule: "5m" }), { plan: "paid", retention: DEFAULT_RETENTION });
    expect(everyFive.perMonth.runs * 5).toBe(everyMinute.perMonth.runs);
  });

  it("warns on the Free plan when daily D1 writes would be crossed, naming probes to change", () => {
    const fits = estimateCost(fleet(24), { plan: "free", retention: DEFAULT_RETENTION, viewsPerSecond: 0 });
    expect(fits.perMonth.rowsWritten / 30).toBeLessThan(100_000);
    expect(fits.warnings).toEqual([]);
    const e = estimateCost(fleet(120), { plan: "free", retention: DEFAULT_RETENTION, viewsPerSecond: 0 });
    const perDay = Math.round(e.perMonth.rowsWritten / 30).toLocaleString("en-US");
    expect(e.perMonth.rowsWritten / 30).toBeGreaterThan(100_000);
    expect(e.warnings).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^D1 rows written: ${perDay}/day is over the Free plan's 100,000/day; run the heaviest probes \\(probe-0, probe-1, probe-2\\)`,
        ),
      ),
    );
  });

  it("warns before a database crosses 500 MB on Free, and not for a fleet that fits", () => {
    const near = estimateCost(hypotheticalFleet(60, 5, "1m"), {
      plan: "free",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 0,
    });
    const share = near.storage.bytes / near.storage.capBytes;
    expect(share).toBeGreaterThan(0.8);
    expect(share).toBeLessThan(1);
    expect(near.warnings.filter((w) => w.startsWith("D1 storage"))).toEqual([
      `D1 storage at steady state: ${(near.storage.bytes / 1e6).toFixed(1)} MB would reach ${Number((share * 100).toPrecision(3))}% of the 500.0 MB a database may hold on the free plan; shorten RAW_RETENTION_DAYS, run fewer or less frequent probes (fleet-00001, fleet-00002, fleet-00003), or use --plan paid`,
    ]);
    const over = estimateCost(hypotheticalFleet(100, 5, "1m"), {
      plan: "free",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 0,
    });
    expect(over.storage.bytes).toBeGreaterThan(over.storage.capBytes);
    expect(over.warnings.filter((w) => w.startsWith("D1 storage"))).toEqual([
      expect.stringMatching(/^D1 storage at steady state: \d+\.\d MB is over the 500\.0 MB/),
    ]);
    const small = estimateCost(hypotheticalFleet(2, 1, "5m"), {
      plan: "free",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 0,
    });
    expect(small.warnings).toEqual([]);
  });

  it("warns when one run alone exceeds an invocation's subrequests on Free", () => {
    const heavy = fleet(1, {
      steps: [
        script("crawl", async () => {}),
        script("crawl more", async () => {}),
        script("and more", async () => {}),
        script("again", async () => {}),
        script("last", async () => {}),
      ],
    });
    const e = estimateCost(heavy, { plan: "free", retention: DEFAULT_RETENTION, viewsPerSecond: 0 });
    expect(e.warnings.some((w) => w.includes("probe-0 (subrequests)"))).toBe(true);
    expect(estimateCost(heavy, { plan: "paid", retention: DEFAULT_RETENTION }).warnings).toEqual([]);
  });

  it("counts a release watch's extra runs: a 5-minute probe watched for 60 minutes runs 48 more times per region", () => {
    const fleet = hypotheticalFleet(10, 3, "5m");
    const without = estimateCost(fleet, { plan: "paid", retention: DEFAULT_RETENTION, viewsPerSecond: 0 });
    const withReleases = estimateCost(fleet, {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 0,
      releasesPerMonth: 30,
      releaseWatchMinutes: 60,
    });
    // 30 releases x 60 minutes x 30 pairs x (1 - 1/5): the minutes they would not have run anyway.
    expect(withReleases.perMonth.runs - without.perMonth.runs).toBeCloseTo(30 * 60 * 30 * 0.8, 6);
    expect(withReleases.writes.find((l) => l.label.startsWith("release watch runs"))!.perMonth).toBeCloseTo(43_200, 6);
    expect(withReleases.writes.find((l) => l.label === "releases, judgements, notices")!.perMonth).toBe(
      30 * (1 + 60 + 3),
    );
    expect(withReleases.perMonth.rowsWritten).toBeGreaterThan(without.perMonth.rowsWritten + 43_200);
    // An every-minute fleet gains no runs: it runs every minute already.
    const everyMinute = hypotheticalFleet(10, 3, "1m");
    expect(
      estimateCost(everyMinute, { plan: "paid", retention: DEFAULT_RETENTION, releasesPerMonth: 30 }).perMonth.runs,
    ).toBe(estimateCost(everyMinute, { plan: "paid", retention: DEFAULT_RETENTION }).perMonth.runs);
  });
});

describe("browser probes in the cost planner", () => {
  const browserFleet = hypotheticalFleet(20, 3, "5m", "browser");

  it("prices 20 browser probes every 5 minutes from 3 regions in browser hours and concurrent browsers", () => {
    const estimate = estimateCost(browserFleet, { plan: "paid", retention: DEFAULT_RETENTION });
    // 20 probes x 3 regions x 12 runs an hour x 720 hours.
    expect(estimate.browsers.runsPerMonth).toBe(20 * 3 * 12 * 720);
    expect(estimate.browsers.hoursPerMonth).toBeCloseTo((518_400 * 15) / 3600, 6);
    expect(estimate.usd.browserHours).toBeCloseTo((2160 - 10) * 0.09, 2);
    // Every browser run keeps its evidence row, and the tables say so.
    expect(estimate.writes.find((l) => l.label.startsWith("evidence rows"))!.perMonth).toBe(518_400);
    expect(estimate.writes.find((l) => l.label.startsWith("evidence rows"))!.label).toContain("every browser run");
    expect(estimate.storage.tables.find((t) => t.table.startsWith("run_evidence"))!.table).toContain(
      "every browser run",
    );
    // A browser probe's rows: its evidence written and deleted for every run, not for the failed share.
    const probe = estimate.probes[0]!;
    const http = estimateCost(hypotheticalFleet(20, 3, "5m"), { plan: "paid", retention: DEFAULT_RETENTION })
      .probes[0]!;
    expect(probe.rowsWrittenPerMonth - http.rowsWrittenPerMonth).toBeGreaterThan(1.9 * probe.runsPerMonth);
    // At most two browsers per shard, and never more than the account's 30.
    expect(estimate.browsers.peakConcurrent).toBeGreaterThan(0);
    expect(estimate.browsers.peakConcurrent).toBeLessThanOrEqual(30);
    expect(estimate.usd.browserConcurrency).toBe(Math.max(0, estimate.browsers.peakConcurrent - 10) * 2);
    expect(estimate.usd.total).toBeCloseTo(5 + estimate.usd.overage, 2);
    expect(estimate.warnings).toEqual([]);
  });

  it("scales browser time with --browser-seconds and warns on Free past 10 minutes a day", () => {
    const short = estimateCost(browserFleet, { plan: "paid", retention: DEFAULT_RETENTION, browserSecondsPerRun: 5 });
    expect(short.browsers.hoursPerMonth).toBeCloseTo(720, 6);
    const free = estimateCost(browserFleet, { plan: "free", retention: DEFAULT_RETENTION });
    expect(free.warnings.some((w) => /browser time: .* over the Free plan's 10 min\/day/.test(w))).toBe(true);
    expect(free.warnings.some((w) => /browsers: \d+ open at once .* over the free plan's 3 per account/.test(w))).toBe(
      true,
    );
  });

  it("has no browser line for an HTTP fleet", () => {
    const estimate = estimateCost(hypotheticalFleet(20, 3, "5m"), { plan: "paid", retention: DEFAULT_RETENTION });
    expect(estimate.browsers).toEqual({ runsPerMonth: 0, hoursPerMonth: 0, peakConcurrent: 0, peakNewPerMinute: 0 });
    expect(estimate.usd.browserHours + estimate.usd.browserConcurrency).toBe(0);
    expect(estimate.storage.tables.find((t) => t.table.startsWith("run_evidence"))!.table).not.toContain("browser");
  });
});
