/**
 * Status page benchmark: does the page hold an outage's crowd, how big is it, and what does a
 * render cost in D1?
 *
 * A temporary copy of the project gets a generated probes/ folder of N probes (default 50) x 5
 * regions in 10 groups, schedule 1m. Before the Worker starts, its local D1 is seeded with D
 * days (default 90) of hourly and daily rollups for every (probe, region) -- 60 runs an hour, a
 * few down runs, latencies around 100-300 ms, the daily rows being the sums of the hourly ones
 * -- and the raw runs of the last 30 minutes in their run blocks. Then the production tick step
 * refreshDayHistory builds every probe's day history (closed days, regions merged) on that
 * database through getPlatformProxy, as the cron would have; its D1 cost is reported. The copy
 * then runs under `wrangler dev` (startLocalNetwork, no cron driver) with the edge cache on, as
 * deployed (PUBLIC_CACHE_SECONDS=60).
 *
 * Measured in one run, from this Node process over 127.0.0.1, with C concurrent keep-alive
 * clients (default 10; closed loop: each sends its next request when the last one ended), P
 * rounds (default 3) of T seconds (default 5) per URL, the URLs taking turns:
 *
 *   GET /                        cached: the edge cache's copy (the Workers Cache API of the
 *                                local runtime), rendered once a minute, stale while revalidating
 *   GET / + If-None-Match        the same, revalidated by a browser: a 304 from the copy
 *   GET / + x-bench-cache: off   the uncached render: the same request handed to the real Worker
 *                                with PUBLIC_CACHE_SECONDS=0, so every request reads D1 and renders
 *   GET /probes/{id} + x-bench-cache: off  a probe's page, uncached, for reference
 *   GET /_bench/static           the baseline: the bytes of the status page itself, captured after
 *                                the warm-up and answered from memory by the same Worker
 *   GET /_bench/static?d1=1      the same bytes after one trivial D1 statement (SELECT 1): what
 *                                any answer that reads D1 costs at least, the floor of a render
 *
 * /_bench/static and the header are handled by a small entry module written by this script into
 * the copy only (its wrangler.toml points `main` at it); everything goes on to src/index.ts.
 *
 * Reported: req/s (the median of the rounds), p50 / p99 / max over every request, errors, and
 * the ratios of cached to static throughput and of
 * the uncached p50 to the static one; the page's bytes, raw and gzip, with 90 days of history
 * and with 7 (after the load: the daily rollups older than 7 days deleted, the day histories
 * rebuilt, the Worker started again and / fetched uncached). D1 per render: the Worker does not
 * report it, so after the network has stopped the same loader code (loadStatusPage /
 * loadProbePage from src/queries/page.ts) is replayed in this process against the same
 * persisted database through getPlatformProxy, with a D1 binding wrapped to count batches,
 * statements, rows returned and `meta.rows_read`: once as served, and once more for the status
 * page with the day histories deleted (the first render after a deploy, before a tick built
 * them). No timing is taken from the replay. The last line is one JSON object.
 *
 * Everything stays on 127.0.0.1. The network is always stopped and the temp dir removed.
 *
 *   npm run bench:page                                   50 probes, 90 days, 10 clients, 3 x 5 s per URL
 *   npm run bench:page -- --probes 20 --concurrency 16 --seconds 3 --rounds 2
 */
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import type { AppDeps } from "../../src/api/app-env.ts";
import { loadProbePage, loadStatusPage, readStatusBoard } from "../../src/queries/page.ts";
import { boardRow } from "../../src/page/status-board.ts";
import { parsePageConfig } from "../../src/page/page-config.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import { D1DayHistoryStore } from "../../src/storage/day-history-store.ts";
import { HISTORIES_PER_TICK, refreshDayHistory, type RefreshReport } from "../../src/status/refresh-day-history.ts";
import { D1ReleaseStore } from "../../src/storage/release-store.ts";
import { D1IncidentStore } from "../../src/storage/incident-store.ts";
import { D1MaintenanceStore } from "../../src/storage/maintenance-store.ts";
import { countingDb, newTally, type Tally } from "./d1-count.ts";
import {
  benchFlags,
  fixed,
  formatTable,
  int,
  progressLogger,
  quantile,
  summarize,
  warmUp,
  withTimeout,
  type HttpSample as Sample,
} from "./measure.ts";
import { historyProbeSource, prepareSeededProject, seedHistory } from "./seed-history.ts";
import { BENCH_REGIONS as REGIONS, NetworkLog, openLocalD1, TempRun, writeD1OnlyConfig } from "./temp-project.ts";

