/**
 * Splits one tick's planned runs into shards, each small enough for one Durable Object
 * invocation.
 *
 * Why: an invocation has hard ceilings (subrequests, D1 queries) and a tick has a soft one (all
 * runs should finish well inside the minute, before the next tick). One object per region
 * running everything breaks on Free at a few dozen runs; one object per run wastes an
 * invocation per run. Packing runs into as few shards as fit keeps both the cost and the
 * number of objects low. Pure and deterministic: the same runs and limits always give the same
 * shards, so a replayed tick dispatches to the same objects.
 */
import { isScriptStep } from "../probe/schema.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { PlannedRun } from "./plan.ts";
import { MAX_SAVE_STATEMENTS } from "../storage/run-write.ts";

export interface InvocationLimits {
  /** Subrequests (fetches) one invocation may make. */
  subrequests: number;
  /** D1 queries one invocation may make. */
  d1Queries: number;
  /** Requests waiting for headers at once; more are queued. */
  inFlight: number;
  /** Wall time a shard should stay under so the tick ends before the next one. */
  wallBudgetMs: number;
  /** Browsers one shard holds at once (default BROWSERS_PER_SHARD); its browser runs take turns on them. */
  browsers?: number;
}

/**
 * Browsers per shard: each is one of the account's concurrent browsers (10 included on Workers
 * Paid, 3 on Free). A shard's browser runs take turns on them (a fresh context each), so a shard
 * holds as many browser runs as its browsers can run one after another in its wall budget.
 */
export const BROWSERS_PER_SHARD = 2;

/**
 * What a browser run is assumed to cost before it runs: the binding's session acquire and its
 * connection (the page's own requests are the browser's, not the Worker's subrequests), and a
 * journey of about 15 s.
 */
const BROWSER_RUN_REQUESTS = 3;
export const BROWSER_RUN_EXPECTED_MS = 15_000;

/** Workers Free: 50 subrequests and 50 D1 queries per invocation. */
export const FREE_LIMITS: InvocationLimits = Object.freeze({
  subrequests: 50,
  d1Queries: 50,
  inFlight: 6,
  wallBudgetMs: 45_000,
});

/** Workers Paid: 1,000 subrequests and 1,000 D1 queries per invocation. */
export const PAID_LIMITS: InvocationLimits = Object.freeze({
  subrequests: 1000,
  d1Queries: 1000,
  inFlight: 6,
  wallBudgetMs: 45_000,
});

/**
 * D1 queries one stored run adds: none, since the store writes a whole batch of runs in a fixed
 * number of statements (storage/run-write.ts). What a shard spends instead is RESERVED_D1_QUERIES.
 */
export const WRITE_QUERIES_PER_RUN = 0;

/**
 * D1 statements a shard issues whatever its size: writing what its buffer held, then its own
 * runs. Far inside every plan's limit (50 on Free), so the planner packs by the other limits.
 */
export const SHARD_D1_QUERIES = 2 * MAX_SAVE_STATEMENTS;

/** Subrequests kept back in every shard for the colo lookup (`/cdn-cgi/trace`). */
const RESERVED_SUBREQUESTS = 1;

/** What a run is expected to spend; an estimate made before running it. */
export interface RunCost {
  requests: number;
  /** Browsers the run holds (1 for a browser probe). */
  browsers?: number;
  d1Queries: number;
  expectedMs: number;
}

/**
 * The worst-case cost of one run of a probe, from its definition alone.
 *
 * An HTTP step makes 1 request plus one per redirect hop it may follow (maxRedirects), so this is
 * an upper bound. A script step's fetches cannot be counted without running it; `scriptRequests`
 * (default 10) is the assumption. Expected time is requests × `assumedRequestMs` (default 300):
 * steps run one after another. This is one attempt: `retries` are not counted.
 */
export function estimateRunCost(
  probe: LoadedProbe,
  options: { assumedRequestMs?: number; scriptRequests?: number } = {},
): RunCost {
  const assumedRequestMs = options.assumedRequestMs ?? 300;
  const scriptRequests = options.scriptRequests ?? 10;
  if (probe.probe.kind === "browser")
    return {
      requests: BROWSER_RUN_REQUESTS,
      browsers: 1,
      d1Queries: WRITE_QUERIES_PER_RUN,
      expectedMs: BROWSER_RUN_EXPECTED_MS,
    };
  let requests = 0;
  // A heartbeat makes no request: it is never run (and never planned).
  for (const step of probe.probe.kind === "http" ? probe.probe.steps : [])
    requests += isScriptStep(step) ? scriptRequests : 1 + step.maxRedirects;
  return { requests, d1Queries: WRITE_QUERIES_PER_RUN, expectedMs: requests * assumedRequestMs };
}

type LimitName = "subrequests" | "d1Queries" | "wallBudgetMs" | "browsers";

export interface Shard {
  region: string;
  /** 0, 1, 2, ... within the region. */
  index: number;
  runs: PlannedRun[];
  /**
   * Present only on a shard holding a single run that alone exceeds these limits. Such a run is
   * still dispatched (dropping it would read as "no data" with no reason); callers should log it.
   */
  overLimit?: LimitName[];
}

