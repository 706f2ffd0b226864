/**
 * What a region runner does with one shard of a tick: run each probe (at most MAX_IN_FLIGHT at
 * once), confirm failures from another region, and store the results. A storage failure never
 * loses a result and never turns into downtime: the results wait in the runner's own storage
 * and are written on the next attempts (the next shard calls or the alarm), FLUSH_CHUNK at a
 * time, so a backlog never makes one call's D1 work grow. Only a buffer full after a long outage
 * drops results (the oldest; see result-buffer.ts), and the report counts them.
 */
import type { BrowserRun } from "../probe/browser/run-browser-probe.ts";
import { isLoadedHttp, isLoadedRunnable, type LoadedProbe, type LoadedRunnable } from "../probe/registry.ts";
import type { Confirmation, RunResult } from "../probe/result.ts";
import { runProbe, type RunOptions, type RunnerDeps } from "../probe/run-probe.ts";
import type { RunStore } from "../storage/run-store.ts";
import type { ScreenshotStore } from "../storage/screenshot-store.ts";
import { mapWithConcurrency } from "./concurrency.ts";
import { BROWSERS_PER_SHARD } from "./shard-plan.ts";
import type { ResultBuffer } from "./result-buffer.ts";

/** Requests in flight at once per invocation (the Workers limit on connections awaiting headers). */
const MAX_IN_FLIGHT = 6;

/** Buffered results written per flush at most: one saveRuns call, so a constant number of statements. */
export const FLUSH_CHUNK = 500;

export interface ShardRequest {
  region: string;
  shard: number;
  slotAt: number;
  probeIds: string[];
  /** Probes in a maintenance window excluded from SLOs at this slot: their runs are stored, not counted. */
  maintenanceProbeIds?: string[];
}

export interface ShardReport {
  region: string;
  shard: number;
  planned: number;
  completed: number;
  /** Results of this shard written to D1 now (0 when D1 failed). */
  stored: number;
  /** Results waiting in the runner's storage after this call. */
  buffered: number;
  /** Older buffered results written during this call. */
  flushed: number;
  /** Buffered results dropped during this call because the buffer was full (the oldest). */
  dropped: number;
  rowsWritten: number;
  storageError?: string;
  statuses: RunOutcome[];
}

/** What the dispatcher needs of each run to judge the probe across regions. */
export interface RunOutcome {
  probeId: string;
  runId: string;
  status: RunResult["status"];
  confirmation?: Confirmation;
  /** statusCode: of the failing step's last response, so public text can say it without the message. */
  failure?: { step: string; class: string; message: string; statusCode?: number };
  /** Journey metrics the run recorded, for the metric threshold alerts. */
  metrics?: Record<string, number>;
}

export interface ShardExecutorDeps {
  probes: ReadonlyMap<string, LoadedProbe>;
  store: RunStore;
  buffer: ResultBuffer;
  runner: RunnerDeps;
  colo: () => Promise<string>;
  /** Runs the probe once from another region and reports the outcome (stores nothing). */
  confirm: (probeId: string, region: string, slotAt: number) => Promise<Confirmation>;
  /** Runs a browser probe (Browser Rendering, or the local browser service); absent, browser probes are not run here. */
  browser?: (probe: LoadedProbe, options: RunOptions) => Promise<BrowserRun>;
  /** Where failure screenshots of browser runs go (R2). */
  screenshots?: ScreenshotStore;
}

/**
 * Runs a browser probe and stores its failure screenshot. A screenshot that cannot be stored
 * leaves the run without one (and says why in the run); it never costs the run itself.
 */
async function runBrowser(probe: LoadedProbe, options: RunOptions, deps: ShardExecutorDeps): Promise<RunResult> {
  const { result, screenshot } = await deps.browser!(probe, options);
  const ref = result.browser?.screenshot;
  if (!ref || !result.browser) return result;
  let note: string;
  if (!screenshot) note = "the screenshot was taken but not delivered";
  else if (!deps.screenshots) note = "no screenshot bucket is bound (SCREENSHOTS)";
  else {
    try {
      await deps.screenshots.put(ref.key, screenshot, result.runId);
      return result;
    } catch (error) {
      note = `the screenshot could not be stored: ${error instanceof Error ? error.message : String(error)}`.slice(
        0,
        300,
      );
    }
  }
  const { screenshot: _dropped, ...browser } = result.browser;
  return { ...result, browser: { ...browser, screenshotNote: note } };
}

