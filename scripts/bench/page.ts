/**
 * Status page benchmark: is the page fast under an incident's traffic spike, and what does a
 * render cost in D1?
 *
 * A temporary copy of the project gets a generated probes/ folder of N probes (default 50) x 5
 * regions in 10 groups, schedule 1m. Before the Worker starts, its local D1 is seeded with D
 * days (default 90) of hourly and daily rollups for every (probe, region) -- 60 runs an hour, a
 * few down runs, latencies around 100-300 ms, the daily rows being the sums of the hourly ones
 * -- and the raw runs of the last 30 minutes (the newest run of every pair, and what the SLO
 * panel reads). The copy then runs under `wrangler dev` (startLocalNetwork, no cron driver).
 *
 * Measured in one run, from this Node process over 127.0.0.1, for
 *
 *   GET /                      the status page, uncached: no validator is sent, and every
 *                              render is fresh (the Worker caches nothing; each response
 *                              carries its own CSP nonce)
 *   GET /probes/{id}           one component's page (chart, regions, SLO panel, failures)
 *   GET /assets/status.css     baseline: a static asset of the same Worker (a constant string)
 *   GET /api/openapi.json      baseline: a larger static response (built once per isolate)
 *
 * two ways:
 *
 *   1. sequential: W warm-up requests each, then R rounds visiting the URLs in turn (so drift
 *      hits them alike); time to the last body byte.
 *   2. under load: a closed-loop HTTP load generator (node:http, keep-alive) with C concurrent
 *      clients, P rounds of T seconds per URL, the URLs taking turns; p50 / p99 / max, errors
 *      (non-200 or failed requests) and requests per second. Bounded: every phase stops at its
 *      deadline and every request has a timeout.
 *
 * and the ratio of each p50 to the static asset's. D1 per render: the Worker does not report
 * it, so after the network has stopped the same loader code (loadStatusPage / loadProbePage
 * from src/page/load-page.ts) is replayed in this process against the same persisted database
 * through getPlatformProxy, with a D1 binding wrapped to count batches, statements, rows
 * returned and `meta.rows_read`. No timing is taken from the replay.
 *
 * Everything stays on 127.0.0.1. The network is always stopped and the temp dir removed.
 *
 *   npm run bench:page                                   50 probes, 90 days, 8 clients, 3 x 5 s per URL
 *   npm run bench:page -- --probes 20 --concurrency 16 --seconds 3 --rounds 2
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import type { AppDeps } from "../../src/api/app-env.ts";
import { loadProbePage, loadStatusPage } from "../../src/page/load-page.ts";
import { parsePageConfig } from "../../src/page/page-config.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { bucketIndex, BUCKET_COUNT, emptyHistogram, encodeHistogram } from "../../src/slo/latency-histogram.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
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
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const RAW_MINUTES = 30;
const REQUEST_TIMEOUT_MS = 30_000;
const WRANGLER = join(PROJECT_ROOT, "node_modules", ".bin", "wrangler");

const { values: args } = parseArgs({
  options: {
    probes: { type: "string", default: "50" },
    days: { type: "string", default: "90" },
    warmup: { type: "string", default: "5" },
    requests: { type: "string", default: "30" },
    concurrency: { type: "string", default: "8" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    seed: { type: "string", default: "7" },
    verbose: { type: "boolean", default: false },
  },
});
const PROBES = positiveInt("--probes", args.probes);
const DAYS = positiveInt("--days", args.days);
const WARMUP = positiveInt("--warmup", args.warmup);
const REQUESTS = positiveInt("--requests", args.requests);
const CONCURRENCY = positiveInt("--concurrency", args.concurrency);
const SECONDS = positiveInt("--seconds", args.seconds);
const ROUNDS = positiveInt("--rounds", args.rounds);
const SEED = positiveInt("--seed", args.seed);

const progress = progressLogger();

// ---------------------------------------------------------------- 1. the project

const probeId = (i: number) => `page-${String(i).padStart(4, "0")}`;

function probeSource(i: number): string {
  return probeModuleSource({
    id: probeId(i),
    name: `Bench journey ${i}`,
    description: `Synthetic journey ${i} of the page benchmark.`,
    group: `Capability ${((i - 1) % GROUPS) + 1}`,
    schedule: "1m",
    regions: REGIONS,
    degradedAfterMs: 1000,
    slo: { availability: 0.999, latency: { percent: 0.95, underMs: 512 }, window: "30d" },
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
  ms: number;
}

/**
 * D days of hourly and daily rollups per (probe, region) up to the minute `nowSlot`, and the
 * raw runs of the last RAW_MINUTES minutes (including `nowSlot` itself), straight into the D1
 * SQLite file before any workerd opens it (a million rows through D1 batches would take
 * minutes). Per hour: 60 runs, about 1 hour in 500 misses one; about 2 % of hours have one down
 * run and 0.2 % an incident of 2-10; one probe in ten has a day without any data.
 */
