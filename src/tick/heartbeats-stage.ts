/**
 * Judges every heartbeat on what happened since the last tick judged it (heartbeats/judge.ts):
 * the pings that arrived and the deadlines that passed. An outcome is stored as the heartbeat's
 * run at this tick's slot, in the pseudo-region "push", so the rollups, SLOs, status page and
 * /metrics count it like any run, and is handed to the incident step like a dispatched run.
 *
 * D1 work is constant whatever the number of heartbeats: one read of every heartbeat row, one
 * saveRuns, one write of the judged instants. Only a heartbeat with an outcome is marked judged:
 * a window without one holds no ping and no deadline, so judging it again with the next window
 * finds the same nothing, and a quiet heartbeat costs no written row per tick. The runs are written before the judged instants:
 * if the second write fails, the next tick judges the same window again and its runs, keyed by
 * (probe, "push", slot), are the same rows or new ones at its own slot, never lost ones.
 */
import { judgeHeartbeat, type HeartbeatJudgement } from "../heartbeats/judge.ts";
import { isInMaintenance } from "../incidents/maintenance-windows.ts";
import { isLoadedHeartbeat, type LoadedHeartbeat } from "../probe/registry.ts";
import { runIdOf, type RunResult } from "../probe/result.ts";
import { durationMs, HEARTBEAT_REGION } from "../probe/schema.ts";
import type { RunOutcome } from "../schedule/shard-executor.ts";
import { DAY_MS } from "../time.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";

/** After a long gap in ticks, at most this far back is judged (one outcome per tick either way). */
const MAX_CATCH_UP_MS = DAY_MS;

/** The step name a heartbeat's failure is reported under (public text names it). */
const HEARTBEAT_STEP = "heartbeat";

function message(probe: LoadedHeartbeat["probe"], j: HeartbeatJudgement): string {
  const when = new Date(j.at).toISOString();
  switch (j.reason) {
    case "fail":
      return `the job reported a failure (/fail) at ${when}`;
    case "run-too-long":
      return `the job started but sent no success within the grace of ${probe.grace} (by ${when})`;
    case "missed":
      return `no success ping within the period ${probe.period} and the grace ${probe.grace} (due by ${when})`;
    case "success":
      return "success ping";
  }
}

/** A judgement as the heartbeat's run at the tick's slot. */
function heartbeatRun(
  loaded: LoadedHeartbeat,
  j: HeartbeatJudgement,
  slotAt: number,
  inMaintenance: boolean,
): RunResult {
  const { probe } = loaded;
  return {
    runId: runIdOf(probe.id, HEARTBEAT_REGION, slotAt),
    probeId: probe.id,
    probeVersion: loaded.version,
    region: HEARTBEAT_REGION,
    colo: HEARTBEAT_REGION,
    slotAt,
    startedAt: j.at,
    durationMs: 0,
    status: j.status,
    steps: [],
    ...(j.status === "down"
      ? {
          failure: {
            class: j.reason === "fail" ? "script" : "timeout",
            step: HEARTBEAT_STEP,
            message: message(probe, j),
          },
        }
      : {}),
    ...(inMaintenance ? { inMaintenance: true } : {}),
  };
}

export const heartbeatsStage: TickStage = {
  name: "heartbeats",
  async run(tick, deps) {
    const beats = deps.probes.filter(isLoadedHeartbeat);
    tick.heartbeats = [];
    if (beats.length === 0) return { heartbeats: 0 };
    const { maintenances, note } = maintenancesOf(tick);
    const excluded = maintenances.filter((m) => m.excludeFromSlo);
    const rows = new Map((await deps.heartbeats.list(beats.map((b) => b.probe.id))).map((h) => [h.probeId, h]));
    const runs: RunResult[] = [];
    const judged: { probeId: string; through: number }[] = [];
    for (const beat of beats) {
      const row = rows.get(beat.probe.id);
      if (!row) continue; // no secret yet, so no ping ever: no data
      const from = Math.max(row.judgedThrough ?? 0, tick.slotAt - MAX_CATCH_UP_MS);
      if (from >= tick.slotAt) continue; // a replayed or late tick: already judged
      const timing = { periodMs: durationMs(beat.probe.period), graceMs: durationMs(beat.probe.grace) };
      const judgement = judgeHeartbeat(timing, row, from, tick.slotAt);
      if (!judgement) continue;
      judged.push({ probeId: beat.probe.id, through: tick.slotAt });
      runs.push(heartbeatRun(beat, judgement, tick.slotAt, isInMaintenance(beat.probe.id, excluded, tick.slotAt)));
    }
    const saved = runs.length ? await deps.runs.saveRuns(runs) : { inserted: 0, rowsWritten: 0 };
    const marked = judged.length ? await deps.heartbeats.judgedStatement(judged).run() : undefined;
    tick.heartbeats = runs.map(
      (r): RunOutcome => ({
        probeId: r.probeId,
        runId: r.runId,
        status: r.status,
        ...(r.failure ? { failure: { step: r.failure.step, class: r.failure.class, message: r.failure.message } } : {}),
      }),
    );
    const report = {
      heartbeats: beats.length,
      judged: judged.length,
      up: runs.filter((r) => r.status === "up").length,
      down: runs.filter((r) => r.status === "down").length,
      rowsWritten: saved.rowsWritten + (marked?.meta.rows_written ?? 0),
    };
    return note ? { ...report, note } : report;
  },
};