const GROUPS = 10;
const RAW_MINUTES = 30;
const REQUEST_TIMEOUT_MS = 30_000;

const flags = benchFlags({ probes: 50, days: 90, warmup: 5, concurrency: 10, seconds: 5, rounds: 3, seed: 7 });
const {
  probes: PROBES,
  days: DAYS,
  warmup: WARMUP,
  concurrency: CONCURRENCY,
  seconds: SECONDS,
  rounds: ROUNDS,
  seed: SEED,
} = flags;
/** The shorter history whose page must be the same size (within 2 %). */
const SHORT_DAYS = 7;

const progress = progressLogger();

// ---------------------------------------------------------------- 1. the project

const probeId = (i: number) => `page-${String(i).padStart(4, "0")}`;

function probeSource(i: number): string {
  return historyProbeSource({
    id: probeId(i),
    name: `Bench journey ${i}`,
    description: `Synthetic journey ${i} of the page benchmark.`,
    group: `Capability ${((i - 1) % GROUPS) + 1}`,
  });
}

/**
 * The copy's entry module: /_bench/static answers whatever was last PUT there, from memory; a
 * request with `x-bench-cache: off` goes to the real Worker as it is, with the edge cache off
 * (every request renders); everything else goes to the real Worker as is. Only ever written
 * into the temporary copy.
 */
const BENCH_ENTRY = `import worker, { RegionRunner } from "./index.ts";
export { RegionRunner };
let body: string | null = null;
// One env object, as the runtime hands every request of an isolate the same one.
let uncachedEnv: Record<string, unknown> | undefined;
export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext) {
    if (request.headers.get("x-bench-cache") === "off") {
      uncachedEnv ??= { ...env, PUBLIC_CACHE_SECONDS: "0" };
      return worker.fetch(request as never, uncachedEnv as never, ctx);
    }
    const url = new URL(request.url);
    if (url.pathname !== "/_bench/static") return worker.fetch(request as never, env as never, ctx);
    if (request.method === "PUT") {
      body = await request.text();
      return new Response(null, { status: 204 });
    }
    if (body === null) return new Response("nothing was PUT yet", { status: 404 });
    if (url.searchParams.has("d1")) await (env.DB as D1Database).prepare("SELECT 1").all();
    return new Response(body, { headers: { "content-type": "text/html; charset=UTF-8" } });
  },
  scheduled: worker.scheduled,
};
`;

function useBenchEntry(root: string): void {
  writeFileSync(join(root, "src", "bench-entry.ts"), BENCH_ENTRY);
  const config = join(root, "wrangler.toml");
  const toml = readFileSync(config, "utf8");
  if (!toml.includes('main = "src/index.ts"')) throw new Error('wrangler.toml: expected main = "src/index.ts"');
  writeFileSync(config, toml.replace('main = "src/index.ts"', 'main = "src/bench-entry.ts"'));
}

// ---------------------------------------------------------------- 2. the seed

/**
 * D days of hourly and daily rollups per (probe, region) up to the minute `nowSlot`, and the
 * raw runs of the last RAW_MINUTES minutes (including `nowSlot` itself), straight into the D1
 * SQLite file before any workerd opens it (see seed-history.ts); one probe in ten has a day
 * without any data.
 */
function seedDatabase(file: string, probeIds: readonly string[], nowSlot: number) {
  return seedHistory(file, {
    probeIds,
    days: DAYS,
    nowSlot,
    seed: SEED,
    gapDays: true,
    raw: { minutes: RAW_MINUTES, lastSlot: nowSlot, downChance: 0.002, detail: () => '{"steps":[]}' },
  });
}

// ---------------------------------------------------------------- 3. the load generator

function get(url: string, agent: Agent, headers: Record<string, string> = {}): Promise<Sample> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent, timeout: REQUEST_TIMEOUT_MS, headers }, (res) => {
      let bytes = 0;
      const etag = res.headers.etag;
      res.on("data", (chunk: Buffer) => (bytes += chunk.length));
      res.on("end", () =>
        resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, bytes, ...(etag ? { etag } : {}) }),
      );
      res.on("error", (error) => resolve({ ms: performance.now() - t0, status: 0, bytes, error: String(error) }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", (error) => resolve({ ms: performance.now() - t0, status: 0, bytes: 0, error: String(error) }));
    req.end();
  });
}

