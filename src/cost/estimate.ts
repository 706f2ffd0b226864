/**
 * The cost planner: what a set of probes will use per month on Cloudflare, counted from the
 * code that runs in production. Runs, shards and Durable Object time come from replaying an hour
 * of ticks through planTick and planShards; D1 rows written are every row the storage code
 * writes (see WRITES below); rows read come from the read statements' shapes (read-rows.ts),
 * counted per render of a page or API read: the edge cache renders each about once per lifetime
 * per Cloudflare location (renders.ts);
 * sizes from the SQLite file format applied to the rows the codec writes (row-sizes.ts).
 * Pure: the CLI prints it, the tests check it.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { intervalMinutes, planTick } from "../schedule/plan.ts";
import {
  BROWSER_RUN_EXPECTED_MS,
  BROWSERS_PER_SHARD,
  estimateRunCost,
  planShards,
  shardWallMs,
} from "../schedule/shard-plan.ts";
import type { RetentionPolicy } from "../storage/retention.ts";
import { MINUTE_MS } from "../time.ts";
import { PLANS, type PlanName } from "./prices.ts";
import { READ_ROWS, rowsOf } from "./read-rows.ts";
import { bucketOf } from "../storage/run-blocks.ts";
import { rendersOf } from "./renders.ts";
import { blockRowBytes, dayHistoryBytes, pairRowBytes } from "./row-sizes.ts";

export { PLANS } from "./prices.ts";

const DAYS_PER_MONTH = 30;
const MINUTES_PER_MONTH = DAYS_PER_MONTH * 24 * 60;
const HOURS_PER_MONTH = DAYS_PER_MONTH * 24;
const SECONDS_PER_MONTH = MINUTES_PER_MONTH * 60;
/** Burn alerts are evaluated every 5th minute (incidents/apply-burn-alerts.ts). */
const BURN_EVALUATIONS_PER_MONTH = MINUTES_PER_MONTH / 5;
/** Durable Objects are billed per 128 MB of memory per second of wall time. */
const DO_GB = 0.125;
/**
 * probe_states rows every tick writes whatever the fleet: the watchdog's `network:tick` and
 * `network:regions`, and the incident step's guard. Probe and burn states are written only when
 * they change: about never per run at steady state (counted with incidents below).
 */
export const TICK_STATE_ROWS = 3;
/** Other rows a tick reads whatever the fleet: watchdog states, maintenance, due outbox rows. */
const TICK_FIXED_READS = 10;
/**
 * Rows one incident writes: the incident opened and resolved, two probe state changes, and two
 * notices (DOWN, UP) to each channel, each inserted, leased and marked sent in the outbox.
 */
const INCIDENT_ROWS = (channels: number) => 2 + 2 + 2 * channels * 3;
/** Share of storage cap at which the planner warns that a database is filling up. */
const STORAGE_WARN_SHARE = 0.8;

interface EstimateOptions {
  plan: PlanName;
  retention: RetentionPolicy;
  /** Status page views per second. Default 1. */
  viewsPerSecond?: number;
  /** `/api/v1/slo` calls for every probe per minute (a dashboard polling). Default 0. */
  sloPollsPerMinute?: number;
  /**
   * The Cloudflare locations the viewers reach, each with its own edge cache: the page and the
   * SLO read are rendered at most once per cache lifetime in each. Default 20 (an assumption).
   */
  colos?: number;
  /** The edge cache lifetime in seconds (PUBLIC_CACHE_SECONDS, at most the rest of a minute); 0: every view renders. Default 60. */
  cacheSeconds?: number;
  /** Share of runs that are down, degraded or confirmed, which keep their whole result. Default 0.01. */
  failureShare?: number;
  /** Incidents per probe per month (each writes a few rows and notices). Default 1. */
  incidentsPerProbe?: number;
  /** Notification channels. Default 1. */
  channels?: number;
  /**
   * Releases marked per month (src/releases/). Each watch runs every probe it names every minute
   * from all its regions for `releaseWatchMinutes`; the planner assumes every release names every
   * probe (an upper bound). Default 0.
   */
  releasesPerMonth?: number;
  /** Minutes each release is watched (RELEASE_WATCH_MINUTES). Default 60. */
  releaseWatchMinutes?: number;
  /** Seconds a browser run holds its browser (launch, journey, close). Default BROWSER_RUN_EXPECTED_MS. */
  browserSecondsPerRun?: number;
}

