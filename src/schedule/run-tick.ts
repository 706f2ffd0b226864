/**
 * One cron tick: plan the due runs, run them with bounded concurrency, store the results.
 * A failing target never throws out of here; a failing store is reported to the caller.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunResult } from "../probe/result.ts";
import { runProbe, type RunnerDeps } from "../probe/run-probe.ts";
import type { RunStore } from "../storage/run-store.ts";
import { mapWithConcurrency } from "./concurrency.ts";
import { planTick, slotOf } from "./plan.ts";

/** Requests in flight at once per invocation (the Workers limit on connections awaiting headers). */
export const MAX_IN_FLIGHT = 6;

export interface TickDeps {
  probes: readonly LoadedProbe[];
  store: RunStore;
  runner: RunnerDeps;
  /** Where a run for this region really happens (the label locally, a colo in production). */
  coloFor: (region: string) => string;
}

export interface TickReport {
  slotAt: number;
  planned: number;
  completed: number;
  inserted: number;
  rowsWritten: number;
  byStatus: Record<RunResult["status"], number>;
}

export async function runTick(scheduledTime: number, deps: TickDeps): Promise<TickReport> {
  const planned = planTick(deps.probes, scheduledTime);
  const results = await mapWithConcurrency(planned, MAX_IN_FLIGHT, (run) =>
    runProbe(run.probe, { region: run.region, colo: deps.coloFor(run.region), slotAt: run.slotAt }, deps.runner),
  );
  const saved = await deps.store.saveRuns(results);
  const byStatus = { up: 0, degraded: 0, down: 0 };
  for (const r of results) byStatus[r.status]++;
  return { slotAt: slotOf(scheduledTime), planned: planned.length, completed: results.length, inserted: saved.inserted, rowsWritten: saved.rowsWritten, byStatus };
}
