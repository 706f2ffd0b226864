/**
 * One cron tick: its stages in order, each on its own (stage.ts). A stage that throws is logged
 * with its name and the next one runs; a stage that needs an earlier one's result gets none and
 * says so in its report. The tick ends with one summary line: every stage's report and the
 * stage errors.
 *
 * Order matters where a stage reads what an earlier one made: the maintenance windows before
 * the dispatch, the dispatch's and the heartbeats' outcomes before the incident step, the dispatch's runs before the
 * release watch, the daily rollups before the day histories, every watched stage before the
 * watchdog, and the delivery last so the notices of this tick go out in this tick.
 */
import { slotOf } from "../schedule/plan.ts";
import { burnStage } from "./burn-stage.ts";
import { dayHistoryStage } from "./day-history-stage.ts";
import { deliveryStage } from "./delivery-stage.ts";
import { dispatchStage } from "./dispatch-stage.ts";
import { heartbeatsStage } from "./heartbeats-stage.ts";
import { incidentsStage } from "./incidents-stage.ts";
import { maintenancesStage } from "./maintenances-stage.ts";
import { metricAlertsStage } from "./metric-alerts-stage.ts";
import { pruneStage } from "./prune-stage.ts";
import { releaseWatchStage } from "./release-watch-stage.ts";
import { rollUpDaysStage } from "./roll-up-days-stage.ts";
import { sealHoursStage } from "./seal-hours-stage.ts";
import { statusBoardStage } from "./status-board-stage.ts";
import { runStage, type StageFailure, type TickContext, type TickStage } from "./stage.ts";
import type { TickDeps } from "./tick-deps.ts";
import { watchdogStage } from "./watchdog-stage.ts";

export const TICK_STAGES: readonly TickStage[] = [
  maintenancesStage,
  dispatchStage,
  // Judges the heartbeats' pings and deadlines into runs, before the incident step reads outcomes.
  heartbeatsStage,
  pruneStage,
  incidentsStage,
  // From the same outcomes: the values the runs recorded.
  metricAlertsStage,
  burnStage,
  // After the dispatch stored this minute's runs, which the watches' looks include.
  releaseWatchStage,
  // After the dispatch stored the runs: closed hours into hourly rollups, settled days into daily
  // ones, before the day histories that read them.
  sealHoursStage,
  rollUpDaysStage,
  dayHistoryStage,
  // After the runs and the day histories it reads: the status page's one row.
  statusBoardStage,
  watchdogStage,
  deliveryStage,
];

interface TickSummary {
  slotAt: number;
  /** Each stage's report by name; a failed stage has none. */
  reports: Record<string, unknown>;
  stageErrors: StageFailure[];
}

export async function runTick(
  scheduledTime: number,
  deps: TickDeps,
  stages: readonly TickStage[] = TICK_STAGES,
): Promise<TickSummary> {
  const tick: TickContext = {
    scheduledTime,
    slotAt: slotOf(scheduledTime),
    maintenances: null,
    dispatch: null,
    heartbeats: null,
    ran: [],
    failures: [],
  };
  const reports: Record<string, unknown> = {};
  for (const stage of stages) {
    const report = await runStage(stage, tick, deps);
    if (report !== undefined) reports[stage.name] = report;
  }
  const summary: TickSummary = { slotAt: tick.slotAt, reports, stageErrors: [...tick.failures] };
  // The dispatch's figures stay at the top of the line, where the benchmarks and the local runner
  // read them (planned, stored, rowsWritten, ...); every other stage's report is under its name.
  const { dispatch, ...others } = reports;
  console.log(
    JSON.stringify({
      event: "tick",
      ...(dispatch as object | undefined),
      slotAt: tick.slotAt,
      ...others,
      stageErrors: summary.stageErrors,
    }),
  );
  return summary;
}
