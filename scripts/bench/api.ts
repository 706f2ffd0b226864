/**
 * API benchmark: how fast are the computed read endpoints over a realistic history, and what do
 * they cost in D1 rows read, next to a static JSON response of the same Worker?
 *
 * A temporary copy of the project gets a generated probes/ folder of N probes (default 100) x 5
 * regions, schedule 1m, each with an availability and a latency SLO over 30 days. Before the
 * Worker starts, the local D1 is seeded with D days (default 90) of hourly and daily rollups for
 * every (probe, region) -- 60 runs an hour, a few down runs, latencies around 100-300 ms in the
 * fixed buckets of src/slo/latency-histogram.ts, the daily rows being the sums of the hourly
 * ones -- and with the raw runs of the last 30 minutes (what the SLO route reads for its 5m and
 * 30m burn rates). Then the copy runs under `wrangler dev` (startLocalNetwork, no cron driver)
 * and one tick is fired for the current minute, so every pair also has a real newest run.
 *
 * Measured, side by side in one run, from this Node process over 127.0.0.1 (sequential, one
 * request at a time; W warm-up requests per endpoint, then R timed rounds that visit the
 * endpoints in turn, so drift hits them alike):
 *
 *   GET /api/v1/slo                  every probe, each probe's own window (30d)
 *   GET /api/v1/slo?probe=<one>      one probe
 *   GET /api/v2/summary.json         Statuspage summary (newest run per pair)
 *   GET /api/openapi.json            baseline: built once per isolate, then a static object
 *
 * p50 / p99 / max of the time to the last body byte, errors (non-200 or failed fetch; 429s are
 * counted apart), response bytes (body as received), and the ratio of each p50 to the baseline's.
 *
 * D1 rows read per request: the Worker does not report them, so after the network has stopped
 * the same route code is replayed in this process -- loadSloReports(...) with the route's query,
 * loadPublicOverview(...) for summary.json -- against a D1RunStore on the same persisted database
 * through getPlatformProxy, whose D1 binding is wrapped to add up `meta.rows_read` (and
 * `meta.duration`) of every statement, per RunStore method. No timing is taken from the replay.
 *
 * Why the seed goes straight into the SQLite file: 100 x 5 x 90 x 24 is over a million hourly
 * rows; written with node:sqlite before any workerd opens the file it takes seconds, where
 * `wrangler d1 execute --file` or D1 batches of 12-row INSERTs would take minutes. The rows are
 * the same either way, and the D1 binding reads them back (the seeded row counts are printed).
 *
 *   npm run bench:api                                  100 probes, 90 days, 3 warm-up, 30 timed
 *   npm run bench:api -- --probes 20 --days 35 --requests 10
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { get as httpGet } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import type { AppDeps } from "../../src/api/app-env.ts";
import { loadSloReports } from "../../src/api/load-slo.ts";
import { loadPublicOverview } from "../../src/api/statuspage/routes.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { bucketIndex, BUCKET_COUNT, encodeHistogram, emptyHistogram } from "../../src/slo/latency-histogram.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import type { RunStore } from "../../src/storage/run-store.ts";
import { OFFLINE_ENV, startLocalNetwork, type LocalNetwork } from "../local/local-network.ts";
import { freePort } from "../local/ports.ts";
import { runToCompletion } from "../local/processes.ts";
import {
  d1File,
  fixed,
  formatTable,
  int,
  loadProjectProbes,
  makeTempProject,
  openLocalD1,
  positiveInt,
  probeModuleSource,
  progressLogger,
  PROJECT_ROOT,
  quantile,
  withTimeout,
  writeD1OnlyConfig,
} from "./temp-project.ts";

const REGIONS = ["weur", "enam", "apac", "wnam", "eeur"] as const;
const GROUPS = 10;
const STEP = "health";
const SLO = { availability: 0.999, latency: { percent: 0.95, underMs: 512 }, window: "30d" } as const;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Raw runs seeded before the tick's minute: the SLO route reads the last 30 minutes. */
const RAW_MINUTES = 30;
const TICK_TIMEOUT_MS = 120_000;
const TICK_LINE_WAIT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;
const WRANGLER = join(PROJECT_ROOT, "node_modules", ".bin", "wrangler");