/** C clients, each sending its next request when the last one ended, until the deadline. */
async function closedLoop(
  send: () => Promise<Sample>,
  clients: number,
  seconds: number,
): Promise<{ samples: Sample[]; wallMs: number }> {
  const samples: Sample[] = [];
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) samples.push(await send());
    }),
  );
  return { samples, wallMs: performance.now() - t0 };
}

// ---------------------------------------------------------------- 4. D1 per render (replay)

async function replay(db: D1Database, probes: readonly LoadedProbe[], page: "status" | "probe"): Promise<Tally> {
  const tally = newTally();
  const counted = countingDb(db, tally, { statementIsBatch: true, firstOrRaw: "throw", measureBytes: true });
  const deps = {
    config: {
      environment: "local",
      plan: "paid",
      rawRetentionDays: 14,
      publicCacheSeconds: 0,
      allowPrivateTargets: true,
      values: {},
    },
    probes,
    store: new D1RunStore(counted),
    dayHistory: new D1DayHistoryStore(counted),
    incidents: new D1IncidentStore(counted),
    maintenances: new D1MaintenanceStore(counted),
    releases: new D1ReleaseStore(counted),
    now: Date.now,
  } as unknown as AppDeps;
  const config = parsePageConfig({});
  if (page === "status") await loadStatusPage(deps, config);
  else await loadProbePage(deps, config, probes[0]!.probe.id, "24h");
  return tally;
}

/** The cron's status-board stage: the board a render reads, built and stored as the tick does, counted. */
async function buildStatusBoard(
  db: D1Database,
  probes: readonly LoadedProbe[],
): Promise<{ tally: Tally; ms: number; bytes: number }> {
  const tally = newTally();
  const counted = countingDb(db, tally, { statementIsBatch: true });
  const t0 = performance.now();
  const histories = new D1DayHistoryStore(counted);
  const row = boardRow(
    await readStatusBoard({ probes, runs: new D1RunStore(counted), dayHistory: histories }, Date.now()),
  );
  await histories.saveBoard(row);
  return { tally, ms: performance.now() - t0, bytes: row.board.length };
}

/** The cron's day-history step over every probe at once, counted; before any workerd serves the database. */
async function buildDayHistories(
  db: D1Database,
  probes: readonly LoadedProbe[],
): Promise<{ tally: Tally; report: RefreshReport; ms: number }> {
  const tally = newTally();
  const counted = countingDb(db, tally, { statementIsBatch: true });
  const t0 = performance.now();
  const report = await refreshDayHistory({
    probes,
    histories: new D1DayHistoryStore(counted),
    runs: new D1RunStore(counted),
    now: Date.now(),
    limit: probes.length,
  });
  return { tally, report, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- main

interface Target {
  key: "cached" | "revalidated" | "uncached" | "probe" | "floor" | "static";
  label: string;
  path: string;
  /** Sends If-None-Match with the page's newest ETag, as a reader's browser revalidating it. */
  revalidate?: boolean;
  headers?: Record<string, string>;
}

/** The page's bytes, raw and gzip (level 6, as servers compress by default). */
function sizeOf(html: string): { raw: number; gzip: number } {
  const bytes = Buffer.from(html, "utf8");
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 6 }).length };
}

/** The header that has the bench entry render a request with the edge cache off. */
const UNCACHED = { "x-bench-cache": "off" };

async function fetchText(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return res.text();
}

