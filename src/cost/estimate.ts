/**
 * The cost planner: what a set of probes will use per month on Cloudflare, computed with the
 * same planner (planTick, planShards) and storage code (statements per run, row encoding,
 * retention) that run in production, and compared with a plan's included amounts and limits.
 * Pure: the CLI prints it, the tests check it.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunResult, StepResult } from "../probe/result.ts";
import { isScriptStep } from "../probe/schema.ts";
import { intervalMinutes, planTick } from "../schedule/plan.ts";
import { estimateRunCost, FREE_LIMITS, PAID_LIMITS, planShards, shardWallMs, type InvocationLimits } from "../schedule/shard-plan.ts";
import type { RetentionPolicy } from "../storage/retention.ts";
import { toRunRow } from "../storage/run-rows.ts";
import { HISTORY_DAYS } from "../status/day-totals.ts";
const STATEMENTS_PER_RUN = 1; // rewritten with the cost model of issue 11
import { MINUTE_MS } from "../time.ts";

export type PlanName = "free" | "paid";

const MINUTES_PER_MONTH = 30 * 24 * 60;
const HOURS_PER_MONTH = 30 * 24;
/** SQLite page and index overhead on top of the encoded columns, per row (measured order of magnitude). */
const ROW_OVERHEAD_BYTES = 64;
/** A rollup row: keys, four counts and a sparse histogram of a handful of buckets. */
const ROLLUP_ROW_BYTES = 160;
/** Durable Objects are billed per 128 MB of memory per second of wall time. */
const DO_GB = 0.125;

export interface PlanTerms {
  name: PlanName;
  limits: InvocationLimits;
  baseUsd: number;
  included: { workerRequests: number; doRequests: number; doGbSeconds: number; rowsWritten: number; rowsRead: number; storageGb: number };
  /** Hard daily caps on Free (no overage billing there). */
  perDay?: { workerRequests: number; doRequests: number; rowsWritten: number; rowsRead: number };
  storageCapGb: number;
  overageUsd: { perMillionRequests: number; perMillionDoRequests: number; perMillionGbSeconds: number; perMillionRowsWritten: number; perMillionRowsRead: number; perGbMonth: number };
}

export const PLANS: Record<PlanName, PlanTerms> = {
  free: {
    name: "free",
    limits: FREE_LIMITS,
    baseUsd: 0,
    included: { workerRequests: 3_000_000, doRequests: 3_000_000, doGbSeconds: 13_000 * 30, rowsWritten: 3_000_000, rowsRead: 150_000_000, storageGb: 5 },
    perDay: { workerRequests: 100_000, doRequests: 100_000, rowsWritten: 100_000, rowsRead: 5_000_000 },
    storageCapGb: 0.5,
    overageUsd: { perMillionRequests: 0, perMillionDoRequests: 0, perMillionGbSeconds: 0, perMillionRowsWritten: 0, perMillionRowsRead: 0, perGbMonth: 0 },
  },
  paid: {
    name: "paid",
    limits: PAID_LIMITS,
    baseUsd: 5,
    included: { workerRequests: 10_000_000, doRequests: 1_000_000, doGbSeconds: 400_000, rowsWritten: 50_000_000, rowsRead: 25_000_000_000, storageGb: 5 },
    storageCapGb: 10,
    overageUsd: { perMillionRequests: 0.3, perMillionDoRequests: 0.15, perMillionGbSeconds: 12.5, perMillionRowsWritten: 1, perMillionRowsRead: 0.001, perGbMonth: 0.75 },
  },
};

export interface ProbeUsage {
  probeId: string;
  runsPerMonth: number;
  rowsWrittenPerMonth: number;
  subrequestsPerMonth: number;
  rawBytesPerRun: number;
}

export interface CostEstimate {
  plan: PlanName;
  perMonth: {
    cronInvocations: number;
    runs: number;
    doRequests: number;
    doGbSeconds: number;
    subrequests: number;
    rowsWritten: number;
    rowsRead: number;
  };
  peakShardsPerTick: number;
  storage: { rawRunsRows: number; rollupRows: number; bytes: number };
  probes: ProbeUsage[];
  usd: { base: number; overage: number; total: number };
  warnings: string[];
}