const { values: args } = parseArgs({
  options: {
    probes: { type: "string", default: "100" },
    days: { type: "string", default: "90" },
    warmup: { type: "string", default: "3" },
    requests: { type: "string", default: "30" },
    seed: { type: "string", default: "42" },
    verbose: { type: "boolean", default: false },
  },
});
const PROBES = positiveInt("--probes", args.probes);
const DAYS = positiveInt("--days", args.days);
const WARMUP = positiveInt("--warmup", args.warmup);
const REQUESTS = positiveInt("--requests", args.requests);
const SEED = positiveInt("--seed", args.seed);
if (DAYS < 31) throw new Error("--days: at least 31 (the 30-day window reads 31 daily rows per pair)");

const progress = progressLogger();

// ---------------------------------------------------------------- 1. the project

function probeId(i: number): string {
  return `api-${String(i).padStart(5, "0")}`;
}

function probeSource(i: number): string {
  return probeModuleSource({
    id: probeId(i),
    name: `API bench probe ${i}`,
    group: `Group ${((i - 1) % GROUPS) + 1}`,
    schedule: "1m",
    regions: REGIONS,
    degradedAfterMs: 1000,
    slo: SLO,
    steps: [{ name: STEP, method: "GET", url: "{{env:SHOP_URL}}/health", expectStatus: 200 }],
  });
}

// ---------------------------------------------------------------- 2. the seed

/** mulberry32: a small seeded PRNG, so every run seeds the same history. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeedFigures {
  hourly: number;
  daily: number;
  raw: number;
  runsInRollups: number;
  downs: number;
  degraded: number;
  avgLatencyJsonBytes: number;
  ms: number;
}

/**
 * Writes D days of hourly and daily rollups per (probe, region), up to (not including) the
 * minute `tickSlot`, and the raw runs of the RAW_MINUTES minutes before it, into the D1 file.
 *
 * Per hour: 60 expected runs (fewer in the current hour); about 1 hour in 500 misses a run (no
 * data); about 2% of hours have one down run, 0.2% an incident of 2-10; 0.5% one degraded run
 * (1.0-2.5 s). Up runs take base x exp(0.25 N(0,1)) ms, base 100-250 ms per (probe, region),
 * i.e. mostly 70-400 ms, buckets 18-26. The daily rows are the sums of that day's hourly rows.
 */