async function main(): Promise<void> {
  const run = new TempRun("afterlife-bench-page-", new NetworkLog(flags.verbose));
  const { temp, root, persistTo } = run;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await run.run(
    async () => {
      const seeding = `${DAYS} days of rollups and ${RAW_MINUTES} minutes of raw runs for ${PROBES * REGIONS.length} pairs`;
      const { probes, seed } = await prepareSeededProject(
        run,
        progress,
        { count: PROBES, probeId, probeSource },
        seeding,
        seedDatabase,
      );

      progress("building the day histories with the tick's refreshDayHistory (getPlatformProxy)");
      const d1Config = writeD1OnlyConfig(root, temp, "afterlife-page-bench-d1");
      const before = await openLocalD1(d1Config, persistTo);
      let built: Awaited<ReturnType<typeof buildDayHistories>>;
      let board: Awaited<ReturnType<typeof buildStatusBoard>>;
      try {
        built = await buildDayHistories(before.db, probes);
        board = await buildStatusBoard(before.db, probes);
      } finally {
        await before.dispose();
      }

      progress("starting the local network (demo shop, wrangler dev building the project), edge cache on");
      useBenchEntry(root);
      const cacheOn = { PUBLIC_CACHE_SECONDS: "60" };
      let base = (await run.startNetwork(29987, cacheOn)).workerUrl;

      // The baseline: the page's own bytes, as a static asset of the same Worker.
      const page90 = await fetchText(base + "/", UNCACHED);
      const put = await fetch(base + "/_bench/static", { method: "PUT", body: page90 });
      if (put.status !== 204) throw new Error(`PUT /_bench/static: ${put.status}`);

      const targets: Target[] = [
        { key: "cached", label: "/ cached (edge copy)", path: "/" },
        { key: "revalidated", label: "/ revalidated (304 from the copy)", path: "/", revalidate: true },
        { key: "uncached", label: `/ uncached render (${PROBES} probes)`, path: "/", headers: UNCACHED },
        { key: "probe", label: `/probes/${probeId(1)} uncached`, path: `/probes/${probeId(1)}`, headers: UNCACHED },
        { key: "floor", label: "static copy after SELECT 1 (D1 floor)", path: "/_bench/static?d1=1" },
        { key: "static", label: "static copy of / (baseline)", path: "/_bench/static" },
      ];
      const byKey = (key: Target["key"]) => targets.find((t) => t.key === key)!;

      progress(`warm-up: ${WARMUP} request(s) per URL`);
      let pageEtag = "";
      const send = async (t: Target) => {
        const sample = await get(base + t.path, agent, {
          ...t.headers,
          ...(t.revalidate && pageEtag ? { "if-none-match": pageEtag } : {}),
        });
        if (t.key === "cached" && sample.status === 200 && sample.etag) pageEtag = sample.etag;
        return sample;
      };
      const okStatuses = (t: Target) => (t.revalidate ? [200, 304] : [200]);
      await warmUp(targets, WARMUP, send, (t, s) => {
        if (!okStatuses(t).includes(s.status)) throw new Error(`warm-up ${t.path}: ${s.status} ${s.error ?? ""}`);
      });

      progress(`under load: ${CONCURRENCY} clients, ${ROUNDS} round(s) of ${SECONDS} s per URL`);
      const loaded = new Map<Target, { samples: Sample[]; wallMs: number; roundRps: number[] }>(
        targets.map((t) => [t, { samples: [], wallMs: 0, roundRps: [] }]),
      );
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of targets) {
          const { samples, wallMs } = await withTimeout(
            closedLoop(() => send(t), CONCURRENCY, SECONDS),
            SECONDS * 1000 + REQUEST_TIMEOUT_MS + 5000,
            `load on ${t.path}`,
          );
          const acc = loaded.get(t)!;
          acc.samples.push(...samples);
          acc.wallMs += wallMs;
          acc.roundRps.push(samples.length / (wallMs / 1000));
        }
      }

      // What the page said, to check it is the page we think (outside the timings).
      const cachedBody = await fetchText(base + "/");
      const strips = (page90.match(/<a class="strip"/g) ?? []).length;
      const days = (page90.match(/<[ibsu]><\/[ibsu]>/g) ?? []).length;
      const banner = /id="overall">([^<]*)</.exec(page90)?.[1] ?? "?";

      progress("stopping the local network");
      await run.stopNetwork();

      progress("replaying the page loaders on the same D1 through getPlatformProxy");
      const d1 = await openLocalD1(d1Config, persistTo);
      let statusTally: Tally;
      let probeTally: Tally;
      let coldTally: Tally;
      let boardlessTally: Tally;
      try {
        statusTally = await replay(d1.db, probes, "status");
        probeTally = await replay(d1.db, probes, "probe");
        await d1.db.prepare("DELETE FROM status_board").run();
        boardlessTally = await replay(d1.db, probes, "status");
        await d1.db.prepare("DELETE FROM day_history").run();
        coldTally = await replay(d1.db, probes, "status");
        progress(`keeping ${SHORT_DAYS} days of history: the older daily rollups deleted, the day histories rebuilt`);
        const firstKept = Math.floor(Date.now() / 86_400_000) * 86_400_000 - (SHORT_DAYS - 1) * 86_400_000;
        await d1.db.prepare("DELETE FROM rollups_daily WHERE day_at < ?").bind(firstKept).run();
        await buildDayHistories(d1.db, probes);
        await buildStatusBoard(d1.db, probes);
      } finally {
        await d1.dispose();
      }
      progress("starting the local network again for the page with 7 days of history");
      base = (await run.startNetwork(29987, cacheOn)).workerUrl;
      const page7 = await fetchText(base + "/", UNCACHED);
      await run.stopNetwork();

      // ------------------------------------------------------------ report
      const pairs = PROBES * REGIONS.length;
      const size90 = sizeOf(page90);
      const size7 = sizeOf(page7);
      console.log(
        `\nStatus page benchmark: ${PROBES} probes x ${REGIONS.length} regions = ${pairs} pairs in ${GROUPS} groups, ${DAYS} days of rollups`,
      );
      console.log(
        `(${int(seed.hourly)} hourly + ${int(seed.daily)} daily rows, ${int(seed.raw)} raw runs in ${int(seed.blocks)} run blocks); wrangler dev on 127.0.0.1; Node ${process.version}.`,
      );
      console.log(
        `The page drew ${int(strips)} strips of ${int(days / Math.max(1, strips))} days; banner: "${banner}"; the cached copy is the uncached render's bytes: ${cachedBody.length === page90.length ? "same length" : `DIFFERENT (${int(cachedBody.length)} vs ${int(page90.length)})`}.`,
      );

      console.log(`\n1. The page's size\n`);
      console.log(
        formatTable(
          ["history", "HTML bytes", "gzip bytes"],
          [
            [`${DAYS} days`, int(size90.raw), int(size90.gzip)],
            [`${SHORT_DAYS} days`, int(size7.raw), int(size7.gzip)],
            [
              "difference",
              `${fixed((100 * Math.abs(size90.raw - size7.raw)) / size90.raw, 2)} %`,
              `${fixed((100 * Math.abs(size90.gzip - size7.gzip)) / size90.gzip, 2)} %`,
            ],
          ],
        ),
      );

      // req/s is the median of the rounds' (as autocannon runs are compared): one round hit by another process's burst on this shared machine does not decide it.
      const stats = (t: Target) => {
        const { samples, roundRps } = loaded.get(t)!;
        return {
          ...summarize(samples, okStatuses(t)),
          rps: quantile(roundRps, 0.5),
          rounds: roundRps,
          n304: samples.filter((x) => x.status === 304).length,
        };
      };
      const staticStats = stats(byKey("static"));
      console.log(
        `\n2. Under load: ${CONCURRENCY} concurrent keep-alive clients, ${ROUNDS} x ${SECONDS} s per URL (URLs take turns); req/s is the median of the rounds, p50/p99 over every request\n`,
      );
      console.log(
        formatTable(
          [
            "URL",
            "ok",
            "304s",
            "errors",
            "req/s (median)",
            "rounds",
            "p50 ms",
            "p99 ms",
            "max ms",
            "bytes",
            "req/s vs static",
            "p50/static",
          ],
          targets.map((t) => {
            const s = stats(t);
            return [
              t.label,
              int(s.ok),
              int(s.n304),
              int(s.errors),
              fixed(s.rps, 0),
              s.rounds.map((r) => fixed(r, 0)).join(" "),
              fixed(s.p50, 2),
              fixed(s.p99, 2),
              fixed(s.max, 1),
              int(s.bytes),
              fixed(s.rps / staticStats.rps, 2),
              fixed(s.p50 / staticStats.p50, 2),
            ];
          }),
        ),
      );
      for (const t of targets) {
        const first = stats(t).firstError;
        if (first) console.log(`   ${t.path}: first error ${first.status} ${first.error ?? ""}`);
      }

      console.log(`\n3. D1 per render (the loaders replayed on the same database: batches, statements, rows)\n`);
      console.log(
        formatTable(
          ["page", "batches", "statements", "rows returned", "rows read", "KB returned"],
          [
            [
              "/",
              int(statusTally.batches),
              int(statusTally.statements),
              int(statusTally.rowsReturned),
              int(statusTally.rowsRead),
              int(statusTally.bytesReturned / 1000),
            ],
            [
              "/ without a status board",
              int(boardlessTally.batches),
              int(boardlessTally.statements),
              int(boardlessTally.rowsReturned),
              int(boardlessTally.rowsRead),
              int(boardlessTally.bytesReturned / 1000),
            ],
            [
              "/ without board and day histories",
              int(coldTally.batches),
              int(coldTally.statements),
              int(coldTally.rowsReturned),
              int(coldTally.rowsRead),
              int(coldTally.bytesReturned / 1000),
            ],
            [
              `/probes/${probeId(1)}`,
              int(probeTally.batches),
              int(probeTally.statements),
              int(probeTally.rowsReturned),
              int(probeTally.rowsRead),
              int(probeTally.bytesReturned / 1000),
            ],
          ],
        ),
      );
      console.log(
        `   (/: the status board the tick built, incidents, their updates, maintenance; without a board (the first minute after a`,
      );
      console.log(
        `   deploy, a stopped cron) the page reads what the tick builds it from: newest runs, day histories, today's daily rollups;`,
      );
      console.log(`   without day histories too, their days come from the daily rollups in one more statement)`);
      const b = built!;
      console.log(
        `\n4. Building the day histories (the tick's refreshDayHistory, all ${int(b.report.rebuilt)} probes at once; a tick does ${HISTORIES_PER_TICK}): ` +
          `${int(b.tally.batches)} batches, ${int(b.tally.rowsRead)} rows read, ${int(b.tally.rowsReturned)} rows returned, ${fixed(b.ms, 0)} ms in Node (${fixed(b.tally.rowsRead / Math.max(1, b.report.rebuilt), 0)} rows read per probe).`,
      );

      const bb = board!;
      console.log(
        `5. Building the status board (the tick's status-board stage, every minute): ${int(bb.tally.batches)} batches, ${int(bb.tally.statements)} statements, ${int(bb.tally.rowsRead)} rows read, ${int(bb.tally.rowsWritten)} row(s) written, a board of ${int(bb.bytes)} bytes, ${fixed(bb.ms, 0)} ms in Node.`,
      );

      const cached = stats(byKey("cached"));
      const uncached = stats(byKey("uncached"));
      const errors = targets.reduce((n, t) => n + stats(t).errors, 0);
      const cachedVsStatic = cached.rps / staticStats.rps;
      const uncachedP50VsStatic = uncached.p50 / staticStats.p50;
      const floor = stats(byKey("floor"));
      const floorVsStatic = floor.p50 / staticStats.p50;
      const sizeGap = Math.abs(size90.raw - size7.raw) / size90.raw;
      const verdict = (ok: boolean) => (ok ? "met" : "NOT met");
      console.log(
        `\nTargets: zero errors (${errors === 0 ? "met" : `${errors} errors`}); page at most 100 KB: ${int(size90.raw)} bytes (${verdict(size90.raw <= 100_000)}); ${SHORT_DAYS} and ${DAYS} days within 2 %: ${fixed(100 * sizeGap, 2)} % (${verdict(sizeGap <= 0.02)});`,
      );
      console.log(
        `cached req/s at least 0.9x static: ${fixed(cachedVsStatic, 2)}x (${verdict(cachedVsStatic >= 0.9)}); uncached p50 at most 2x static: ${fixed(uncachedP50VsStatic, 2)}x (${verdict(uncachedP50VsStatic <= 2)}; one trivial D1 statement alone is ${fixed(floorVsStatic, 2)}x); one D1 batch per render: ${int(statusTally.batches)} (${verdict(statusTally.batches === 1)}).`,
      );
      progress("done");
      console.log(
        JSON.stringify({
          probes: PROBES,
          regions: REGIONS.length,
          days: DAYS,
          connections: CONCURRENCY,
          pageBytes90d: size90.raw,
          pageGzipBytes90d: size90.gzip,
          pageBytes7d: size7.raw,
          pageGzipBytes7d: size7.gzip,
          cachedRps: Math.round(cached.rps),
          cachedP50Ms: round(cached.p50),
          cachedP99Ms: round(cached.p99),
          uncachedRps: Math.round(uncached.rps),
          uncachedP50Ms: round(uncached.p50),
          uncachedP99Ms: round(uncached.p99),
          staticRps: Math.round(staticStats.rps),
          staticP50Ms: round(staticStats.p50),
          staticP99Ms: round(staticStats.p99),
          d1FloorP50Ms: round(floor.p50),
          d1FloorVsStaticP50: round(floorVsStatic),
          cachedVsStaticRps: round(cachedVsStatic),
          uncachedVsStaticP50: round(uncachedP50VsStatic),
          d1BatchesPerRender: statusTally.batches,
          d1StatementsPerRender: statusTally.statements,
          d1RowsReadPerRender: statusTally.rowsRead,
          d1KbReturnedPerRender: Math.round(statusTally.bytesReturned / 1000),
          boardBytes: bb.bytes,
          boardRowsReadPerTick: bb.tally.rowsRead,
          errors,
        }),
      );
    },
    () => agent.destroy(),
  );
}

const round = (n: number) => Math.round(n * 100) / 100;

await main();