/** The Durable Object name of a shard; stable across ticks for the same packing. */
export function shardName(region: string, index: number): string {
  return `${region}:${index}`;
}

interface Load {
  requests: number;
  /** Sum of the browser runs' expectedMs: they run `browsers` at a time. */
  browserMs: number;
  d1Queries: number;
  /** Sum of the runs' expectedMs. */
  expectedMs: number;
  /** The largest single run's expectedMs. */
  longestMs: number;
}

/**
 * The limits a load breaks. The estimated wall time of a shard is
 * max(sum(expectedMs) / inFlight, longest single run's expectedMs): runs go inFlight at a time,
 * but one run cannot be split across slots, so a shard is never faster than its longest run. It
 * is compared as sum ≤ budget × inFlight and longest ≤ budget, which stays in exact arithmetic
 * for integer inputs.
 */
function exceeded(load: Load, limits: InvocationLimits): LimitName[] {
  const out: LimitName[] = [];
  if (load.requests > limits.subrequests - RESERVED_SUBREQUESTS) out.push("subrequests");
  if (load.d1Queries > limits.d1Queries) out.push("d1Queries");
  if (load.browserMs > limits.wallBudgetMs * (limits.browsers ?? BROWSERS_PER_SHARD)) out.push("browsers");
  if (load.expectedMs > limits.wallBudgetMs * limits.inFlight || load.longestMs > limits.wallBudgetMs)
    out.push("wallBudgetMs");
  return out;
}

/**
 * A shard's estimated wall time: max(sum of expectedMs / inFlight, longest run), since runs go
 * inFlight at a time but one run cannot be split. `exceeded` checks the same rule in integers.
 */
export function shardWallMs(costs: readonly RunCost[], inFlight: number): number {
  return Math.max(costs.reduce((n, c) => n + c.expectedMs, 0) / inFlight, ...costs.map((c) => c.expectedMs));
}

function compareRuns(a: PlannedRun, b: PlannedRun): number {
  const idA = a.probe.probe.id;
  const idB = b.probe.probe.id;
  if (idA !== idB) return idA < idB ? -1 : 1;
  return a.slotAt - b.slotAt;
}

/**
 * Packs one region's runs, in order, into consecutive shards (next-fit): a run joins the current
 * shard if the shard still fits every limit (and `maxRuns`) with it, otherwise it opens the next.
 */
function packRegion(
  region: string,
  ordered: readonly PlannedRun[],
  limits: InvocationLimits,
  cost: (run: PlannedRun) => RunCost,
  maxRuns: (index: number) => number,
): Shard[] {
  const shards: Shard[] = [];
  let current: Shard | undefined;
  let load: Load = { requests: 0, browserMs: 0, d1Queries: 0, expectedMs: 0, longestMs: 0 };
  for (const run of ordered) {
    const c = cost(run);
    const withRun: Load = {
      requests: load.requests + c.requests,
      browserMs: load.browserMs + (c.browsers ? c.expectedMs : 0),
      d1Queries: load.d1Queries + c.d1Queries,
      expectedMs: load.expectedMs + c.expectedMs,
      longestMs: Math.max(load.longestMs, c.expectedMs),
    };
    if (
      current &&
      !current.overLimit &&
      current.runs.length < maxRuns(current.index) &&
      exceeded(withRun, limits).length === 0
    ) {
      current.runs.push(run);
      load = withRun;
      continue;
    }
    current = { region, index: shards.length, runs: [run] };
    load = {
      requests: c.requests,
      browserMs: c.browsers ? c.expectedMs : 0,
      d1Queries: c.d1Queries,
      expectedMs: c.expectedMs,
      longestMs: c.expectedMs,
    };
    const over = exceeded(load, limits);
    if (over.length) current.overLimit = over;
    shards.push(current);
  }
  return shards;
}

/**
 * Groups runs by region, then packs each region's runs, in probe-id order, into as few shards as
 * next-fit needs (k); a second pass then caps the runs per shard so the same k shards are filled
 * evenly: the first n mod k shards take ceil(n / k) runs, the others floor(n / k), so sizes differ
 * by at most one (333 + 333 + 333 + 1 becomes 4 × 250) whenever that still fits the limits. Regions come out in name order, shards in index order, each a contiguous range of ids.
 */
export function planShards(
  runs: readonly PlannedRun[],
  limits: InvocationLimits,
  cost: (run: PlannedRun) => RunCost,
): Shard[] {
  if (!(limits.inFlight >= 1)) throw new RangeError(`planShards: inFlight must be at least 1, got ${limits.inFlight}`);
  const byRegion = new Map<string, PlannedRun[]>();
  for (const run of runs) {
    const list = byRegion.get(run.region);
    if (list) list.push(run);
    else byRegion.set(run.region, [run]);
  }
  const regions = [...byRegion.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return regions.flatMap((region) => {
    const ordered = byRegion.get(region)!.slice().sort(compareRuns);
    const tight = packRegion(region, ordered, limits, cost, () => Infinity);
    if (tight.length < 2) return tight;
    const k = tight.length;
    const base = Math.floor(ordered.length / k);
    const even = packRegion(region, ordered, limits, cost, (index) => (index < ordered.length % k ? base + 1 : base));
    return even.length === tight.length ? even : tight;
  });
}
