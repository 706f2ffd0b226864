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
 * `meta.duration`) of every statement a route runs, with the names of the RunStore methods it
 * called. No timing is taken from the replay.
 *
 * Why the seed goes straight into the SQLite file: 100 x 5 x 90 x 24 is over a million hourly
 * rows; written with node:sqlite before any workerd opens the file it takes seconds, where
 * `wrangler d1 execute --file` or D1 batches of 12-row INSERTs would take minutes. The rows are
 * the same either way, and the D1 binding reads them back (the seeded row counts are printed).
 *
 *   npm run bench:api                                  100 probes, 90 days, 3 warm-up, 30 timed
 *   npm run bench:api -- --probes 20 --days 35 --requests 10
 */
import { get as httpGet } from "node:http";
import type { AppDeps } from "../../src/api/app-env.ts";
import { loadSloReports } from "../../src/queries/slo.ts";
import { loadPublicOverview } from "../../src/api/statuspage/routes.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import type { RunStore } from "../../src/storage/run-store.ts";
import { countingDb, newTally, type Tally } from "./d1-count.ts";
import {
  benchFlags,
  fixed,
  formatTable,
  int,
  progressLogger,
  quantile,
  roundRobin,
  warmUp,
  withTimeout,
  type HttpSample,
} from "./measure.ts";
import { HISTORY_SLO, HISTORY_STEP, historyProbeSource, prepareSeededProject, seedHistory } from "./seed-history.ts";
import { BENCH_REGIONS as REGIONS, NetworkLog, openLocalD1, TempRun, writeD1OnlyConfig } from "./temp-project.ts";

const GROUPS = 10;
const STEP = HISTORY_STEP;
const SLO = HISTORY_SLO;
const MINUTE_MS = 60_000;
/** Raw runs seeded before the tick's minute: the SLO route reads the last 30 minutes. */
const RAW_MINUTES = 30;
const TICK_TIMEOUT_MS = 120_000;
const TICK_LINE_WAIT_MS = 15_000;
const REQUEST_TIMEOUT_MS = 60_000;

const {
  probes: PROBES,
  days: DAYS,
  warmup: WARMUP,
  requests: REQUESTS,
  seed: SEED,
  verbose: VERBOSE,
} = benchFlags({ probes: 100, days: 90, warmup: 3, requests: 30, seed: 42 });
if (DAYS < 31) throw new Error("--days: at least 31 (the 30-day window reads 31 daily rows per pair)");

const progress = progressLogger();

// ---------------------------------------------------------------- 1. the project

function probeId(i: number): string {
  return `api-${String(i).padStart(5, "0")}`;
}

function probeSource(i: number): string {
  return historyProbeSource({ id: probeId(i), name: `API bench probe ${i}`, group: `Group ${((i - 1) % GROUPS) + 1}` });
}

// ---------------------------------------------------------------- 2. the seed

/**
 * D days of hourly and daily rollups per (probe, region), up to (not including) the minute
 * `tickSlot`, and the raw runs of the RAW_MINUTES minutes before it (the tick's own minute comes
 * from the Worker), into the D1 file: see seed-history.ts. A raw run's detail is one passed (or
 * timed-out) GET of the health step.
 */
function seedDatabase(file: string, probeIds: readonly string[], tickSlot: number) {
  return seedHistory(file, {
    probeIds,
    days: DAYS,
    nowSlot: tickSlot,
    seed: SEED,
    raw: {
      minutes: RAW_MINUTES,
      lastSlot: tickSlot - MINUTE_MS,
      downChance: 0.0004,
      detail: (isDown, ms) =>
        JSON.stringify({
          steps: [
            {
              name: STEP,
              kind: "http",
              status: isDown ? "failed" : "passed",
              ttfbMs: ms - 2,
              totalMs: ms,
              exchanges: [
                {
                  method: "GET",
                  url: "http://127.0.0.1/health",
                  ...(isDown ? {} : { status: 200 }),
                  ttfbMs: ms - 2,
                  totalMs: ms,
                },
              ],
              assertions: [{ label: "status", passed: !isDown, expected: "200", actual: isDown ? "timeout" : "200" }],
            },
          ],
        }),
    },
  });
}