/** The region a failed run is confirmed from: the next of the probe's regions, or its own if it has one. */
function confirmationRegion(probe: LoadedProbe, region: string): string {
  const regions = probe.probe.regions;
  if (regions.length < 2) return region;
  return regions[(regions.indexOf(region as never) + 1) % regions.length]!;
}

/**
 * Writes the oldest buffered results, at most `chunk` of them; returns how many were written (0
 * when D1 still fails) and how many still wait.
 */
export async function flushBuffer(
  deps: Pick<ShardExecutorDeps, "store" | "buffer">,
  chunk = FLUSH_CHUNK,
): Promise<{ flushed: number; remaining: number; error?: string }> {
  const pending = await deps.buffer.oldest(chunk);
  if (pending.length === 0) return { flushed: 0, remaining: 0 };
  try {
    await deps.store.saveRuns(pending);
  } catch (error) {
    return { flushed: 0, remaining: await deps.buffer.count(), error: String(error) };
  }
  await deps.buffer.remove(pending);
  return { flushed: pending.length, remaining: await deps.buffer.count() };
}

export async function executeShard(request: ShardRequest, deps: ShardExecutorDeps): Promise<ShardReport> {
  const colo = await deps.colo();
  const probes = request.probeIds.flatMap((id) => {
    const probe = deps.probes.get(id);
    return probe && isLoadedRunnable(probe) ? [probe] : [];
  });
  const runOne = async (probe: LoadedRunnable): Promise<RunResult> => {
    const options: RunOptions = { region: request.region, colo, slotAt: request.slotAt };
    const ran = isLoadedHttp(probe)
      ? await runProbe(probe, options, deps.runner)
      : await runBrowser(probe, options, deps);
    const result = request.maintenanceProbeIds?.includes(probe.probe.id) ? { ...ran, inMaintenance: true } : ran;
    if (result.status !== "down" || probe.probe.retries === 0) return result;
    // A confirmation that could not run leaves the failure unconfirmed rather than inventing an outcome.
    const confirmation = await deps
      .confirm(probe.probe.id, confirmationRegion(probe, request.region), request.slotAt)
      .catch(() => undefined);
    return confirmation ? { ...result, confirmation } : result;
  };
  // Browser runs go BROWSERS_PER_SHARD at a time beside the HTTP runs: each holds a browser throughout.
  const [httpResults, browserResults] = await Promise.all([
    mapWithConcurrency(
      probes.filter((p) => p.probe.kind !== "browser"),
      MAX_IN_FLIGHT,
      runOne,
    ),
    deps.browser
      ? mapWithConcurrency(
          probes.filter((p) => p.probe.kind === "browser"),
          BROWSERS_PER_SHARD,
          runOne,
        )
      : Promise.resolve([]),
  ]);
  const results = [...httpResults, ...browserResults];

  const flush = await flushBuffer(deps);
  const report: ShardReport = {
    region: request.region,
    shard: request.shard,
    planned: request.probeIds.length,
    completed: results.length,
    stored: 0,
    buffered: flush.remaining,
    flushed: flush.flushed,
    dropped: 0,
    rowsWritten: 0,
    statuses: results.map((r) => ({
      probeId: r.probeId,
      runId: r.runId,
      status: r.status,
      ...(r.confirmation ? { confirmation: r.confirmation } : {}),
      ...(r.failure
        ? { failure: { step: r.failure.step, class: r.failure.class, message: r.failure.message, ...statusCodeOf(r) } }
        : {}),
      ...(r.metrics ? { metrics: r.metrics } : {}),
    })),
  };
  try {
    const saved = await deps.store.saveRuns(results);
    report.stored = results.length;
    report.rowsWritten = saved.rowsWritten;
  } catch (error) {
    const { dropped } = await deps.buffer.put(results);
    report.buffered = await deps.buffer.count();
    report.dropped = dropped;
    report.storageError = String(error);
    if (dropped > 0)
      console.error(
        JSON.stringify({
          event: "buffer_full",
          region: request.region,
          shard: request.shard,
          dropped,
          buffered: report.buffered,
        }),
      );
  }
  return report;
}

/** The HTTP status of the failing step's last response, if it got one. */
function statusCodeOf(run: RunResult): { statusCode?: number } {
  const status = run.steps.find((s) => s.status === "failed")?.exchanges.at(-1)?.status;
  return status === undefined ? {} : { statusCode: status };
}
