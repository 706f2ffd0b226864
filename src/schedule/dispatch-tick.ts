/**
 * The dispatcher: one cron tick plans the due (probe, region) runs, packs them into shards that
 * fit one invocation's limits and hands each shard to its region runner. A shard that cannot be
 * reached leaves its runs as no-data for this slot: nothing is invented. (Retention is a tick
 * stage of its own, src/tick/prune-stage.ts, so a failing prune never costs the runs.)
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunStatus } from "../probe/result.ts";
import { isDue, planTick, slotOf } from "./plan.ts";
import { estimateRunCost, planShards, type InvocationLimits } from "./shard-plan.ts";
import type { RunOutcome, ShardReport, ShardRequest } from "./shard-executor.ts";

interface DispatchDeps {
  probes: readonly LoadedProbe[];
  limits: InvocationLimits;
  runShard: (request: ShardRequest) => Promise<ShardReport>;
  /** Probes whose runs at this slot fall in a maintenance window excluded from SLOs. */
  maintenanceProbeIds?: (slotAt: number) => string[];
  /** Probes a release watch covers at this slot: due every minute (plan.ts planTick). */
  watchedProbeIds?: ReadonlySet<string>;
  /** Browser probes that never ran: due now, whatever their phase (tick/dispatch-stage.ts). */
  firstRunProbeIds?: ReadonlySet<string>;
}

export interface TickReport {
  slotAt: number;
  planned: number;
  /** Of the planned runs, those due only because a release watch covers their probe. */
  watchRuns: number;
  /** Of the planned runs, those due only because their (browser) probe never ran. */
  firstRuns: number;
  shards: number;
  completed: number;
  stored: number;
  buffered: number;
  rowsWritten: number;
  unreachableShards: string[];
  byStatus: Record<RunStatus, number>;
  /** Buffered results the runners dropped because their buffer was full (see result-buffer.ts). */
  dropped: number;
  /** Every run's outcome, for the incident state machines. */
  outcomes: RunOutcome[];
}

export async function dispatchTick(scheduledTime: number, deps: DispatchDeps): Promise<TickReport> {
  const slotAt = slotOf(scheduledTime);
  const watched = deps.watchedProbeIds ?? new Set<string>();
  const planned = planTick(deps.probes, scheduledTime, new Set([...watched, ...(deps.firstRunProbeIds ?? [])]));
  const offSchedule = planned.filter((run) => !isDue(run.probe, slotAt));
  const watchRuns = offSchedule.filter((run) => watched.has(run.probe.probe.id)).length;
  const firstRuns = offSchedule.length - watchRuns;
  const shards = planShards(planned, deps.limits, (run) => estimateRunCost(run.probe));
  const unreachableShards: string[] = [];
  const inMaintenance = new Set(deps.maintenanceProbeIds?.(slotAt) ?? []);
  const reports = await Promise.all(
    shards.map((shard) =>
      deps
        .runShard({
          region: shard.region,
          shard: shard.index,
          slotAt,
          probeIds: shard.runs.map((r) => r.probe.probe.id),
          maintenanceProbeIds: shard.runs.map((r) => r.probe.probe.id).filter((id) => inMaintenance.has(id)),
        })
        .catch((error: unknown) => {
          unreachableShards.push(`${shard.region}:${shard.index} (${String(error)})`);
          return null;
        }),
    ),
  );
  const byStatus: Record<RunStatus, number> = { up: 0, degraded: 0, down: 0 };
  let completed = 0;
  let stored = 0;
  let buffered = 0;
  let rowsWritten = 0;
  let dropped = 0;
  for (const report of reports) {
    if (!report) continue;
    completed += report.completed;
    stored += report.stored + report.flushed;
    buffered += report.buffered;
    rowsWritten += report.rowsWritten;
    dropped += report.dropped ?? 0;
    for (const s of report.statuses) byStatus[s.status]++;
  }
  const outcomes = reports.flatMap((r) => r?.statuses ?? []);
  return {
    slotAt,
    planned: planned.length,
    watchRuns,
    firstRuns,
    shards: shards.length,
    completed,
    stored,
    buffered,
    rowsWritten,
    unreachableShards,
    byStatus,
    dropped,
    outcomes,
  };
}