/** A run result shaped like a healthy run of this probe, to size its stored row with the real encoder. */
function typicalRun(probe: LoadedProbe): RunResult {
  const steps: StepResult[] = probe.probe.steps.map((step) => ({
    name: step.name,
    kind: isScriptStep(step) ? "script" : "http",
    status: "passed",
    ttfbMs: 120,
    totalMs: 180,
    exchanges: [{ method: isScriptStep(step) ? "GET" : step.method, url: `https://example.com/${step.name}`, status: 200, ttfbMs: 120, totalMs: 180 }],
    assertions: isScriptStep(step) ? [] : [{ label: "status", passed: true, expected: "200-299", actual: "200" }, ...step.assert.map(() => ({ label: "assertion", passed: true, expected: "x", actual: "x" }))],
  }));
  return { runId: `${probe.probe.id}.weur.0`, probeId: probe.probe.id, probeVersion: probe.version, region: "weur", colo: "weur", slotAt: 0, startedAt: 0, durationMs: 500, status: "up", steps };
}

function rawRowBytes(probe: LoadedProbe): number {
  const row = toRunRow(typicalRun(probe));
  return Object.values(row).reduce<number>((n, v) => n + (typeof v === "string" ? new TextEncoder().encode(v).byteLength : 8), 0) + ROW_OVERHEAD_BYTES;
}

export interface EstimateOptions {
  plan: PlanName;
  retention: RetentionPolicy;
  /** Status page and API reads per month, to price rows read (default 100 000). */
  pageViewsPerMonth?: number;
}

