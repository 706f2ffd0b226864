/**
 * Status page benchmark: is the page fast under an incident's traffic spike, and what does a
 * render cost in D1?
 *
 * A temporary copy of the project gets a generated probes/ folder of N probes (default 50) x 5
 * regions in 10 groups, schedule 1m. Before the Worker starts, its local D1 is seeded with D
 * days (default 90) of hourly and daily rollups for every (probe, region) -- 60 runs an hour, a
 * few down runs, latencies around 100-300 ms, the daily rows being the sums of the hourly ones
 * -- and the raw runs of the last 30 minutes (the newest run of every pair, and what the SLO
 * panel reads). Then the production tick step refreshDayHistory builds every probe's day
 * history (closed days, regions merged) on that database through getPlatformProxy, as the
 * cron would have; its D1 cost is reported. The copy then runs under `wrangler dev`
 * (startLocalNetwork, no cron driver).
 *
 * Measured in one run, from this Node process over 127.0.0.1, for
 *
 *   GET /                      the status page, uncached: no validator is sent, and every
 *                              render is fresh (the Worker caches nothing)
 *   GET / + If-None-Match      the same, revalidated with the page's newest ETag, as browsers
 *                              and caches do after max-age: 304 while it shows the same thing
 *                              (a 200 when a new minute changed it)
 *   GET /probes/{id}           one component's page (chart, regions, SLO panel, failures)
 *   GET /_bench/static         the baseline: a static asset of the same size, served by the same
 *                              Worker -- the bytes of the status page itself, captured after the
 *                              warm-up and handed to the Worker, which then answers them from
 *                              memory. The copy's wrangler.toml points `main` at a small entry
 *                              module (written by this script into the copy only) that serves
 *                              that path and passes everything else to src/index.ts.
 *   GET /assets/status.css     for reference: the stylesheet (a constant string, 9.8 KB)
 *   GET /api/openapi.json      for reference: a larger static response (built once per isolate)
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
 * returned and `meta.rows_read`: once as served, and once more for the status page with the day
 * histories deleted (the first render after a deploy, before a tick built them). No timing is
 * taken from the replay.
 *
 * Everything stays on 127.0.0.1. The network is always stopped and the temp dir removed.
 *
 *   npm run bench:page                                   50 probes, 90 days, 8 clients, 3 x 5 s per URL
 *   npm run bench:page -- --probes 20 --concurrency 16 --seconds 3 --rounds 2
 */
import { readFileSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import type { AppDeps } from "../../src/api/app-env.ts";
import { loadProbePage, loadStatusPage } from "../../src/page/load-page.ts";
import { parsePageConfig } from "../../src/page/page-config.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import { D1DayHistoryStore } from "../../src/storage/day-history-store.ts";
import { HISTORIES_PER_TICK, refreshDayHistory, type RefreshReport } from "../../src/status/refresh-day-history.ts";
import { D1IncidentStore } from "../../src/storage/incident-store.ts";
import { countingDb, newTally, type Tally } from "./d1-count.ts";
import { benchFlags, fixed, formatTable, int, progressLogger, roundRobin, summarize, warmUp, withTimeout, type HttpSample as Sample } from "./measure.ts";
import { historyProbeSource, prepareSeededProject, seedHistory } from "./seed-history.ts";
import { BENCH_REGIONS as REGIONS, NetworkLog, openLocalD1, TempRun, writeD1OnlyConfig } from "./temp-project.ts";

const GROUPS = 10;
const RAW_MINUTES = 30;
const REQUEST_TIMEOUT_MS = 30_000;

const flags = benchFlags({ probes: 50, days: 90, warmup: 5, requests: 30, concurrency: 8, seconds: 5, rounds: 3, seed: 7 });
const { probes: PROBES, days: DAYS, warmup: WARMUP, requests: REQUESTS, concurrency: CONCURRENCY, seconds: SECONDS, rounds: ROUNDS, seed: SEED } = flags;

const progress = progressLogger();

// ---------------------------------------------------------------- 1. the project

const probeId = (i: number) => `page-${String(i).padStart(4, "0")}`;

function probeSource(i: number): string {
  return historyProbeSource({ id: probeId(i), name: `Bench journey ${i}`, description: `Synthetic journey ${i} of the page benchmark.`, group: `Capability ${((i - 1) % GROUPS) + 1}` });
}

/**
 * The copy's entry module: /_bench/static answers whatever was last PUT there, from memory;
 * everything else goes to the real Worker. Only ever written into the temporary copy.
 */
const STATIC_ENTRY = `import worker, { RegionRunner } from "./index.ts";
export { RegionRunner };
let body: string | null = null;
export default {
  async fetch(request: Request, env: never, ctx: ExecutionContext) {
    if (new URL(request.url).pathname !== "/_bench/static") return worker.fetch(request, env, ctx);
    if (request.method === "PUT") {
      body = await request.text();
      return new Response(null, { status: 204 });
    }
    if (body === null) return new Response("nothing was PUT yet", { status: 404 });
    return new Response(body, { headers: { "content-type": "text/html; charset=UTF-8" } });
  },
  scheduled: worker.scheduled,
};
`;

function useStaticEntry(root: string): void {
  writeFileSync(join(root, "src", "bench-static-entry.ts"), STATIC_ENTRY);
  const config = join(root, "wrangler.toml");
  const toml = readFileSync(config, "utf8");
  if (!toml.includes('main = "src/index.ts"')) throw new Error("wrangler.toml: expected main = \"src/index.ts\"");
  writeFileSync(config, toml.replace('main = "src/index.ts"', 'main = "src/bench-static-entry.ts"'));
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
    raw: { minutes: RAW_MINUTES, lastSlot: nowSlot, downChance: 0.002, detail: () => "{\"steps\":[]}" },
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
      res.on("end", () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, bytes, ...(etag ? { etag } : {}) }));
      res.on("error", (error) => resolve({ ms: performance.now() - t0, status: 0, bytes, error: String(error) }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on("error", (error) => resolve({ ms: performance.now() - t0, status: 0, bytes: 0, error: String(error) }));
    req.end();
  });
}

/** C clients, each sending its next request when the last one ended, until the deadline. */
async function closedLoop(send: () => Promise<Sample>, clients: number, seconds: number): Promise<{ samples: Sample[]; wallMs: number }> {
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
  const counted = countingDb(db, tally, { statementIsBatch: true, firstOrRaw: "throw" });
  const deps = {
    config: { environment: "local", plan: "paid", rawRetentionDays: 14, publicCacheSeconds: 0, allowPrivateTargets: true, values: {} },
    probes,
    store: new D1RunStore(counted),
    dayHistory: new D1DayHistoryStore(counted),
    incidents: new D1IncidentStore(counted),
    now: Date.now,
  } as unknown as AppDeps;
  const config = parsePageConfig({});
  if (page === "status") await loadStatusPage(deps, config);
  else await loadProbePage(deps, config, probes[0]!.probe.id, "24h");
  return tally;
}

/** The cron's day-history step over every probe at once, counted; before any workerd serves the database. */
async function buildDayHistories(db: D1Database, probes: readonly LoadedProbe[]): Promise<{ tally: Tally; report: RefreshReport; ms: number }> {
  const tally = newTally();
  const counted = countingDb(db, tally, { statementIsBatch: true });
  const t0 = performance.now();
  const report = await refreshDayHistory({ probes, histories: new D1DayHistoryStore(counted), runs: new D1RunStore(counted), now: Date.now(), limit: probes.length });
  return { tally, report, ms: performance.now() - t0 };
}

// ---------------------------------------------------------------- main

interface Target {
  label: string;
  path: string;
  baseline?: boolean;
  /** Sends If-None-Match with the page's newest ETag, as a reader's browser or a cache revalidating it. */
  revalidate?: boolean;
}

