/**
 * One stage of the tick, run on its own: whatever it throws is caught, logged as one JSON line
 * with the stage's name, and recorded on the tick, so the stages after it still run and the
 * watchdog can count the stages that keep failing.
 */
import type { Maintenance } from "../incidents/model.ts";
import type { TickReport } from "../schedule/dispatch-tick.ts";
import type { RunOutcome } from "../schedule/shard-executor.ts";
import type { TickDeps } from "./tick-deps.ts";

export interface StageFailure {
  stage: string;
  error: string;
}

/** What the stages of one tick hand on to the ones after them. */
export interface TickContext {
  readonly scheduledTime: number;
  /** The tick's minute (epoch ms). */
  readonly slotAt: number;
  /** Set by the maintenances stage; null when it failed. */
  maintenances: readonly Maintenance[] | null;
  /** Set by the dispatch stage; null when it failed (the stages that need its outcomes then get none). */
  dispatch: TickReport | null;
  /** Set by the heartbeats stage: the heartbeats' outcomes of this tick; null when it failed. */
  heartbeats: RunOutcome[] | null;
  /** The stages run so far, in order. */
  readonly ran: string[];
  /** The stages that failed so far, in order. */
  readonly failures: StageFailure[];
}

export interface TickStage {
  /** Short and stable: it is in the logs, in the watchdog's state and in its notices' keys. */
  readonly name: string;
  /** Returns the stage's report (for the tick's summary line). */
  run(tick: TickContext, deps: TickDeps): Promise<unknown>;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs the stage; its report, or undefined when it failed (and the failure is on the tick). */
export async function runStage(stage: TickStage, tick: TickContext, deps: TickDeps): Promise<unknown> {
  tick.ran.push(stage.name);
  try {
    return await stage.run(tick, deps);
  } catch (error) {
    const failure = { stage: stage.name, error: describe(error) };
    tick.failures.push(failure);
    console.error(JSON.stringify({ event: "stage_failed", slotAt: tick.slotAt, ...failure }));
    return undefined;
  }
}