/** Browser Rendering use of the fleet's browser probes, against the plan's limits. */
interface BrowserUsage {
  runsPerMonth: number;
  hoursPerMonth: number;
  /** Browsers open at once in the busiest tick: each shard holds up to BROWSERS_PER_SHARD. */
  peakConcurrent: number;
  /** Browsers launched in the busiest minute (a pool launches its browsers at each shard). */
  peakNewPerMinute: number;
}

interface Line {
  label: string;
  perMonth: number;
}

interface ProbeUsage {
  probeId: string;
  runsPerMonth: number;
  rowsWrittenPerMonth: number;
  subrequestsPerMonth: number;
  /** On-disk bytes of a passing run at steady state: its hour row's share. */
  bytesPerRun: number;
}

interface StorageTable {
  table: string;
  rows: number;
  bytes: number;
}

export interface CostEstimate {
  plan: PlanName;
  assumptions: Required<Omit<EstimateOptions, "plan" | "retention">> & { retention: RetentionPolicy };
  fleet: { probes: number; pairs: number; runsPerMinute: number };
  perMonth: {
    cronInvocations: number;
    /** Status page and /api/v1/slo requests that render (the others are answered from the edge cache). */
    renders: number;
    runs: number;
    workerRequests: number;
    doRequests: number;
    doGbSeconds: number;
    subrequests: number;
    rowsWritten: number;
    rowsRead: number;
  };
  writes: Line[];
  reads: Line[];
  rowsWrittenPerRun: number;
  /** Rows read by one render of the status page, of /api/v1/slo for all probes, one burn-alert evaluation, one /metrics. */
  readsPerView: { page: number; slo: number; burnEvaluation: number; metrics: number };
  peakShardsPerTick: number;
  browsers: BrowserUsage;
  storage: { tables: StorageTable[]; bytes: number; capBytes: number; bytesPerRun: number };
  probes: ProbeUsage[];
  usd: {
    base: number;
    requests: number;
    doRequests: number;
    doDuration: number;
    rowsWritten: number;
    rowsRead: number;
    storage: number;
    browserHours: number;
    browserConcurrency: number;
    overage: number;
    total: number;
  };
  warnings: string[];
}

interface TickReplay {
  runsPerHour: number;
  browserRunsPerHour: number;
  peakBrowsersPerTick: number;
  /** run_blocks rows the shards write: one per bucket a shard's runs fall in, each tick. */
  blockWritesPerHour: number;
  /** The (region, bucket) rows an hour fills, with their probes: what sealing and retention touch. */
  blocks: Map<string, { region: string; probes: Set<LoadedProbe> }>;
  shardsPerHour: number;
  doSecondsPerHour: number;
  peakShardsPerTick: number;
  overLimit: string[];
}

