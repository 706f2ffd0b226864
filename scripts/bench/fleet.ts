/**
 * Fleet benchmark: does the probe network keep up with a realistic fleet, and what does it cost?
 *
 * A temporary copy of the project gets a generated probes/ folder of N probes (default 1,000)
 * x 5 regions, every minute, one step each (GET {{env:SHOP_URL}}/health, expect 200; the demo
 * shop holds /health back 100 ms). The copy runs under `wrangler dev` with the paid plan's
 * limits, and the benchmark measures, side by side in one run:
 *
 *   ticks       T ticks (default 3) at distinct minute slots, one after another, each fired with
 *               fireTick (it returns when the scheduled handler, which awaits every shard, is
 *               done): planned / shards / completed / stored, wall time (< 60 s means every
 *               planned run completes inside its minute), and D1 rows written per stored run,
 *               from the dispatcher's `{"event":"tick",...}` log line.
 *   planner     planTick + planShards (PAID_LIMITS, estimateRunCost) on the same fleet in this
 *               Node process: median CPU ms per tick.
 *   SLO read    D1 rows read to compute a 30-day SLO of one probe: D1RunStore.rollups (daily
 *               grain, 30 days) on the local D1, before the ticks and after each one, next to the
 *               number of raw runs stored, and next to what a scan of the raw runs would read.
 *   storage     bytes per stored row of runs / rollups_hourly / rollups_daily, measured on the
 *               local D1's SQLite file (dbstat: allocated pages, and payload), scaled to the
 *               steady state of this fleet (14 days of raw runs, 90 days of hourly and daily
 *               rollups), next to src/cost/estimate.ts's estimate for the same fleet.
 *
 * Why D1 is read through getPlatformProxy and the SQLite file rather than `wrangler d1 execute
 * --local --json`: the local execute keeps only `meta.duration` (no rows_read), and D1 refuses
 * `PRAGMA page_count` and has no dbstat. getPlatformProxy gives a local D1 binding on the same
 * persisted database with the full meta, and the file itself is plain SQLite (read after the
 * network has stopped).
 *
 * Everything stays on 127.0.0.1. The network is always stopped and the temp dir removed.
 *
 *   npm run bench:fleet                       1,000 probes, 3 ticks
 *   npm run bench:fleet -- --probes 250 --ticks 2
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../../src/time.ts";
import { DatabaseSync } from "node:sqlite";
import { estimateCost } from "../../src/cost/estimate.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { planTick, slotOf } from "../../src/schedule/plan.ts";
import { estimateRunCost, PAID_LIMITS, planShards } from "../../src/schedule/shard-plan.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import type { RetentionPolicy } from "../../src/storage/retention.ts";
import { benchFlags, fixed, formatTable, int, progressLogger, quantile, withTimeout } from "./measure.ts";
import { BENCH_REGIONS as REGIONS, d1File, loadProjectProbes, makeGeneratedProject, NetworkLog, openLocalD1, probeModuleSource, shopFaults, TempRun, writeD1OnlyConfig, type TickLine } from "./temp-project.ts";

const TARGET_DELAY_MS = 100;
const TARGET_PATH = "/health";
/** Steady state asked about: raw runs kept 14 days, rollups 90 days. */
const RETENTION: RetentionPolicy = { rawRunDays: 14, hourRollupDays: 92, rollupDays: 90 };
const SLO_DAYS = 30;
/** A tick slower than this is reported as such; fireTick is abandoned after TICK_TIMEOUT_MS. */
const MINUTE_BUDGET_S = 60;
const TICK_TIMEOUT_MS = 180_000;
const TICK_LINE_WAIT_MS = 15_000;
const HTTP_TIMEOUT_MS = 15_000;

const { probes: PROBES, ticks: TICKS, iterations: PLANNER_ITERATIONS, verbose: VERBOSE } = benchFlags({ probes: 1000, ticks: 3, iterations: 200 });
if (TICKS > 59) throw new Error("--ticks: at most 59 (the ticks share one hour)");

// ---------------------------------------------------------------- helpers

const progress = progressLogger();
const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

// ---------------------------------------------------------------- 1. the fleet project

function probeId(i: number): string {
  return `fleet-${String(i).padStart(5, "0")}`;
}