export function estimateCost(probes: readonly LoadedProbe[], options: EstimateOptions): CostEstimate {
  const terms = PLANS[options.plan];
  const warnings: string[] = [];

  // One hour covers every schedule's cycle (the longest interval is 1h); plan it tick by tick.
  let runsPerHour = 0;
  let shardsPerHour = 0;
  let doSecondsPerHour = 0;
  let peakShardsPerTick = 0;
  const overLimit = new Set<string>();
  const origin = Date.UTC(2026, 0, 1);
  const costs = new Map(probes.map((p) => [p, estimateRunCost(p)]));
  const costOf = (p: LoadedProbe) => costs.get(p) ?? estimateRunCost(p);
  for (let minute = 0; minute < 60; minute++) {
    const planned = planTick(probes, origin + minute * MINUTE_MS);
    const shards = planShards(planned, terms.limits, (run) => costOf(run.probe));
    runsPerHour += planned.length;
    shardsPerHour += shards.length;
    peakShardsPerTick = Math.max(peakShardsPerTick, shards.length);
    for (const shard of shards) {
      doSecondsPerHour += shardWallMs(shard.runs.map((r) => costOf(r.probe)), terms.limits.inFlight) / 1000;
      if (shard.overLimit?.length) for (const run of shard.runs) overLimit.add(`${run.probe.probe.id} (${shard.overLimit.join(", ")})`);
    }
  }

  const usage: ProbeUsage[] = probes.map((p) => {
    const runsPerMonth = (MINUTES_PER_MONTH / intervalMinutes(p)) * p.probe.regions.length;
    // Written rows: the run and its two rollups now, and the run's deletion after retention.
    const rowsWrittenPerMonth = runsPerMonth * (STATEMENTS_PER_RUN + 1);
    return { probeId: p.probe.id, runsPerMonth, rowsWrittenPerMonth, subrequestsPerMonth: runsPerMonth * costOf(p).requests, rawBytesPerRun: rawRowBytes(p) };
  });

  const runs = runsPerHour * HOURS_PER_MONTH;
  const doRequests = shardsPerHour * HOURS_PER_MONTH;
  const pairs = probes.reduce((n, p) => n + p.probe.regions.length, 0);
  const pageViews = options.pageViewsPerMonth ?? 100_000;
  // The cron reads what it deletes (the chunk's subquery), and rebuilds each probe's day history
  // once a day from its daily rollups (90 days x regions); finding what is stale reads a row per
  // probe, counted here on every tick though an isolate looks once an hour when all are done. A status
  // page view reads, as D1's meta counted it in bench:page, 4 rows per pair for the newest run,
  // today's daily rollup per pair, and a day history per probe (incidents and maintenance not
  // counted: a handful of rows).
  const dayHistoryReads = 30 * pairs * HISTORY_DAYS + MINUTES_PER_MONTH * probes.length;
  const rowsRead = runs + dayHistoryReads + pageViews * (pairs * 5 + probes.length);
  // Day histories: one row per probe rewritten once a day.
  const rowsWritten = usage.reduce((n, u) => n + u.rowsWrittenPerMonth, 0) + 30 * probes.length;
  const subrequests = usage.reduce((n, u) => n + u.subrequestsPerMonth, 0) + doRequests;
  const doGbSeconds = doSecondsPerHour * HOURS_PER_MONTH * DO_GB;

  const rawRunsRows = usage.reduce((n, u) => n + (u.runsPerMonth / 30) * options.retention.rawRunDays, 0);
  const rollupRows = pairs * (options.retention.rollupDays * 24 + options.retention.rollupDays);
  const bytes = usage.reduce((n, u) => n + (u.runsPerMonth / 30) * options.retention.rawRunDays * u.rawBytesPerRun, 0) + rollupRows * ROLLUP_ROW_BYTES;

  const heaviest = [...usage].sort((a, b) => b.rowsWrittenPerMonth - a.rowsWrittenPerMonth).slice(0, 3).map((u) => u.probeId).join(", ");
  if (terms.perDay) {
    const writesPerDay = rowsWritten / 30;
    if (writesPerDay > terms.perDay.rowsWritten) {
      warnings.push(`D1 rows written: ${fmt(writesPerDay)}/day is over the Free plan's ${fmt(terms.perDay.rowsWritten)}/day; run the heaviest probes (${heaviest}) less often or from fewer regions, or use --plan paid`);
    }
    const doRequestsPerDay = doRequests / 30;
    if (doRequestsPerDay > terms.perDay.doRequests) {
      warnings.push(`Durable Object requests: ${fmt(doRequestsPerDay)}/day is over the Free plan's ${fmt(terms.perDay.doRequests)}/day; fewer shards need fewer, lighter probes (${heaviest})`);
    }
    const readsPerDay = rowsRead / 30;
    if (readsPerDay > terms.perDay.rowsRead) warnings.push(`D1 rows read: ${fmt(readsPerDay)}/day is over the Free plan's ${fmt(terms.perDay.rowsRead)}/day`);
  }
  if (bytes / 1e9 > terms.storageCapGb) warnings.push(`D1 storage at steady state: ${(bytes / 1e9).toFixed(2)} GB is over the ${terms.storageCapGb} GB per database of the ${terms.name} plan; shorten RAW_RETENTION_DAYS or reduce ${heaviest}`);
  if (overLimit.size) warnings.push(`runs that alone exceed one invocation's limits on the ${terms.name} plan: ${[...overLimit].join("; ")}; split the journey or use fewer requests per run`);
  if (peakShardsPerTick > terms.limits.subrequests - 1) warnings.push(`${peakShardsPerTick} shards in one tick exceed the dispatcher's ${terms.limits.subrequests} subrequests; spread schedules or use --plan paid`);

  const over = (used: number, included: number, perMillion: number) => (Math.max(0, used - included) / 1e6) * perMillion;
  const o = terms.overageUsd;
  const overage =
    over(MINUTES_PER_MONTH + doRequests, terms.included.workerRequests, o.perMillionRequests) +
    over(doRequests, terms.included.doRequests, o.perMillionDoRequests) +
    over(doGbSeconds, terms.included.doGbSeconds, o.perMillionGbSeconds) +
    over(rowsWritten, terms.included.rowsWritten, o.perMillionRowsWritten) +
    over(rowsRead, terms.included.rowsRead, o.perMillionRowsRead) +
    Math.max(0, bytes / 1e9 - terms.included.storageGb) * o.perGbMonth;

  return {
    plan: options.plan,
    perMonth: { cronInvocations: MINUTES_PER_MONTH, runs, doRequests, doGbSeconds, subrequests, rowsWritten, rowsRead },
    peakShardsPerTick,
    storage: { rawRunsRows: Math.round(rawRunsRows), rollupRows, bytes: Math.round(bytes) },
    probes: usage,
    usd: { base: terms.baseUsd, overage: round2(overage), total: round2(terms.baseUsd + overage) },
    warnings,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