function seedDatabase(file: string, probeIds: readonly string[], nowSlot: number): SeedFigures {
  const t0 = performance.now();
  const random = prng(SEED);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const firstDay = Math.floor(nowSlot / DAY_MS) * DAY_MS - (DAYS - 1) * DAY_MS;
  const db = new DatabaseSync(file);
  try {
    const insert = (table: string, column: string) =>
      db.prepare(`INSERT INTO ${table} (probe_id, region, ${column}, total, up, degraded, down, latency, step_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const insertHourly = insert("rollups_hourly", "hour_at");
    const insertDaily = insert("rollups_daily", "day_at");
    const insertRun = db.prepare(`INSERT INTO runs (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms,
      failure_class, failure_step, failure_message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const figures: SeedFigures = { hourly: 0, daily: 0, raw: 0, ms: 0 };
    db.exec("BEGIN");
    probeIds.forEach((id, p) => {
      const gapDay = p % 10 === 3 ? firstDay + Math.floor(random() * (DAYS - 2)) * DAY_MS : -1;
      for (const region of REGIONS) {
        const base = 100 + 150 * random();
        const sample = () => Math.max(20, base * Math.exp(0.25 * normal()));
        for (let day = firstDay; day <= nowSlot; day += DAY_MS) {
          if (day === gapDay) continue;
          const dayHistogram = emptyHistogram();
          const counts = { total: 0, up: 0, degraded: 0, down: 0 };
          for (let hour = day; hour < day + DAY_MS && hour <= nowSlot; hour += HOUR_MS) {
            const expected = Math.min(60, (nowSlot - hour) / MINUTE_MS);
            if (expected <= 0) break;
            const total = expected - (random() < 0.002 ? 1 : 0);
            const r = random();
            const down = Math.min(total, r < 0.002 ? 2 + Math.floor(random() * 9) : r < 0.022 ? 1 : 0);
            const degraded = down < total && random() < 0.005 ? 1 : 0;
            const up = total - down - degraded;
            const histogram = emptyHistogram();
            for (let k = 0; k < up; k++) histogram[bucketIndex(sample())]! += 1;
            for (let k = 0; k < degraded; k++) histogram[bucketIndex(1000 + 1500 * random())]! += 1;
            insertHourly.run(id, region, hour, total, up, degraded, down, encodeHistogram(histogram), down ? JSON.stringify({ [STEP]: down }) : "{}");
            figures.hourly++;
            for (let b = 0; b < BUCKET_COUNT; b++) dayHistogram[b]! += histogram[b]!;
            counts.total += total;
            counts.up += up;
            counts.degraded += degraded;
            counts.down += down;
          }
          if (counts.total === 0) continue;
          insertDaily.run(id, region, day, counts.total, counts.up, counts.degraded, counts.down, encodeHistogram(dayHistogram), counts.down ? JSON.stringify({ [STEP]: counts.down }) : "{}");
          figures.daily++;
        }
        for (let m = RAW_MINUTES - 1; m >= 0; m--) {
          const slot = nowSlot - m * MINUTE_MS;
          const isDown = random() < 0.002;
          const ms = Math.round(isDown ? 10_000 : sample());
          insertRun.run(id, region, slot, "seed", region, isDown ? "down" : "up", slot + 150, ms, isDown ? "timeout" : null, isDown ? STEP : null, isDown ? "step timed out after 10000 ms" : null, "{\"steps\":[]}");
          figures.raw++;
        }
      }
    });
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    figures.ms = performance.now() - t0;
    return figures;
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- 3. the load generator

interface Sample {
  ms: number;
  status: number;
  bytes: number;
  error?: string;
}

function get(url: string, agent: Agent): Promise<Sample> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let bytes = 0;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, bytes }));
      res.on("error", (error) => resolve({ ms: performance.now() - t0, status: 0, bytes, error: String(error) }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", (error) => resolve({ ms: performance.now() - t0, status: 0, bytes: 0, error: String(error) }));
    req.end();
  });
}

/** C clients, each sending its next request when the last one ended, until the deadline. */
async function closedLoop(url: string, agent: Agent, clients: number, seconds: number): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) samples.push(await get(url, agent));
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

// ---------------------------------------------------------------- 4. D1 per render (replay)

interface Tally {
  batches: number;
  statements: number;
  rowsReturned: number;
  rowsRead: number;
}