function probeSource(i: number): string {
  return probeModuleSource({
    id: probeId(i),
    name: `Fleet probe ${i}`,
    group: "Fleet",
    schedule: "1m",
    regions: REGIONS,
    steps: [{ name: "health", method: "GET", url: `{{env:SHOP_URL}}${TARGET_PATH}`, expectStatus: 200 }],
  });
}

// ---------------------------------------------------------------- 4. planner CPU

interface PlannerFigures {
  medianMs: number;
  p90Ms: number;
  planned: number;
  shards: number;
  runsPerShard: number[];
}

function measurePlanner(probes: readonly LoadedProbe[], iterations: number): PlannerFigures {
  const base = slotOf(Date.UTC(2026, 0, 1));
  const once = (i: number) => {
    const planned = planTick(probes, base + i * MINUTE_MS);
    return { planned, shards: planShards(planned, PAID_LIMITS, (run) => estimateRunCost(run.probe)) };
  };
  for (let i = 0; i < 20; i++) once(i); // warm up the JIT
  const samples: number[] = [];
  let last = once(0);
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    last = once(i);
    samples.push(performance.now() - t0);
  }
  return { medianMs: quantile(samples, 0.5), p90Ms: quantile(samples, 0.9), planned: last.planned.length, shards: last.shards.length, runsPerShard: last.shards.map((s) => s.runs.length) };
}

// ---------------------------------------------------------------- 5. D1 reads (local binding on the same state)

interface D1Figures {
  label: string;
  rawRuns: number;
  rollupsDaily: number;
  /** D1RunStore.rollups(probe, "day", 30 days): rows returned and meta.rows_read. */
  sloRows: number;
  sloRowsRead: number;
  /** The same 30 days computed from raw runs instead: meta.rows_read of that scan. */
  rawScanRowsRead: number;
  dbBytes: number;
  /** durationMs of the runs stored for one slot (the tick just fired), when asked. */
  durations?: number[];
}

async function readD1(configPath: string, persistTo: string, label: string, sloProbe: string, now: number, durationsSlot?: number): Promise<D1Figures> {
  const proxy = await openLocalD1(configPath, persistTo);
  try {
    const db = proxy.db;
    const to = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
    const from = to - SLO_DAYS * DAY_MS;
    const slo = await new D1RunStore(db).rollups([{ probeId: sloProbe, regions: REGIONS, grain: "day", from, to }]);
    const rawScan = await db
      .prepare(`SELECT region, count(*) AS total, sum(status = 'up') AS up FROM runs WHERE probe_id = ? AND slot_at >= ? AND slot_at < ? GROUP BY region`)
      .bind(sloProbe, from, to)
      .all();
    const counts = await db.prepare(`SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM rollups_daily) AS daily`).first<{ runs: number; daily: number }>();
    const figures: D1Figures = {
      label,
      rawRuns: counts?.runs ?? 0,
      rollupsDaily: counts?.daily ?? 0,
      sloRows: slo.value.length,
      sloRowsRead: slo.rowsRead,
      rawScanRowsRead: rawScan.meta.rows_read ?? Number.NaN,
      dbBytes: (rawScan.meta as { size_after?: number }).size_after ?? Number.NaN,
    };
    if (durationsSlot !== undefined) {
      const rows = await db.prepare(`SELECT duration_ms FROM runs WHERE slot_at = ?`).bind(durationsSlot).all<{ duration_ms: number }>();
      figures.durations = rows.results.map((r) => r.duration_ms);
    }
    return figures;
  } finally {
    await proxy.dispose();
  }
}

// ---------------------------------------------------------------- 6. storage per row (SQLite file, after the network stopped)

interface TableSize {
  rows: number;
  bytes: number;
  payload: number;
}