function seedDatabase(file: string, probeIds: readonly string[], tickSlot: number): SeedFigures {
  const t0 = performance.now();
  const random = prng(SEED);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const firstDay = Math.floor(tickSlot / DAY_MS) * DAY_MS - (DAYS - 1) * DAY_MS;
  const lastHour = Math.floor(tickSlot / HOUR_MS) * HOUR_MS;

  const db = new DatabaseSync(file);
  try {
    const columns = new Set((db.prepare("PRAGMA table_info(rollups_hourly)").all() as { name: string }[]).map((c) => c.name));
    const withSteps = columns.has("step_failures"); // migrations/0004, when present
    const rollupInsert = (table: string, column: string) =>
      db.prepare(
        `INSERT INTO ${table} (probe_id, region, ${column}, total, up, degraded, down, latency${withSteps ? ", step_failures" : ""}) VALUES (?, ?, ?, ?, ?, ?, ?, ?${withSteps ? ", ?" : ""})`,
      );
    const insertHourly = rollupInsert("rollups_hourly", "hour_at");
    const insertDaily = rollupInsert("rollups_daily", "day_at");
    const insertRun = db.prepare(`INSERT INTO runs (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms,
      failure_class, failure_step, failure_message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const figures: SeedFigures = { hourly: 0, daily: 0, raw: 0, runsInRollups: 0, downs: 0, degraded: 0, avgLatencyJsonBytes: 0, ms: 0 };
    let latencyJsonBytes = 0;

    db.exec("BEGIN");
    for (const id of probeIds) {
      for (const region of REGIONS) {
        const base = 100 + 150 * random();
        const sample = () => Math.max(20, base * Math.exp(0.25 * normal()));
        for (let day = firstDay; day <= lastHour; day += DAY_MS) {
          const dayHistogram = emptyHistogram();
          const dayCounts = { total: 0, up: 0, degraded: 0, down: 0 };
          for (let hour = day; hour < day + DAY_MS && hour <= lastHour; hour += HOUR_MS) {
            const expected = Math.min(60, (tickSlot - hour) / MINUTE_MS);
            if (expected <= 0) break;
            const total = expected - (random() < 0.002 ? 1 : 0);
            const r = random();
            const down = Math.min(total, r < 0.002 ? 2 + Math.floor(random() * 9) : r < 0.022 ? 1 : 0);
            const degraded = down < total && random() < 0.005 ? 1 : 0;
            const up = total - down - degraded;
            const histogram = emptyHistogram();
            for (let k = 0; k < up; k++) histogram[bucketIndex(sample())]! += 1;
            for (let k = 0; k < degraded; k++) histogram[bucketIndex(1000 + 1500 * random())]! += 1;
            const latency = encodeHistogram(histogram);
            latencyJsonBytes += latency.length;
            const stepFailures = down > 0 ? JSON.stringify({ [STEP]: down }) : "{}";
            insertHourly.run(id, region, hour, total, up, degraded, down, latency, ...(withSteps ? [stepFailures] : []));
            figures.hourly++;
            figures.runsInRollups += total;
            figures.downs += down;
            figures.degraded += degraded;
            for (let b = 0; b < BUCKET_COUNT; b++) dayHistogram[b]! += histogram[b]!;
            dayCounts.total += total;
            dayCounts.up += up;
            dayCounts.degraded += degraded;
            dayCounts.down += down;
          }
          if (dayCounts.total === 0) continue;
          const dayFailures = dayCounts.down > 0 ? JSON.stringify({ [STEP]: dayCounts.down }) : "{}";
          insertDaily.run(id, region, day, dayCounts.total, dayCounts.up, dayCounts.degraded, dayCounts.down, encodeHistogram(dayHistogram), ...(withSteps ? [dayFailures] : []));
          figures.daily++;
        }
        // The raw runs of the last RAW_MINUTES minutes (the tick's own minute comes from the Worker).
        for (let m = RAW_MINUTES; m >= 1; m--) {
          const slot = tickSlot - m * MINUTE_MS;
          const isDown = random() < 0.0004;
          const ms = Math.round(isDown ? 10_000 : sample());
          const detail = JSON.stringify({
            steps: [
              {
                name: STEP,
                kind: "http",
                status: isDown ? "failed" : "passed",
                ttfbMs: ms - 2,
                totalMs: ms,
                exchanges: [{ method: "GET", url: "http://127.0.0.1/health", ...(isDown ? {} : { status: 200 }), ttfbMs: ms - 2, totalMs: ms }],
                assertions: [{ label: "status", passed: !isDown, expected: "200", actual: isDown ? "timeout" : "200" }],
              },
            ],
          });
          insertRun.run(id, region, slot, "seed", region, isDown ? "down" : "up", slot + 150, ms, isDown ? "timeout" : null, isDown ? STEP : null, isDown ? "step timed out after 10000 ms" : null, detail);
          figures.raw++;
        }
      }
    }
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    figures.avgLatencyJsonBytes = latencyJsonBytes / Math.max(1, figures.hourly);
    figures.ms = performance.now() - t0;
    return figures;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- 3. HTTP

interface Endpoint {
  label: string;
  path: string;
  baseline?: boolean;
}

interface Sample {
  ms: number;
  status: number;
  bytes: number;
  encoding: string | null;
  error?: string;
}

async function request(url: string): Promise<Sample> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status, bytes: body.byteLength, encoding: res.headers.get("content-encoding") };
  } catch (error) {
    return { ms: performance.now() - t0, status: 0, bytes: 0, encoding: null, error: String(error) };
  }
}

/** The body's size on the wire (not decoded), with the encoding a browser would accept. */
function wireBytes(url: string): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { headers: { "accept-encoding": "br, gzip, deflate" }, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () => resolve({ bytes, encoding: String(res.headers["content-encoding"] ?? "identity") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

// ---------------------------------------------------------------- 4. D1 rows read (replay)

interface Tally {
  batches: number;
  statements: number;
  rowsRead: number;
  rowsReturned: number;
  sqlMs: number;
  /** Statement calls whose meta D1 does not return (first, raw): not in rowsRead. */
  uncounted: number;
}

const newTally = (): Tally => ({ batches: 0, statements: 0, rowsRead: 0, rowsReturned: 0, sqlMs: 0, uncounted: 0 });

function addResult(tally: Tally, result: D1Result): void {
  tally.statements++;
  tally.rowsRead += result.meta.rows_read ?? 0;
  tally.rowsReturned += result.results?.length ?? 0;
  tally.sqlMs += result.meta.duration ?? 0;
}

/** A D1Database that adds up the meta of every statement it runs (batched or not) into `tally`. */
function countingDb(db: D1Database, tally: Tally): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (prop === "all" || prop === "run") {
          return async () => {
            const result = await target[prop]();
            addResult(tally, result as D1Result);
            return result;
          };
        }
        if (prop === "first" || prop === "raw") tally.uncounted++;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql));
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const outcomes = await target.batch(statements.map((s) => real.get(s) ?? s));
          tally.batches++;
          for (const o of outcomes) addResult(tally, o);
          return outcomes;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A D1RunStore whose every method call is counted in tallies[method name]. */
function tallyingStore(db: D1Database, tallies: Map<string, Tally>): RunStore {
  return new Proxy(new D1RunStore(db), {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return (...callArgs: unknown[]) => {
        const tally = tallies.get(prop) ?? newTally();
        tallies.set(prop, tally);
        const store = new D1RunStore(countingDb(db, tally)) as unknown as Record<string, (...a: unknown[]) => unknown>;
        return store[prop]!(...callArgs);
      };
    },
  });
}

interface Replay {
  tallies: Map<string, Tally>;
  /** What the route code itself reports, when it does (loadSloReports: rollups only). */
  reported?: number;
  note?: string;
}

async function replay(db: D1Database, probes: readonly LoadedProbe[], endpoint: Endpoint): Promise<Replay> {
  const tallies = new Map<string, Tally>();
  const deps = { probes, store: tallyingStore(db, tallies), now: Date.now } as unknown as AppDeps;
  if (endpoint.baseline) return { tallies, note: "no D1 access" };
  if (endpoint.path.startsWith("/api/v1/slo")) {
    // As src/api/routes/slo.ts: the probes filtered by ?probe, the query's budgeting default.
    const one = new URL(endpoint.path, "http://x").searchParams.get("probe");
    const selected = probes.filter((p) => one === null || p.probe.id === one);
    const loaded = await loadSloReports(deps, { probes: selected, region: undefined, window: undefined, budgeting: "occurrences" });
    return { tallies, reported: loaded.rowsRead };
  }
  if (endpoint.path === "/api/v2/summary.json") {
    await loadPublicOverview(deps);
    return { tallies };
  }
  throw new Error(`no replay for ${endpoint.path}`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), "afterlife-bench-api-"));
  const root = join(temp, "project");
  const persistTo = join(temp, "state");
  const recent: string[] = [];
  const tickLines = new Map<number, { planned: number; stored: number; completed: number }>();
  const log = (line: string) => {
    if (args.verbose) console.error(line);
    recent.push(line);
    if (recent.length > 60) recent.shift();
    const at = line.indexOf('{"event":"tick"');
    if (at >= 0) {
      try {
        const parsed = JSON.parse(line.slice(at)) as { slotAt: number; planned: number; stored: number; completed: number };
        tickLines.set(parsed.slotAt, parsed);
      } catch {
        // cut by the pipe
      }
    }
  };
  let network: LocalNetwork | undefined;
  try {
    progress(`copying the project and writing ${PROBES} probes to ${root}`);
    makeTempProject(root, new Map(Array.from({ length: PROBES }, (_, k) => [`${probeId(k + 1)}.ts`, probeSource(k + 1)])));
    const probes = await loadProjectProbes(root);

    progress("applying the D1 migrations to the temporary local database");
    await runToCompletion(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], { cwd: root, env: { ...OFFLINE_ENV, CI: "true" } });

    const tickSlot = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    progress(`seeding ${DAYS} days of hourly and daily rollups and ${RAW_MINUTES} minutes of raw runs for ${PROBES * REGIONS.length} pairs`);
    const seed = seedDatabase(d1File(persistTo), probes.map((p) => p.probe.id), tickSlot);
    progress(`  ${int(seed.hourly)} hourly + ${int(seed.daily)} daily rollups, ${int(seed.raw)} raw runs in ${fixed(seed.ms / 1000, 1)} s`);

    progress("starting the local network (demo shop, wrangler dev building the project)");
    const setupStart = performance.now();
    const workerPort = await freePort(29887);
    const shopPort = await freePort(Math.max(29890, workerPort + 1));
    network = await startLocalNetwork({ root, persistTo, cronDriver: false, workerPort, shopPort, vars: { AFTERLIFE_PLAN: "paid" }, log });
    const setupS = (performance.now() - setupStart) / 1000;

    progress(`firing one tick for ${new Date(tickSlot).toISOString()} (the newest raw run of every pair)`);
    const tickStart = performance.now();
    await withTimeout(network.fireTick(tickSlot), TICK_TIMEOUT_MS, "the tick");
    const tickS = (performance.now() - tickStart) / 1000;
    const lineDeadline = Date.now() + TICK_LINE_WAIT_MS;
    while (!tickLines.has(tickSlot) && Date.now() < lineDeadline) await new Promise((r) => setTimeout(r, 100));
    const tick = tickLines.get(tickSlot);
    progress(`  ${fixed(tickS, 1)} s: ${tick ? `planned ${tick.planned}, completed ${tick.completed}, stored ${tick.stored}` : "no tick line"}`);

    const one = probeId(1);
    const endpoints: Endpoint[] = [
      { label: `/api/v1/slo (${PROBES} probes, 30d)`, path: "/api/v1/slo" },
      { label: `/api/v1/slo?probe=${one}`, path: `/api/v1/slo?probe=${one}` },
      { label: "/api/v2/summary.json", path: "/api/v2/summary.json" },
      { label: "/api/openapi.json (static)", path: "/api/openapi.json", baseline: true },
    ];
    const samples = new Map<Endpoint, Sample[]>(endpoints.map((e) => [e, []]));
    const workerUrl = network.workerUrl;
    progress(`warm-up: ${WARMUP} request(s) per endpoint`);
    const warm = new Map<Endpoint, Sample>();
    for (const e of endpoints) for (let k = 0; k < WARMUP; k++) warm.set(e, await request(workerUrl + e.path));
    for (const [e, s] of warm) if (s.status !== 200) progress(`  warm-up ${e.path}: ${s.status} ${s.error ?? ""}`);

    progress(`timed: ${REQUESTS} rounds of ${endpoints.length} sequential requests`);
    const httpStart = performance.now();
    for (let round = 0; round < REQUESTS; round++) {
      for (const e of endpoints) samples.get(e)!.push(await request(workerUrl + e.path));
    }
    const httpS = (performance.now() - httpStart) / 1000;

    // One body of each, to check the responses are what they claim (outside the timings).
    const bodies = new Map<Endpoint, unknown>();
    const wire = new Map<Endpoint, { bytes: number; encoding: string }>();
    for (const e of endpoints) {
      const res = await fetch(workerUrl + e.path, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      bodies.set(e, res.ok ? await res.json() : `${res.status}`);
      wire.set(e, await wireBytes(workerUrl + e.path));
    }

    progress("stopping the local network");
    await network.stop();
    network = undefined;

    progress("replaying each route's store calls on the same D1 through getPlatformProxy");
    const d1 = await openLocalD1(writeD1OnlyConfig(root, temp, "afterlife-api-bench-d1"), persistTo);
    const replays = new Map<Endpoint, Replay>();
    let counts: { hourly: number; daily: number; runs: number } | null;
    try {
      counts = await d1.db
        .prepare(`SELECT (SELECT count(*) FROM rollups_hourly) AS hourly, (SELECT count(*) FROM rollups_daily) AS daily, (SELECT count(*) FROM runs) AS runs`)
        .first<{ hourly: number; daily: number; runs: number }>();
      for (const e of endpoints) replays.set(e, await replay(d1.db, probes, e));
    } finally {
      await d1.dispose();
    }

    // ------------------------------------------------------------ report
    const pairs = PROBES * REGIONS.length;
    console.log(`\nAPI benchmark: ${PROBES} probes x ${REGIONS.length} regions (${REGIONS.join(", ")}) = ${pairs} pairs, schedule 1m,`);
    console.log(`SLO availability ${SLO.availability}, latency ${SLO.latency.percent} under ${SLO.latency.underMs} ms, window ${SLO.window}; wrangler dev on 127.0.0.1 (setup ${fixed(setupS, 1)} s).`);
    console.log(
      `Seeded: ${DAYS} days of rollups, ${int(seed.hourly)} hourly + ${int(seed.daily)} daily rows (${int(seed.runsInRollups)} runs: ${int(seed.downs)} down, ${int(seed.degraded)} degraded; latency JSON ${fixed(seed.avgLatencyJsonBytes, 0)} B/hourly row), ${int(seed.raw)} raw runs (last ${RAW_MINUTES} min), in ${fixed(seed.ms / 1000, 1)} s.`,
    );
    console.log(`Read back through the D1 binding: ${counts ? `${int(counts.hourly)} hourly, ${int(counts.daily)} daily, ${int(counts.runs)} runs` : "n/a"}.`);
    console.log(`Tick ${new Date(tickSlot).toISOString().slice(11, 16)} UTC: ${tick ? `planned ${tick.planned}, completed ${tick.completed}, stored ${tick.stored}` : "no tick line seen"}, ${fixed(tickS, 1)} s.`);

    const baseline = endpoints.find((e) => e.baseline)!;
    const okMs = (e: Endpoint) => samples.get(e)!.filter((s) => s.status === 200).map((s) => s.ms);
    const baseP50 = quantile(okMs(baseline), 0.5);
    const baseBytes = quantile(samples.get(baseline)!.filter((s) => s.status === 200).map((s) => s.bytes), 0.5);
    console.log(`\n1. Latency, ${WARMUP} warm-up + ${REQUESTS} timed sequential requests each (round-robin, ${fixed(httpS, 1)} s), time to the last body byte\n`);
    console.log(
      formatTable(
        ["endpoint", "ok", "errors", "429", "p50 ms", "p99 ms", "max ms", "JSON bytes", "wire bytes", "bytes/static", "p50/static"],
        endpoints.map((e) => {
          const all = samples.get(e)!;
          const ok = okMs(e);
          const bytes = all.filter((s) => s.status === 200).map((s) => s.bytes);
          const b = bytes.length ? quantile(bytes, 0.5) : Number.NaN;
          const sameSize = bytes.every((x) => x === bytes[0]);
          return [
            e.label,
            String(ok.length),
            String(all.filter((s) => s.status !== 200 && s.status !== 429).length),
            String(all.filter((s) => s.status === 429).length),
            fixed(quantile(ok, 0.5), 1),
            fixed(quantile(ok, 0.99), 1),
            fixed(ok.length ? Math.max(...ok) : Number.NaN, 1),
            `${int(b)}${sameSize ? "" : "~"}`,
            `${int(wire.get(e)!.bytes)} ${wire.get(e)!.encoding}`,
            fixed(b / baseBytes, 2),
            fixed(quantile(ok, 0.5) / baseP50, 1),
          ];
        }),
      ),
    );
    console.log(`   (p99 of ${REQUESTS} samples is the ${Math.ceil(0.99 * REQUESTS)}th smallest. JSON bytes: the decoded body of the timed responses ("~": it varied, median shown);`);
    console.log(`    the timed responses came with content-encoding ${[...new Set([...samples.values()].flat().map((s) => s.encoding ?? "identity"))].join(", ")} (wrangler dev compresses; fetch decodes), wire bytes: one extra request, not decoded. bytes/static on JSON bytes)`);
    for (const e of endpoints) {
      const failed = samples.get(e)!.filter((s) => s.status !== 200);
      if (failed.length) console.log(`   ${e.path}: ${failed.length} failed, first: ${failed[0]!.status} ${failed[0]!.error ?? ""}`);
    }

    console.log(`\n2. D1 per request (replayed route code on the same D1, through getPlatformProxy: meta.rows_read and meta.duration per statement)\n`);
    const rows: string[][] = [];
    for (const e of endpoints) {
      const r = replays.get(e)!;
      const tallies = [...r.tallies.entries()];
      const sum = tallies.reduce((acc, [, t]) => ({ ...acc, batches: acc.batches + t.batches, statements: acc.statements + t.statements, rowsRead: acc.rowsRead + t.rowsRead, rowsReturned: acc.rowsReturned + t.rowsReturned, sqlMs: acc.sqlMs + t.sqlMs, uncounted: acc.uncounted + t.uncounted }), newTally());
      rows.push([e.label, tallies.length ? tallies.map(([m]) => m).join(" + ") : r.note ?? "-", int(sum.batches), int(sum.statements), int(sum.rowsReturned), int(sum.rowsRead), fixed(sum.sqlMs, 1)]);
      if (tallies.length > 1) for (const [m, t] of tallies) rows.push([`  ${m}`, "", int(t.batches), int(t.statements), int(t.rowsReturned), int(t.rowsRead), fixed(t.sqlMs, 1)]);
    }
    console.log(formatTable(["endpoint", "store calls", "batches", "statements", "rows returned", "rows read", "D1 SQL ms"], rows));
    for (const e of endpoints) {
      const r = replays.get(e)!;
      const rollups = r.tallies.get("rollups")?.rowsRead;
      if (r.reported !== undefined && rollups !== undefined && r.reported !== rollups) console.log(`   ${e.path}: loadSloReports reported ${r.reported} rows read, the wrapper counted ${rollups} for rollups`);
      const uncounted = [...r.tallies.values()].reduce((n, t) => n + t.uncounted, 0);
      if (uncounted) console.log(`   ${e.path}: ${uncounted} statement call(s) without meta (first/raw), not counted`);
    }

    console.log(`\n3. Sanity (one response of each, after the timed requests)\n`);
    const all = bodies.get(endpoints[0]!) as { reports?: SloShape[] } | string;
    const single = bodies.get(endpoints[1]!) as { reports?: SloShape[] } | string;
    const summary = bodies.get(endpoints[2]!) as { status?: { indicator: string }; components?: unknown[] } | string;
    const openapi = bodies.get(baseline) as { paths?: Record<string, unknown> } | string;
    console.log(`   /api/v1/slo: ${typeof all === "string" ? all : `${all.reports?.length} reports`}; ${one}: ${typeof single === "string" ? single : describeSlo(single.reports?.[0])}`);
    console.log(`   /api/v2/summary.json: ${typeof summary === "string" ? summary : `indicator ${summary.status?.indicator}, ${summary.components?.length} components`}`);
    console.log(`   /api/openapi.json: ${typeof openapi === "string" ? openapi : `${Object.keys(openapi.paths ?? {}).length} paths`}`);
    progress("done");
  } catch (error) {
    if (recent.length) console.error(`last lines of the local network:\n${recent.join("\n")}`);
    throw error;
  } finally {
    if (network) await network.stop().catch(() => {});
    if (existsSync(temp)) rmSync(temp, { recursive: true, force: true });
  }
}

interface SloShape {
  availability: { events: { good: number; bad: number; noData: number }; sli: { excluded: { value: number | null }; noDataAsBad: { value: number | null } } };
  latency: { sli: { excluded: { value: number | null } } } | null;
  percentiles: { p50: number | null; p95: number | null };
}

function describeSlo(r: SloShape | undefined): string {
  if (!r) return "no report";
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? "n/a" : `${(v * 100).toFixed(3)}%`);
  const e = r.availability.events;
  return `availability ${pct(r.availability.sli.excluded.value)} (no data as bad: ${pct(r.availability.sli.noDataAsBad.value)}; good ${int(e.good)}, bad ${int(e.bad)}, no data ${int(e.noData)}), latency SLI ${pct(r.latency?.sli.excluded.value)}, p50 ${fixed(r.percentiles.p50 ?? Number.NaN, 0)} ms, p95 ${fixed(r.percentiles.p95 ?? Number.NaN, 0)} ms`;
}

await main();