async function main(): Promise<void> {
  const run = new TempRun("afterlife-bench-page-", new NetworkLog(flags.verbose));
  const { temp, root, persistTo } = run;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await run.run(async () => {
    const seeding = `${DAYS} days of rollups and ${RAW_MINUTES} minutes of raw runs for ${PROBES * REGIONS.length} pairs`;
    const { probes, seed } = await prepareSeededProject(run, progress, { count: PROBES, probeId, probeSource }, seeding, seedDatabase);

    progress("building the day histories with the tick's refreshDayHistory (getPlatformProxy)");
    const d1Config = writeD1OnlyConfig(root, temp, "afterlife-page-bench-d1");
    const before = await openLocalD1(d1Config, persistTo);
    let built: Awaited<ReturnType<typeof buildDayHistories>>;
    try {
      built = await buildDayHistories(before.db, probes);
    } finally {
      await before.dispose();
    }

    progress("starting the local network (demo shop, wrangler dev building the project)");
    useStaticEntry(root);
    const base = (await run.startNetwork(29987)).workerUrl;

    // The baseline: the page's own bytes, as a static asset of the same Worker.
    const pageBytes = await (await fetch(base + "/")).text();
    const put = await fetch(base + "/_bench/static", { method: "PUT", body: pageBytes });
    if (put.status !== 204) throw new Error(`PUT /_bench/static: ${put.status}`);

    const targets: Target[] = [
      { label: `/ (${PROBES} probes, uncached)`, path: "/" },
      { label: "/ revalidated (If-None-Match)", path: "/", revalidate: true },
      { label: `/probes/${probeId(1)}`, path: `/probes/${probeId(1)}` },
      { label: "static copy of / (baseline)", path: "/_bench/static", baseline: true },
      { label: "/assets/status.css (static)", path: "/assets/status.css" },
      { label: "/api/openapi.json (static)", path: "/api/openapi.json" },
    ];
    const baseline = targets.find((t) => t.baseline)!;

    progress(`warm-up: ${WARMUP} request(s) per URL`);
    // The newest ETag of /: a new minute changes today's counts, so the page (and its ETag) with it.
    let pageEtag = "";
    const send = async (t: Target) => {
      const sample = await get(base + t.path, agent, t.revalidate && pageEtag ? { "if-none-match": pageEtag } : {});
      if (t.path === "/" && sample.status === 200 && sample.etag) pageEtag = sample.etag;
      return sample;
    };
    const okStatuses = (t: Target) => (t.revalidate ? [200, 304] : [200]);
    await warmUp(targets, WARMUP, send, (t, s) => {
      if (!okStatuses(t).includes(s.status)) throw new Error(`warm-up ${t.path}: ${s.status} ${s.error ?? ""}`);
    });

    progress(`sequential: ${REQUESTS} rounds of ${targets.length} requests`);
    const sequential = await roundRobin(targets, REQUESTS, send);

    progress(`under load: ${CONCURRENCY} clients, ${ROUNDS} round(s) of ${SECONDS} s per URL`);
    const loaded = new Map<Target, { samples: Sample[]; wallMs: number }>(targets.map((t) => [t, { samples: [], wallMs: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of targets) {
        const { samples, wallMs } = await withTimeout(closedLoop(() => send(t), CONCURRENCY, SECONDS), SECONDS * 1000 + REQUEST_TIMEOUT_MS + 5000, `load on ${t.path}`);
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
    await run.stopNetwork();

    progress("replaying the page loaders on the same D1 through getPlatformProxy");
    const d1 = await openLocalD1(d1Config, persistTo);
    let statusTally: Tally;
    let probeTally: Tally;
    let coldTally: Tally;
    try {
      statusTally = await replay(d1.db, probes, "status");
      probeTally = await replay(d1.db, probes, "probe");
      await d1.db.prepare("DELETE FROM day_history").run();
      coldTally = await replay(d1.db, probes, "status");
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
        ["URL", "ok", "304s", "errors", "p50 ms", "p99 ms", "max ms", "bytes", "bytes/static", "p50/static", ...(extra ? ["req/s"] : [])],
        targets.map((t) => {
          const s = summarize(samplesOf(t), okStatuses(t));
          return [t.label, int(s.ok), int(samplesOf(t).filter((x) => x.status === 304).length), int(s.errors), fixed(s.p50, 2), fixed(s.p99, 2), fixed(s.max, 1), int(s.bytes), fixed(s.bytes / baseBytes, 1), fixed(s.p50 / baseP50, 2), ...(extra ? extra(t) : [])];
        }),
      );
    };
    console.log(`\n1. Sequential: ${WARMUP} warm-up + ${REQUESTS} timed requests per URL (round-robin), time to the last body byte\n`);
    console.log(table((t) => sequential.get(t)!));
    console.log(`\n2. Under load: ${CONCURRENCY} concurrent keep-alive clients, ${ROUNDS} x ${SECONDS} s per URL (URLs take turns)\n`);
    console.log(table((t) => loaded.get(t)!.samples, (t) => [fixed(loaded.get(t)!.samples.length / (loaded.get(t)!.wallMs / 1000), 0)]));
    for (const t of targets) {
      const first = summarize([...sequential.get(t)!, ...loaded.get(t)!.samples], okStatuses(t)).firstError;
      if (first) console.log(`   ${t.path}: first error ${first.status} ${first.error ?? ""}`);
    }

    console.log(`\n3. D1 per render (the loaders replayed on the same database: batches, statements, rows)\n`);
    console.log(
      formatTable(
        ["page", "batches", "statements", "rows returned", "rows read"],
        [
          ["/", int(statusTally.batches), int(statusTally.statements), int(statusTally.rowsReturned), int(statusTally.rowsRead)],
          ["/ without day histories", int(coldTally.batches), int(coldTally.statements), int(coldTally.rowsReturned), int(coldTally.rowsRead)],
          [`/probes/${probeId(1)}`, int(probeTally.batches), int(probeTally.statements), int(probeTally.rowsReturned), int(probeTally.rowsRead)],
        ],
      ),
    );
    console.log(`   (/: newest runs, day histories, today's daily rollups, incidents, their updates, maintenance; "without": the first`);
    console.log(`   render after a deploy, before a tick built the histories, reads their days from the daily rollups in one more statement)`);
    const b = built!;
    console.log(
      `\n4. Building the day histories (the tick's refreshDayHistory, all ${int(b.report.rebuilt)} probes at once; a tick does ${HISTORIES_PER_TICK}): ` +
        `${int(b.tally.batches)} batches, ${int(b.tally.rowsRead)} rows read, ${int(b.tally.rowsReturned)} rows returned, ${fixed(b.ms, 0)} ms in Node (${fixed(b.tally.rowsRead / Math.max(1, b.report.rebuilt), 0)} rows read per probe).`,
    );
    const seqPage = summarize(sequential.get(targets[0]!)!).p50 / summarize(sequential.get(baseline)!).p50;
    const loadPage = summarize(loaded.get(targets[0]!)!.samples).p50 / summarize(loaded.get(baseline)!.samples).p50;
    const errors = targets.reduce((n, t) => n + summarize([...sequential.get(t)!, ...loaded.get(t)!.samples], okStatuses(t)).errors, 0);
    const met = (ratio: number) => `${fixed(ratio, 2)}x (${ratio <= 3 ? "met" : "not met"})`;
    console.log(`\nTarget: zero errors (${errors === 0 ? "met" : `${errors} errors`}); uncached render p50 within 3x a static asset of the same size: sequential ${met(seqPage)}, under load ${met(loadPage)}.`);
    progress("done");
  }, () => agent.destroy());
}

await main();