function measureTables(file: string): { tables: Record<"runs" | "rollups_hourly" | "rollups_daily", TableSize>; pageSize: number; pageCount: number } {
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const pageSize = (db.prepare("PRAGMA page_size").get() as { page_size: number }).page_size;
    const pageCount = (db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count;
    const stat = new Map(
      (db.prepare("SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name").all() as { name: string; bytes: number; payload: number }[]).map((r) => [r.name, r]),
    );
    const size = (table: string): TableSize => {
      const rows = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      const s = stat.get(table);
      return { rows, bytes: s?.bytes ?? 0, payload: s?.payload ?? 0 };
    };
    return { tables: { runs: size("runs"), rollups_hourly: size("rollups_hourly"), rollups_daily: size("rollups_daily") }, pageSize, pageCount };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- 3. ticks

interface TickFigures {
  slotAt: number;
  wallS: number;
  error?: string;
  line?: TickLine;
  durations?: number[];
}

async function setShopDelay(shopUrl: string): Promise<void> {
  await shopFaults(shopUrl, "POST", { path: TARGET_PATH, delayMs: TARGET_DELAY_MS }, HTTP_TIMEOUT_MS);
}

// ---------------------------------------------------------------- report

function printReport(r: {
  probes: readonly LoadedProbe[];
  ticks: TickFigures[];
  planner: PlannerFigures;
  reads: D1Figures[];
  storage?: ReturnType<typeof measureTables>;
  storageError?: string;
  setupS: number;
  estimatedRollupRowBytes: number;
}): void {
  const pairs = r.probes.reduce((n, p) => n + p.probe.regions.length, 0);
  const estimate = estimateCost(r.probes, { plan: "paid", retention: RETENTION });
  console.log(`\nFleet: ${int(r.probes.length)} probes x ${REGIONS.length} regions (${REGIONS.join(", ")}) = ${int(pairs)} runs a minute, schedule 1m,`);
  console.log(`one step GET {{env:SHOP_URL}}${TARGET_PATH} (shop delay ${TARGET_DELAY_MS} ms), plan paid, wrangler dev on 127.0.0.1; setup ${fixed(r.setupS, 1)} s.`);

  console.log(`\n1. Ticks (fired one after another at distinct minute slots; wall = fireTick round trip)\n`);
  const tickRows = r.ticks.map((t, i) => {
    const l = t.line;
    const d = t.durations ?? [];
    return [
      `#${i + 1} ${new Date(t.slotAt).toISOString().slice(11, 16)}`,
      l ? int(l.planned) : "-",
      l ? int(l.shards) : "-",
      l ? int(l.completed) : "-",
      l ? int(l.stored) : "-",
      l ? int(l.buffered) : "-",
      l ? `${l.byStatus.up ?? 0}/${l.byStatus.degraded ?? 0}/${l.byStatus.down ?? 0}` : "-",
      l ? int(l.rowsWritten) : "-",
      l && l.stored > 0 ? fixed(l.rowsWritten / l.stored, 2) : "-",
      d.length ? `${int(quantile(d, 0.5))}/${int(quantile(d, 0.95))}/${int(Math.max(...d))}` : "-",
      fixed(t.wallS, 1),
      t.error ? "NO (timeout)" : t.wallS < MINUTE_BUDGET_S && l && l.completed === l.planned ? "yes" : "NO",
    ];
  });
  console.log(formatTable(["tick (UTC)", "planned", "shards", "completed", "stored", "buffered", "up/deg/down", "rowsWritten", "rows/run", "run ms p50/p95/max", "wall s", "< 60 s, all done"], tickRows));
  for (const [i, t] of r.ticks.entries()) {
    if (t.error) console.log(`   tick #${i + 1}: ${t.error}`);
    if (!t.line && !t.error) console.log(`   tick #${i + 1}: no {"event":"tick"} line within ${TICK_LINE_WAIT_MS / 1000} s after fireTick returned`);
    if (t.line?.unreachableShards.length) console.log(`   tick #${i + 1}: unreachable shards: ${t.line.unreachableShards.join("; ")}`);
  }
  console.log(`   shard sizes planned for this fleet (runs per shard, per region): ${summarizeShards(r.planner.runsPerShard)}`);

  console.log(`\n2. Planner CPU per tick (planTick + planShards with PAID_LIMITS and estimateRunCost, this Node process)\n`);
  console.log(
    formatTable(
      ["iterations", "planned runs", "shards", "median ms", "p90 ms"],
      [[String(PLANNER_ITERATIONS), int(r.planner.planned), int(r.planner.shards), fixed(r.planner.medianMs, 2), fixed(r.planner.p90Ms, 2)]],
    ),
  );

  console.log(`\n3. D1 rows read for a ${SLO_DAYS}-day SLO of one probe (${probeId(1)}): D1RunStore.rollups(probe, "day", ${SLO_DAYS} days)\n`);
  console.log(
    formatTable(
      ["when", "raw runs (all)", "daily rollups (all)", "rollup rows returned", "rows_read (rollups)", "rows_read (raw-run scan instead)", "db size"],
      r.reads.map((d) => [d.label, int(d.rawRuns), int(d.rollupsDaily), int(d.sloRows), int(d.sloRowsRead), int(d.rawScanRowsRead), `${fixed(d.dbBytes / 1e6, 2)} MB`]),
    ),
  );
  console.log(`   (the ticks share one day, so one daily rollup per region exists; a full window reads at most regions x ${SLO_DAYS} days + 1 = ${REGIONS.length * SLO_DAYS + 1} rows, whatever the run count)`);

  console.log(`\n4. Storage: measured bytes per row (local D1 file, dbstat) scaled to the steady state, vs src/cost/estimate.ts\n`);
  if (!r.storage) {
    console.log(`   not measured: ${r.storageError ?? "no database file"}`);
  } else {
    const { tables, pageSize, pageCount } = r.storage;
    const perRow = (t: TableSize) => (t.rows > 0 ? t.bytes / t.rows : Number.NaN);
    const payloadPerRow = (t: TableSize) => (t.rows > 0 ? t.payload / t.rows : Number.NaN);
    const estRaw = estimate.probes.reduce((n, p) => n + p.rawBytesPerRun, 0) / Math.max(1, estimate.probes.length);
    const estRollup = r.estimatedRollupRowBytes;
    console.log(`   SQLite file: ${int(pageCount)} pages x ${pageSize} B = ${fixed((pageCount * pageSize) / 1e6, 2)} MB\n`);
    console.log(
      formatTable(
        ["table", "rows", "allocated B/row", "payload B/row", "estimate B/row", "measured/estimate"],
        [
          ["runs", int(tables.runs.rows), fixed(perRow(tables.runs), 1), fixed(payloadPerRow(tables.runs), 1), fixed(estRaw, 1), fixed(perRow(tables.runs) / estRaw, 2)],
          ["rollups_hourly", int(tables.rollups_hourly.rows), fixed(perRow(tables.rollups_hourly), 1), fixed(payloadPerRow(tables.rollups_hourly), 1), fixed(estRollup, 1), fixed(perRow(tables.rollups_hourly) / estRollup, 2)],
          ["rollups_daily", int(tables.rollups_daily.rows), fixed(perRow(tables.rollups_daily), 1), fixed(payloadPerRow(tables.rollups_daily), 1), fixed(estRollup, 1), fixed(perRow(tables.rollups_daily) / estRollup, 2)],
        ],
      ),
    );
    console.log(`   (rollup rows here hold at most ${r.ticks.length} runs and one latency bucket; a full day's rollup has larger counts and more buckets, so its real size is somewhat larger)`);
    const runsPerDay = estimate.perMonth.runs / 30;
    const rawRows = runsPerDay * RETENTION.rawRunDays;
    const hourlyRows = pairs * RETENTION.rollupDays * 24;
    const dailyRows = pairs * RETENTION.rollupDays;
    const measuredRaw = rawRows * perRow(tables.runs);
    const measuredRollups = hourlyRows * perRow(tables.rollups_hourly) + dailyRows * perRow(tables.rollups_daily);
    const measured = measuredRaw + measuredRollups;
    const estRollupBytes = estimate.storage.rollupRows * r.estimatedRollupRowBytes;
    const estRawBytes = estimate.storage.bytes - estRollupBytes;
    console.log(`\n   Steady state after 90 days (raw runs kept ${RETENTION.rawRunDays} days, hourly + daily rollups kept ${RETENTION.rollupDays} days):\n`);
    console.log(
      formatTable(
        ["", "rows", "measured size", "estimateCost size", "measured/estimated"],
        [
          ["raw runs", int(rawRows), gb(measuredRaw), gb(estRawBytes), fixed(measuredRaw / estRawBytes, 2)],
          ["rollups (hourly + daily)", `${int(hourlyRows + dailyRows)}`, gb(measuredRollups), gb(estRollupBytes), fixed(measuredRollups / estRollupBytes, 2)],
          ["total", int(rawRows + hourlyRows + dailyRows), gb(measured), gb(estimate.storage.bytes), fixed(measured / estimate.storage.bytes, 2)],
        ],
      ),
    );
    console.log(`\n   estimateCost(plan paid): raw rows ${int(estimate.storage.rawRunsRows)}, rollup rows ${int(estimate.storage.rollupRows)}, peak shards/tick ${estimate.peakShardsPerTick}, $${estimate.usd.total}/month`);
    for (const w of estimate.warnings) console.log(`   estimate warning: ${w}`);
  }
}

function summarizeShards(sizes: number[]): string {
  const perRegion = sizes.slice(0, Math.max(1, Math.round(sizes.length / REGIONS.length)));
  return `${perRegion.join(" + ")} (x ${REGIONS.length} regions = ${sizes.length} shards)`;
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const tickLog = new NetworkLog(VERBOSE);
  const run = new TempRun("afterlife-bench-fleet-", tickLog);
  const { temp, root, persistTo } = run;
  await run.run(async () => {
    progress(`copying the project and writing ${int(PROBES)} probes to ${root}`);
    makeGeneratedProject(root, PROBES, probeId, probeSource);
    const probes = await loadProjectProbes(root);
    // The estimate's bytes per rollup row (not exported): its storage with no raw runs kept.
    const rollupsOnly = estimateCost(probes.slice(0, 1), { plan: "paid", retention: { rawRunDays: 0, hourRollupDays: 0, rollupDays: 1 } });
    const estimatedRollupRowBytes = rollupsOnly.storage.bytes / rollupsOnly.storage.rollupRows;

    progress(`timing the planner (${PLANNER_ITERATIONS} ticks)`);
    const planner = measurePlanner(probes, PLANNER_ITERATIONS);

    progress("starting the local network (D1 migrations, demo shop, wrangler dev building the fleet)");
    const setupStart = performance.now();
    const network = await run.startNetwork(29787);
    const setupS = (performance.now() - setupStart) / 1000;
    await setShopDelay(network.shopUrl);
    const d1Config = writeD1OnlyConfig(root, temp, "afterlife-fleet-bench-d1");

    // Distinct minutes of one hour a day ago: every tick updates the same hourly and daily rollups.
    const hour = Math.floor((Date.now() - DAY_MS) / HOUR_MS) * HOUR_MS;
    const slots = Array.from({ length: TICKS }, (_, i) => hour + i * MINUTE_MS);
    const now = Date.now();
    const reads: D1Figures[] = [];
    progress("reading the SLO rollups before the ticks");
    reads.push(await readD1(d1Config, persistTo, "before ticks", probeId(1), now));

    const ticks: TickFigures[] = [];
    for (const [i, slotAt] of slots.entries()) {
      progress(`tick ${i + 1}/${TICKS} (${new Date(slotAt).toISOString()})`);
      const t0 = performance.now();
      const tick: TickFigures = { slotAt, wallS: 0 };
      try {
        await withTimeout(network.fireTick(slotAt), TICK_TIMEOUT_MS, `tick ${i + 1}`);
      } catch (error) {
        tick.error = String(error);
      }
      tick.wallS = (performance.now() - t0) / 1000;
      ticks.push(tick);
      const line = await tickLog.waitForTick(slotAt, tick.error ? 1000 : TICK_LINE_WAIT_MS);
      if (line) tick.line = line;
      progress(`  ${fixed(tick.wallS, 1)} s: ${line ? `planned ${line.planned}, shards ${line.shards}, completed ${line.completed}, stored ${line.stored}` : "no tick line"}`);
      const read = await readD1(d1Config, persistTo, `after tick ${i + 1}`, probeId(1), now, slotAt);
      if (read.durations) tick.durations = read.durations;
      reads.push(read);
      if (tick.error) break; // the Worker is still busy with it; later ticks would measure the backlog
    }

    progress("stopping the local network");
    await run.stopNetwork();
    let storage: ReturnType<typeof measureTables> | undefined;
    let storageError: string | undefined;
    try {
      storage = measureTables(d1File(persistTo));
    } catch (error) {
      storageError = String(error);
    }
    printReport({ probes, ticks, planner, reads, setupS, estimatedRollupRowBytes, ...(storage ? { storage } : {}), ...(storageError ? { storageError } : {}) });
    progress("done");
  });
}

await main();