// ---------------------------------------------------------------- 3. HTTP

interface Endpoint {
  label: string;
  path: string;
  baseline?: boolean;
}

interface Sample extends HttpSample {
  encoding: string | null;
}

async function request(url: string): Promise<Sample> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await res.arrayBuffer();
    return {
      ms: performance.now() - t0,
      status: res.status,
      bytes: body.byteLength,
      encoding: res.headers.get("content-encoding"),
    };
  } catch (error) {
    return { ms: performance.now() - t0, status: 0, bytes: 0, encoding: null, error: String(error) };
  }
}

/** The body's size on the wire (not decoded), with the encoding a browser would accept. */
function wireBytes(url: string): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      url,
      { headers: { "accept-encoding": "br, gzip, deflate" }, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ bytes, encoding: String(res.headers["content-encoding"] ?? "identity") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

// ---------------------------------------------------------------- 4. D1 rows read (replay)

/**
 * A D1RunStore on a counting database, which notes the names of the methods called: reads that
 * one method builds (rollupsRead, listRunsRead) run in another's batch (read), so they are
 * counted together.
 */
function tallyingStore(db: D1Database, tally: Tally, calls: Set<string>): RunStore {
  return new Proxy(new D1RunStore(countingDb(db, tally)), {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value === "function" && typeof prop === "string") calls.add(prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

interface Replay {
  tally: Tally;
  calls: Set<string>;
  /** What the route code itself reports, when it does (loadSloReports: rollups only). */
  reported?: number;
  note?: string;
}

async function replay(db: D1Database, probes: readonly LoadedProbe[], endpoint: Endpoint): Promise<Replay> {
  const tally = newTally();
  const calls = new Set<string>();
  const deps = { probes, store: tallyingStore(db, tally, calls), now: Date.now } as unknown as AppDeps;
  if (endpoint.baseline) return { tally, calls, note: "no D1 access" };
  if (endpoint.path.startsWith("/api/v1/slo")) {
    // As src/api/routes/slo.ts: the probes filtered by ?probe, the query's budgeting default.
    const one = new URL(endpoint.path, "http://x").searchParams.get("probe");
    const selected = probes.filter((p) => one === null || p.probe.id === one);
    const loaded = await loadSloReports(deps, {
      probes: selected,
      region: undefined,
      window: undefined,
      budgeting: "occurrences",
    });
    return { tally, calls, reported: loaded.rowsRead };
  }
  if (endpoint.path === "/api/v2/summary.json") {
    await loadPublicOverview(deps);
    return { tally, calls };
  }
  throw new Error(`no replay for ${endpoint.path}`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const networkLog = new NetworkLog(VERBOSE);
  const run = new TempRun("afterlife-bench-api-", networkLog);
  const { temp, root, persistTo } = run;
  await run.run(async () => {
    const seeding = `${DAYS} days of hourly and daily rollups and ${RAW_MINUTES} minutes of raw runs for ${PROBES * REGIONS.length} pairs`;
    const {
      probes,
      nowSlot: tickSlot,
      seed,
    } = await prepareSeededProject(run, progress, { count: PROBES, probeId, probeSource }, seeding, seedDatabase);

    progress("starting the local network (demo shop, wrangler dev building the project)");
    const setupStart = performance.now();
    const network = await run.startNetwork(29887);
    const setupS = (performance.now() - setupStart) / 1000;

    progress(`firing one tick for ${new Date(tickSlot).toISOString()} (the newest raw run of every pair)`);
    const tickStart = performance.now();
    await withTimeout(network.fireTick(tickSlot), TICK_TIMEOUT_MS, "the tick");
    const tickS = (performance.now() - tickStart) / 1000;
    const tick = await networkLog.waitForTick(tickSlot, TICK_LINE_WAIT_MS);
    progress(
      `  ${fixed(tickS, 1)} s: ${tick ? `planned ${tick.planned}, completed ${tick.completed}, stored ${tick.stored}` : "no tick line"}`,
    );

    const one = probeId(1);
    const endpoints: Endpoint[] = [
      { label: `/api/v1/slo (${PROBES} probes, 30d)`, path: "/api/v1/slo" },
      { label: `/api/v1/slo?probe=${one}`, path: `/api/v1/slo?probe=${one}` },
      { label: "/api/v2/summary.json", path: "/api/v2/summary.json" },
      { label: "/api/openapi.json (static)", path: "/api/openapi.json", baseline: true },
    ];
    const workerUrl = network.workerUrl;
    const send = (e: Endpoint) => request(workerUrl + e.path);
    progress(`warm-up: ${WARMUP} request(s) per endpoint`);
    const warm = new Map<Endpoint, Sample>();
    await warmUp(endpoints, WARMUP, send, (e, s) => warm.set(e, s));
    for (const [e, s] of warm) if (s.status !== 200) progress(`  warm-up ${e.path}: ${s.status} ${s.error ?? ""}`);

    progress(`timed: ${REQUESTS} rounds of ${endpoints.length} sequential requests`);
    const httpStart = performance.now();
    const samples = await roundRobin(endpoints, REQUESTS, send);
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
    await run.stopNetwork();

    progress("replaying each route's store calls on the same D1 through getPlatformProxy");
    const d1 = await openLocalD1(writeD1OnlyConfig(root, temp, "afterlife-api-bench-d1"), persistTo);
    const replays = new Map<Endpoint, Replay>();
    let counts: { hourly: number; daily: number; runs: number } | null;
    try {
      counts = await d1.db
        .prepare(
          `SELECT (SELECT count(*) FROM rollups_hourly) AS hourly, (SELECT count(*) FROM rollups_daily) AS daily, (SELECT sum(length(replace(minutes, '.', '')) / 7) FROM run_blocks) AS runs`,
        )
        .first<{ hourly: number; daily: number; runs: number }>();
      for (const e of endpoints) replays.set(e, await replay(d1.db, probes, e));
    } finally {
      await d1.dispose();
    }

    // ------------------------------------------------------------ report
    const pairs = PROBES * REGIONS.length;
    console.log(
      `\nAPI benchmark: ${PROBES} probes x ${REGIONS.length} regions (${REGIONS.join(", ")}) = ${pairs} pairs, schedule 1m,`,
    );
    console.log(
      `SLO availability ${SLO.availability}, latency ${SLO.latency.percent} under ${SLO.latency.underMs} ms, window ${SLO.window}; wrangler dev on 127.0.0.1 (setup ${fixed(setupS, 1)} s).`,
    );
    console.log(
      `Seeded: ${DAYS} days of rollups, ${int(seed.hourly)} hourly + ${int(seed.daily)} daily rows (${int(seed.runsInRollups)} runs: ${int(seed.downs)} down, ${int(seed.degraded)} degraded; latency JSON ${fixed(seed.avgLatencyJsonBytes, 0)} B/hourly row), ${int(seed.raw)} raw runs (last ${RAW_MINUTES} min), in ${fixed(seed.ms / 1000, 1)} s.`,
    );
    console.log(
      `Read back through the D1 binding: ${counts ? `${int(counts.hourly)} hourly, ${int(counts.daily)} daily, ${int(counts.runs)} runs` : "n/a"}.`,
    );
    console.log(
      `Tick ${new Date(tickSlot).toISOString().slice(11, 16)} UTC: ${tick ? `planned ${tick.planned}, completed ${tick.completed}, stored ${tick.stored}` : "no tick line seen"}, ${fixed(tickS, 1)} s.`,
    );

    const baseline = endpoints.find((e) => e.baseline)!;
    const okMs = (e: Endpoint) =>
      samples
        .get(e)!
        .filter((s) => s.status === 200)
        .map((s) => s.ms);
    const baseP50 = quantile(okMs(baseline), 0.5);
    const baseBytes = quantile(
      samples
        .get(baseline)!
        .filter((s) => s.status === 200)
        .map((s) => s.bytes),
      0.5,
    );
    console.log(
      `\n1. Latency, ${WARMUP} warm-up + ${REQUESTS} timed sequential requests each (round-robin, ${fixed(httpS, 1)} s), time to the last body byte\n`,
    );
    console.log(
      formatTable(
        [
          "endpoint",
          "ok",
          "errors",
          "429",
          "p50 ms",
          "p99 ms",
          "max ms",
          "JSON bytes",
          "wire bytes",
          "bytes/static",
          "p50/static",
        ],
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
    console.log(
      `   (p99 of ${REQUESTS} samples is the ${Math.ceil(0.99 * REQUESTS)}th smallest. JSON bytes: the decoded body of the timed responses ("~": it varied, median shown);`,
    );
    console.log(
      `    the timed responses came with content-encoding ${[...new Set([...samples.values()].flat().map((s) => s.encoding ?? "identity"))].join(", ")} (wrangler dev compresses; fetch decodes), wire bytes: one extra request, not decoded. bytes/static on JSON bytes)`,
    );
    for (const e of endpoints) {
      const failed = samples.get(e)!.filter((s) => s.status !== 200);
      if (failed.length)
        console.log(`   ${e.path}: ${failed.length} failed, first: ${failed[0]!.status} ${failed[0]!.error ?? ""}`);
    }

    console.log(
      `\n2. D1 per request (replayed route code on the same D1, through getPlatformProxy: meta.rows_read and meta.duration per statement)\n`,
    );
    const rows: string[][] = [];
    for (const e of endpoints) {
      const r = replays.get(e)!;
      const t = r.tally;
      rows.push([
        e.label,
        r.calls.size ? [...r.calls].join(" + ") : (r.note ?? "-"),
        int(t.batches),
        int(t.statements),
        int(t.rowsReturned),
        int(t.rowsRead),
        fixed(t.sqlMs, 1),
      ]);
    }
    console.log(
      formatTable(
        ["endpoint", "store calls", "batches", "statements", "rows returned", "rows read", "D1 SQL ms"],
        rows,
      ),
    );
    for (const e of endpoints) {
      const r = replays.get(e)!;
      if (r.reported !== undefined)
        console.log(`   ${e.path}: of which rollups (as loadSloReports reports them): ${int(r.reported)} rows read`);
      const uncounted = r.tally.uncounted;
      if (uncounted)
        console.log(
          `   ${e.path}: ${uncounted} statement call(s) without meta (first/raw): counted as statements, their rows not counted`,
        );
    }

    console.log(`\n3. Sanity (one response of each, after the timed requests)\n`);
    const all = bodies.get(endpoints[0]!) as { reports?: SloShape[] } | string;
    const single = bodies.get(endpoints[1]!) as { reports?: SloShape[] } | string;
    const summary = bodies.get(endpoints[2]!) as { status?: { indicator: string }; components?: unknown[] } | string;
    const openapi = bodies.get(baseline) as { paths?: Record<string, unknown> } | string;
    console.log(
      `   /api/v1/slo: ${typeof all === "string" ? all : `${all.reports?.length} reports`}; ${one}: ${typeof single === "string" ? single : describeSlo(single.reports?.[0])}`,
    );
    console.log(
      `   /api/v2/summary.json: ${typeof summary === "string" ? summary : `indicator ${summary.status?.indicator}, ${summary.components?.length} components`}`,
    );
    console.log(
      `   /api/openapi.json: ${typeof openapi === "string" ? openapi : `${Object.keys(openapi.paths ?? {}).length} paths`}`,
    );
    progress("done");
  });
}

interface SloShape {
  availability: {
    events: { good: number; bad: number; noData: number };
    sli: { excluded: { value: number | null }; noDataAsBad: { value: number | null } };
  };
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