/** One hour covers every schedule's cycle (the longest interval is 1h): plan it tick by tick. */
function replayHour(probes: readonly LoadedProbe[], plan: PlanName): TickReplay {
  const limits = PLANS[plan].limits;
  const costs = new Map(probes.map((p) => [p, estimateRunCost(p)]));
  const costOf = (p: LoadedProbe) => costs.get(p) ?? estimateRunCost(p);
  const out: TickReplay = {
    runsPerHour: 0,
    browserRunsPerHour: 0,
    peakBrowsersPerTick: 0,
    blockWritesPerHour: 0,
    blocks: new Map(),
    shardsPerHour: 0,
    doSecondsPerHour: 0,
    peakShardsPerTick: 0,
    overLimit: [],
  };
  const overLimit = new Set<string>();
  const origin = Date.UTC(2026, 0, 1);
  for (let minute = 0; minute < 60; minute++) {
    const planned = planTick(probes, origin + minute * MINUTE_MS);
    const shards = planShards(planned, limits, (run) => costOf(run.probe));
    out.runsPerHour += planned.length;
    out.shardsPerHour += shards.length;
    out.peakShardsPerTick = Math.max(out.peakShardsPerTick, shards.length);
    const browserRuns = shards.map((s) => s.runs.filter((r) => r.probe.probe.kind === "browser").length);
    out.browserRunsPerHour += browserRuns.reduce((n, b) => n + b, 0);
    out.peakBrowsersPerTick = Math.max(
      out.peakBrowsersPerTick,
      browserRuns.reduce((n, b) => n + Math.min(b, limits.browsers ?? BROWSERS_PER_SHARD), 0),
    );
    for (const shard of shards) {
      out.blockWritesPerHour += new Set(shard.runs.map((r) => bucketOf(r.probe.probe.id))).size;
      for (const run of shard.runs) {
        const key = `${run.region}|${bucketOf(run.probe.probe.id)}`;
        const block = out.blocks.get(key) ?? { region: run.region, probes: new Set<LoadedProbe>() };
        block.probes.add(run.probe);
        out.blocks.set(key, block);
      }
      out.doSecondsPerHour +=
        shardWallMs(
          shard.runs.map((r) => costOf(r.probe)),
          limits.inFlight,
        ) / 1000;
      if (shard.overLimit?.length)
        for (const run of shard.runs) overLimit.add(`${run.probe.probe.id} (${shard.overLimit.join(", ")})`);
    }
  }
  out.overLimit = [...overLimit];
  return out;
}

const sum = (lines: readonly Line[]) => lines.reduce((n, l) => n + l.perMonth, 0);