/** A D1Database that adds up every batch and statement it runs into `tally`. */
function countingDb(db: D1Database, tally: Tally): D1Database {
  const count = (result: D1Result) => {
    tally.statements++;
    tally.rowsRead += result.meta.rows_read ?? 0;
    tally.rowsReturned += result.results?.length ?? 0;
  };
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") return (...values: unknown[]) => wrap(target.bind(...values));
        if (prop === "all" || prop === "run") {
          return async () => {
            const result = (await target[prop]()) as D1Result;
            tally.batches++;
            count(result);
            return result;
          };
        }
        if (prop === "first" || prop === "raw") throw new Error(`the replay counts only all/run/batch, not ${prop}`);
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
          for (const o of outcomes) count(o);
          return outcomes;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function replay(db: D1Database, probes: readonly LoadedProbe[], page: "status" | "probe"): Promise<Tally> {
  const tally: Tally = { batches: 0, statements: 0, rowsReturned: 0, rowsRead: 0 };
  const deps = {
    config: { environment: "local", plan: "paid", rawRetentionDays: 14, allowPrivateTargets: true, values: {} },
    probes,
    store: new D1RunStore(countingDb(db, tally)),
    now: Date.now,
  } as unknown as AppDeps;
  const config = parsePageConfig({});
  if (page === "status") await loadStatusPage(deps, config);
  else await loadProbePage(deps, config, probes[0]!.probe.id, "24h");
  return tally;
}

// ---------------------------------------------------------------- main

interface Target {
  label: string;
  path: string;
  baseline?: boolean;
}

function summarize(samples: readonly Sample[]) {
  const ok = samples.filter((s) => s.status === 200);
  const ms = ok.map((s) => s.ms);
  return {
    ok: ok.length,
    errors: samples.length - ok.length,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    max: ms.length ? Math.max(...ms) : Number.NaN,
    bytes: quantile(ok.map((s) => s.bytes), 0.5),
    firstError: samples.find((s) => s.status !== 200),
  };
}

async function main(): Promise<void> {
  const temp = mkdtempSync(join(tmpdir(), "afterlife-bench-page-"));
  const root = join(temp, "project");
  const persistTo = join(temp, "state");
  const recent: string[] = [];
  const log = (line: string) => {
    if (args.verbose) console.error(line);
    recent.push(line);
    if (recent.length > 60) recent.shift();
  };
  let network: LocalNetwork | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    progress(`copying the project and writing ${PROBES} probes to ${root}`);
    makeTempProject(root, new Map(Array.from({ length: PROBES }, (_, k) => [`${probeId(k + 1)}.ts`, probeSource(k + 1)])));
    const probes = await loadProjectProbes(root);

    progress("applying the D1 migrations to the temporary local database");
    await runToCompletion(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], { cwd: root, env: { ...OFFLINE_ENV, CI: "true" } });

    const nowSlot = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    progress(`seeding ${DAYS} days of rollups and ${RAW_MINUTES} minutes of raw runs for ${PROBES * REGIONS.length} pairs`);
    const seed = seedDatabase(d1File(persistTo), probes.map((p) => p.probe.id), nowSlot);
    progress(`  ${int(seed.hourly)} hourly + ${int(seed.daily)} daily rollups, ${int(seed.raw)} raw runs in ${fixed(seed.ms / 1000, 1)} s`);

    progress("starting the local network (demo shop, wrangler dev building the project)");
    const workerPort = await freePort(29987);
    const shopPort = await freePort(Math.max(29990, workerPort + 1));
    network = await startLocalNetwork({ root, persistTo, cronDriver: false, workerPort, shopPort, vars: { AFTERLIFE_PLAN: "paid" }, log });
    const base = network.workerUrl;

    const targets: Target[] = [
      { label: `/ (${PROBES} probes, uncached)`, path: "/" },
      { label: `/probes/${probeId(1)}`, path: `/probes/${probeId(1)}` },
      { label: "/assets/status.css (static)", path: "/assets/status.css", baseline: true },
      { label: "/api/openapi.json (static)", path: "/api/openapi.json" },
    ];
    const baseline = targets.find((t) => t.baseline)!;

    progress(`warm-up: ${WARMUP} request(s) per URL`);
    for (const t of targets) {
      for (let k = 0; k < WARMUP; k++) {
        const s = await get(base + t.path, agent);
        if (s.status !== 200) throw new Error(`warm-up ${t.path}: ${s.status} ${s.error ?? ""}`);
      }
    }

    progress(`sequential: ${REQUESTS} rounds of ${targets.length} requests`);
    const sequential = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
    for (let round = 0; round < REQUESTS; round++) for (const t of targets) sequential.get(t)!.push(await get(base + t.path, agent));

    progress(`under load: ${CONCURRENCY} clients, ${ROUNDS} round(s) of ${SECONDS} s per URL`);
    const loaded = new Map<Target, { samples: Sample[]; wallMs: number }>(targets.map((t) => [t, { samples: [], wallMs: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const { samples, wallMs } = await withTimeout(closedLoop(base + t.path, agent, CONCURRENCY, SECONDS), SECONDS * 1000 + REQUEST_TIMEOUT_MS + 5000, `load on ${t.path}`);
        const acc = loaded.get(t)!;
        acc.samples.push(...samples);
        acc.wallMs += wallMs;
      }
    }

    // What the page said, to check it is the page we think (outside the timings).
    const body = await (await fetch(base + "/")).text();
    const segments = (body.match(/<li class="d-/g) ?? []).length;
    const banner = /id="overall">([^<]*)</.exec(body)?.[1] ?? "?";

    progress("stopping the local network");
    await network.stop();
    network = undefined;

    progress("replaying the page loaders on the same D1 through getPlatformProxy");
    const d1 = await openLocalD1(writeD1OnlyConfig(root, temp, "afterlife-page-bench-d1"), persistTo);
    let statusTally: Tally;
    let probeTally: Tally;
    try {
      statusTally = await replay(d1.db, probes, "status");
      probeTally = await replay(d1.db, probes, "probe");
    } finally {
      await d1.dispose();
    }

    // ------------------------------------------------------------ report
    const pairs = PROBES * REGIONS.length;
    console.log(`\nStatus page benchmark: ${PROBES} probes x ${REGIONS.length} regions = ${pairs} pairs in ${GROUPS} groups, ${DAYS} days of rollups`);
    console.log(`(${int(seed.hourly)} hourly + ${int(seed.daily)} daily rows, ${int(seed.raw)} raw runs); wrangler dev on 127.0.0.1; Node ${process.version}.`);
    console.log(`The page rendered ${int(segments)} day segments; banner: "${banner}".`);

    const table = (samplesOf: (t: Target) => Sample[], extra?: (t: Target) => string[]) => {
      const baseP50 = summarize(samplesOf(baseline)).p50;
      const baseBytes = summarize(samplesOf(baseline)).bytes;
      return formatTable(
        ["URL", "ok", "errors", "p50 ms", "p99 ms", "max ms", "bytes", "bytes/css", "p50/css", ...(extra ? ["req/s"] : [])],
        targets.map((t) => {
          const s = summarize(samplesOf(t));
          return [t.label, int(s.ok), int(s.errors), fixed(s.p50, 2), fixed(s.p99, 2), fixed(s.max, 1), int(s.bytes), fixed(s.bytes / baseBytes, 1), fixed(s.p50 / baseP50, 2), ...(extra ? extra(t) : [])];
        }),
      );
    };
    console.log(`\n1. Sequential: ${WARMUP} warm-up + ${REQUESTS} timed requests per URL (round-robin), time to the last body byte\n`);
    console.log(table((t) => sequential.get(t)!));
    console.log(`\n2. Under load: ${CONCURRENCY} concurrent keep-alive clients, ${ROUNDS} x ${SECONDS} s per URL (URLs take turns)\n`);
    console.log(table((t) => loaded.get(t)!.samples, (t) => [fixed(loaded.get(t)!.samples.length / (loaded.get(t)!.wallMs / 1000), 0)]));
    for (const t of targets) {
      const first = summarize([...sequential.get(t)!, ...loaded.get(t)!.samples]).firstError;
      if (first) console.log(`   ${t.path}: first error ${first.status} ${first.error ?? ""}`);
    }

    console.log(`\n3. D1 per render (the loaders replayed on the same database: batches, statements, rows)\n`);
    console.log(
      formatTable(
        ["page", "batches", "statements", "rows returned", "rows read"],
        [
          ["/", int(statusTally.batches), int(statusTally.statements), int(statusTally.rowsReturned), int(statusTally.rowsRead)],
          [`/probes/${probeId(1)}`, int(probeTally.batches), int(probeTally.statements), int(probeTally.rowsReturned), int(probeTally.rowsRead)],
        ],
      ),
    );
    console.log(`   (a statement per (probe, region) for the newest runs, one per probe for the daily rollups; the count of batches does not grow with the history)`);
    const seqPage = summarize(sequential.get(targets[0]!)!).p50 / summarize(sequential.get(baseline)!).p50;
    const loadPage = summarize(loaded.get(targets[0]!)!.samples).p50 / summarize(loaded.get(baseline)!.samples).p50;
    const errors = targets.reduce((n, t) => n + summarize([...sequential.get(t)!, ...loaded.get(t)!.samples]).errors, 0);
    console.log(`\nTarget: zero errors (${errors === 0 ? "met" : `${errors} errors`}); uncached render p50 within 3x the static asset: sequential ${fixed(seqPage, 2)}x, under load ${fixed(loadPage, 2)}x.`);
    progress("done");
  } catch (error) {
    if (recent.length) console.error(`last lines of the local network:\n${recent.join("\n")}`);
    throw error;
  } finally {
    agent.destroy();
    if (network) await network.stop().catch(() => {});
    if (existsSync(temp)) rmSync(temp, { recursive: true, force: true });
  }
}

await main();