export function estimateCost(probes: readonly LoadedProbe[], options: EstimateOptions): CostEstimate {
  const terms = PLANS[options.plan];
  const retention = options.retention;
  const assumptions = {
    viewsPerSecond: options.viewsPerSecond ?? 1,
    sloPollsPerMinute: options.sloPollsPerMinute ?? 0,
    colos: options.colos ?? 20,
    cacheSeconds: options.cacheSeconds ?? 60,
    failureShare: options.failureShare ?? 0.01,
    incidentsPerProbe: options.incidentsPerProbe ?? 1,
    channels: options.channels ?? 1,
    releasesPerMonth: options.releasesPerMonth ?? 0,
    releaseWatchMinutes: options.releaseWatchMinutes ?? 60,
    browserSecondsPerRun: options.browserSecondsPerRun ?? BROWSER_RUN_EXPECTED_MS / 1000,
    retention,
  };
  const share = assumptions.failureShare;
  const replay = replayHour(probes, options.plan);
  // A release watch makes each watched probe due every minute: the runs it adds are the minutes it would not have run anyway.
  const watchMinutesPerMonth = assumptions.releasesPerMonth * assumptions.releaseWatchMinutes;
  // Heartbeats are never run (nor watched): their runs are their judged pings, counted below.
  const watchRunsOf = (p: LoadedProbe) =>
    (p.probe.kind === "heartbeat" ? 0 : 1) *
    watchMinutesPerMonth *
    p.probe.regions.length *
    (1 - 1 / intervalMinutes(p));
  const watchRuns = probes.reduce((n, p) => n + watchRunsOf(p), 0);
  // A healthy heartbeat stores one run per period (its success ping); the tick never plans it.
  const heartbeatRuns = probes.reduce(
    (n, p) => n + (p.probe.kind === "heartbeat" ? (60 / intervalMinutes(p)) * HOURS_PER_MONTH : 0),
    0,
  );
  const runs = replay.runsPerHour * HOURS_PER_MONTH + watchRuns + heartbeatRuns;
  const pairs = probes.reduce((n, p) => n + p.probe.regions.length, 0);
  const n = probes.length;
  const hourRows = pairs * HOURS_PER_MONTH;
  const dayRows = pairs * DAYS_PER_MONTH;

  const blockRows = replay.blocks.size * HOURS_PER_MONTH;
  // Every browser run keeps its evidence row (its Web Vitals), not only the failed share.
  const browserRuns = replay.browserRunsPerHour * HOURS_PER_MONTH;
  const keptRuns = share * (runs - browserRuns) + browserRuns;
  const everyBrowserRun = browserRuns > 0 ? ", every browser run" : "";
  const browsers: BrowserUsage = {
    runsPerMonth: browserRuns,
    hoursPerMonth: (browserRuns * assumptions.browserSecondsPerRun) / 3600,
    peakConcurrent: replay.peakBrowsersPerTick,
    peakNewPerMinute: replay.peakBrowsersPerTick,
  };
  // Every row the code writes, per month, at steady state (retention deletes as many as are made).
  const writes: Line[] = [
    {
      label: "run blocks: one row per bucket a shard touches, each tick",
      perMonth: replay.blockWritesPerHour * HOURS_PER_MONTH,
    },
    {
      label: `evidence rows (${pct(share)} of runs${everyBrowserRun})`,
      perMonth: keptRuns,
    },
    { label: "hourly rollups sealed (1 per pair an hour)", perMonth: hourRows },
    { label: "blocks marked sealed, then deleted", perMonth: 2 * blockRows },
    { label: "hourly rollups deleted", perMonth: hourRows },
    { label: "daily rollups built", perMonth: dayRows },
    { label: "daily rollups deleted", perMonth: dayRows },
    { label: "evidence rows deleted", perMonth: keptRuns },
    { label: "day histories (1 per probe a day)", perMonth: n * DAYS_PER_MONTH },
    { label: `tick state (${TICK_STATE_ROWS} rows a tick)`, perMonth: TICK_STATE_ROWS * MINUTES_PER_MONTH },
    { label: "status board (1 row a tick)", perMonth: MINUTES_PER_MONTH },
    {
      label: `incidents, states, outbox (${assumptions.incidentsPerProbe}/probe)`,
      perMonth: n * assumptions.incidentsPerProbe * INCIDENT_ROWS(assumptions.channels),
    },
    // At most one block row per extra run (runs of one bucket share theirs), and the release row, its judgement each minute and its notice.
    ...(assumptions.releasesPerMonth > 0
      ? [
          {
            label: `release watch runs (${assumptions.releasesPerMonth} x ${assumptions.releaseWatchMinutes} min)`,
            perMonth: watchRuns,
          },
          {
            label: "releases, judgements, notices",
            perMonth: assumptions.releasesPerMonth * (1 + assumptions.releaseWatchMinutes + 3 * assumptions.channels),
          },
        ]
      : []),
  ];
  const rowsWritten = sum(writes);

  const views = assumptions.viewsPerSecond * SECONDS_PER_MONTH;
  const sloPolls = assumptions.sloPollsPerMinute * MINUTES_PER_MONTH;
  const pageRenders = rendersOf(views, SECONDS_PER_MONTH, assumptions);
  const sloRenders = rendersOf(sloPolls, SECONDS_PER_MONTH, assumptions);
  const readFleet = { pairs, probes: n, blockKeys: replay.blocks.size };
  const readsPerView = {
    page: rowsOf(READ_ROWS.page, readFleet),
    statusBoard: rowsOf(READ_ROWS.statusBoard, readFleet),
    slo: rowsOf(READ_ROWS.slo, readFleet),
    burnEvaluation: rowsOf(READ_ROWS.slo, readFleet),
    metrics: rowsOf(READ_ROWS.metrics, readFleet),
  };
  const reads: Line[] = [
    {
      label: `status page (${assumptions.viewsPerSecond}/s: ${fmt(pageRenders)} renders x ${fmt(readsPerView.page)} rows)`,
      perMonth: pageRenders * readsPerView.page,
    },
    {
      label: `/api/v1/slo (${assumptions.sloPollsPerMinute}/min: ${fmt(sloRenders)} renders x ${fmt(readsPerView.slo)} rows)`,
      perMonth: sloRenders * readsPerView.slo,
    },
    {
      label: `burn alerts (every 5 min x ${Math.round(readsPerView.burnEvaluation)} rows)`,
      perMonth: BURN_EVALUATIONS_PER_MONTH * readsPerView.burnEvaluation,
    },
    {
      label: `status board (every tick x ${fmt(readsPerView.statusBoard)} rows)`,
      perMonth: MINUTES_PER_MONTH * readsPerView.statusBoard,
    },
    {
      label: "incident step (states of every probe a tick)",
      perMonth: MINUTES_PER_MONTH * (n * READ_ROWS.incidentStepPerProbe + TICK_FIXED_READS),
    },
    { label: "storing runs", perMonth: runs * READ_ROWS.perRunWrite },
    { label: "retention (each pair once an hour)", perMonth: hourRows * READ_ROWS.retentionPerPairVisit },
    {
      label: "daily rollups and day histories",
      perMonth: dayRows * (READ_ROWS.dayRollupPerPair + READ_ROWS.dayHistoryPerPair),
    },
    // Each watched minute reads the blocks of the baseline (2 h) and the watch so far: about (3 + watch hours) block rows per (region, bucket).
    ...(watchMinutesPerMonth > 0
      ? [
          {
            label: "release watch judgements",
            perMonth: watchMinutesPerMonth * replay.blocks.size * (3 + Math.ceil(assumptions.releaseWatchMinutes / 60)),
          },
        ]
      : []),
  ];
  const rowsRead = sum(reads);

  // Storage at steady state, from the codec's rows and SQLite's page accounting.
  const usage: ProbeUsage[] = [];
  const tables = {
    blocks: { rows: 0, bytes: 0 },
    hourly: { rows: 0, bytes: 0 },
    daily: { rows: 0, bytes: 0 },
    evidence: { rows: 0, bytes: 0 },
    dayHistory: { rows: 0, bytes: 0 },
  };
  const add = (t: { rows: number; bytes: number }, rows: number, bytesEach: number) => {
    t.rows += rows;
    t.bytes += rows * bytesEach;
  };
  const rawHours = retention.rawRunDays * 24;
  const rollupHours = Math.max(retention.hourRollupDays, retention.rawRunDays) * 24;
  const runsPerHourOf = (p: LoadedProbe) =>
    p.probe.kind === "heartbeat" ? 60 / intervalMinutes(p) : Math.max(1, 60 / intervalMinutes(p));
  // Each block row's bytes, shared among its probes by their runs (for bytes per passing run).
  const blockShare = new Map<LoadedProbe, number>();
  for (const block of replay.blocks.values()) {
    const probes = [...block.probes];
    const bytesEach = blockRowBytes(
      block.region,
      probes.map((p) => ({ id: p.probe.id, version: p.version, runsPerHour: runsPerHourOf(p) })),
    );
    add(tables.blocks, rawHours, bytesEach);
    const runsInRow = probes.reduce((r, p) => r + runsPerHourOf(p), 0);
    for (const p of probes) blockShare.set(p, (blockShare.get(p) ?? 0) + (bytesEach * runsPerHourOf(p)) / runsInRow);
  }
  let passingBytes = 0;
  for (const p of probes) {
    const runsPerHour = runsPerHourOf(p);
    const regions = p.probe.regions.length;
    const runsPerMonth = runsPerHour * HOURS_PER_MONTH * regions;
    const rows = pairRowBytes(p.probe.id, p.probe.regions[0]!, p.version, runsPerHour);
    add(tables.hourly, regions * rollupHours, rows.hourRollup);
    add(tables.daily, regions * retention.rollupDays, rows.daily);
    // Every browser run keeps its evidence row (its Web Vitals); other runs only when they fail.
    const evidenceShare = p.probe.kind === "browser" ? 1 : share;
    add(tables.evidence, evidenceShare * runsPerHour * rawHours * regions, rows.evidence);
    add(tables.dayHistory, 1, dayHistoryBytes(p.probe.id, p.probe.regions, runsPerHour * 24 * regions));
    // Its share of its block rows, per run.
    const bytesPerRun = (blockShare.get(p) ?? 0) / (runsPerHour * regions);
    passingBytes += bytesPerRun * runsPerMonth;
    const costOfRun = estimateRunCost(p);
    const extraRuns = watchRunsOf(p);
    // A probe's share of the rows that follow its runs (not the per-tick constants): its share of
    // block writes by runs, its evidence, its hourly and daily rollups (written and deleted).
    const blockWritesPerRun = replay.runsPerHour > 0 ? replay.blockWritesPerHour / replay.runsPerHour : 0;
    const rowsPerMonth =
      runsPerMonth * (blockWritesPerRun + 2 * evidenceShare) +
      regions * (2 * HOURS_PER_MONTH + 2 * DAYS_PER_MONTH) +
      DAYS_PER_MONTH;
    usage.push({
      probeId: p.probe.id,
      runsPerMonth: runsPerMonth + extraRuns,
      rowsWrittenPerMonth: rowsPerMonth + extraRuns,
      subrequestsPerMonth: (runsPerMonth + extraRuns) * costOfRun.requests,
      bytesPerRun,
    });
  }
  const storageTables: StorageTable[] = [
    { table: `run_blocks (${retention.rawRunDays} d)`, ...tables.blocks },
    { table: `rollups_hourly (${Math.max(retention.hourRollupDays, retention.rawRunDays)} d)`, ...tables.hourly },
    { table: `rollups_daily (${retention.rollupDays} d)`, ...tables.daily },
    {
      table: `run_evidence (${pct(share)}${everyBrowserRun}, ${retention.rawRunDays} d)`,
      ...tables.evidence,
    },
    { table: "day_history", ...tables.dayHistory },
  ].map((t) => ({ ...t, rows: Math.round(t.rows), bytes: Math.round(t.bytes) }));
  const bytes = storageTables.reduce((s, t) => s + t.bytes, 0);
  const capBytes = terms.storageCapGb * 1e9;

  const doRequests = replay.shardsPerHour * HOURS_PER_MONTH + share * runs; // shards, and a confirmation per failed run
  const workerRequests = MINUTES_PER_MONTH + views + sloPolls;
  const doGbSeconds = replay.doSecondsPerHour * HOURS_PER_MONTH * DO_GB;
  const subrequests = usage.reduce((s, u) => s + u.subrequestsPerMonth, 0) + doRequests;

  const warnings: string[] = [];
  const heaviest = [...usage]
    .sort((a, b) => b.rowsWrittenPerMonth - a.rowsWrittenPerMonth)
    .slice(0, 3)
    .map((u) => u.probeId)
    .join(", ");
  if (terms.perDay) {
    const perDay = (x: number) => x / DAYS_PER_MONTH;
    if (perDay(rowsWritten) > terms.perDay.rowsWritten) {
      warnings.push(
        `D1 rows written: ${fmt(perDay(rowsWritten))}/day is over the Free plan's ${fmt(terms.perDay.rowsWritten)}/day; run the heaviest probes (${heaviest}) less often or from fewer regions, or use --plan paid`,
      );
    }
    if (perDay(doRequests) > terms.perDay.doRequests)
      warnings.push(
        `Durable Object requests: ${fmt(perDay(doRequests))}/day is over the Free plan's ${fmt(terms.perDay.doRequests)}/day; fewer shards need fewer, lighter probes (${heaviest})`,
      );
    if (perDay(rowsRead) > terms.perDay.rowsRead)
      warnings.push(
        `D1 rows read: ${fmt(perDay(rowsRead))}/day is over the Free plan's ${fmt(terms.perDay.rowsRead)}/day; fewer page views or probes`,
      );
    if (perDay(workerRequests) > terms.perDay.workerRequests)
      warnings.push(
        `Worker requests: ${fmt(perDay(workerRequests))}/day is over the Free plan's ${fmt(terms.perDay.workerRequests)}/day`,
      );
  }
  if (bytes >= STORAGE_WARN_SHARE * capBytes) {
    const verb = bytes > capBytes ? "is over" : "would reach " + pct(bytes / capBytes) + " of";
    warnings.push(
      `D1 storage at steady state: ${mb(bytes)} ${verb} the ${mb(capBytes)} a database may hold on the ${terms.name} plan; shorten RAW_RETENTION_DAYS, run fewer or less frequent probes (${heaviest})${terms.name === "free" ? ", or use --plan paid" : ""}`,
    );
  }
  if (replay.overLimit.length)
    warnings.push(
      `runs that alone exceed one invocation's limits on the ${terms.name} plan: ${replay.overLimit.join("; ")}; split the journey or use fewer requests per run`,
    );
  const b = terms.browsers;
  if (browsers.peakConcurrent > b.maxConcurrent) {
    warnings.push(
      `browsers: ${browsers.peakConcurrent} open at once in the busiest tick, over the ${terms.name} plan's ${b.maxConcurrent} per account; spread the browser probes' schedules or run them from fewer regions`,
    );
  }
  if (browsers.peakNewPerMinute > b.maxNewPerMinute)
    warnings.push(
      `browsers: ${browsers.peakNewPerMinute} launched in one minute, over the ${terms.name} plan's ${b.maxNewPerMinute} new browsers a minute`,
    );
  if (terms.perDay && browsers.hoursPerMonth > b.includedHours) {
    warnings.push(
      `browser time: ${((browsers.hoursPerMonth * 60) / DAYS_PER_MONTH).toFixed(0)} min/day is over the Free plan's 10 min/day; run browser probes less often, or use --plan paid`,
    );
  }
  if (replay.peakShardsPerTick > terms.limits.subrequests - 1)
    warnings.push(
      `${replay.peakShardsPerTick} shards in one tick exceed the dispatcher's ${terms.limits.subrequests} subrequests; spread schedules or use --plan paid`,
    );

  const over = (used: number, included: number, perMillion: number) =>
    (Math.max(0, used - included) / 1e6) * perMillion;
  const o = terms.overageUsd;
  const usd = {
    base: terms.baseUsd,
    requests: round2(over(workerRequests, terms.included.workerRequests, o.perMillionRequests)),
    doRequests: round2(over(doRequests, terms.included.doRequests, o.perMillionDoRequests)),
    doDuration: round2(over(doGbSeconds, terms.included.doGbSeconds, o.perMillionGbSeconds)),
    rowsWritten: round2(over(rowsWritten, terms.included.rowsWritten, o.perMillionRowsWritten)),
    rowsRead: round2(over(rowsRead, terms.included.rowsRead, o.perMillionRowsRead)),
    storage: round2(Math.max(0, bytes / 1e9 - terms.included.storageGb) * o.perGbMonth),
    browserHours: round2(Math.max(0, browsers.hoursPerMonth - b.includedHours) * b.usdPerHour),
    // Billed on the monthly average of each day's peak; a steady fleet peaks alike every day.
    browserConcurrency: round2(Math.max(0, browsers.peakConcurrent - b.includedConcurrent) * b.usdPerConcurrent),
    overage: 0,
    total: 0,
  };
  usd.overage = round2(
    usd.requests +
      usd.doRequests +
      usd.doDuration +
      usd.rowsWritten +
      usd.rowsRead +
      usd.storage +
      usd.browserHours +
      usd.browserConcurrency,
  );
  usd.total = round2(usd.base + usd.overage);

  return {
    plan: options.plan,
    assumptions,
    fleet: { probes: n, pairs, runsPerMinute: replay.runsPerHour / 60 },
    perMonth: {
      cronInvocations: MINUTES_PER_MONTH,
      renders: pageRenders + sloRenders,
      runs,
      workerRequests,
      doRequests,
      doGbSeconds,
      subrequests,
      rowsWritten,
      rowsRead,
    },
    writes,
    reads,
    rowsWrittenPerRun: runs > 0 ? rowsWritten / runs : 0,
    readsPerView,
    peakShardsPerTick: replay.peakShardsPerTick,
    browsers,
    storage: { tables: storageTables, bytes, capBytes, bytesPerRun: runs > 0 ? passingBytes / runs : 0 },
    probes: usage,
    usd,
    warnings,
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(3))}%`;
}

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
