/** Loads the maintenance windows once per tick: the dispatch, the incident step and the burn alerts read them. */
import type { Maintenance } from "../incidents/model.ts";
import type { TickContext, TickStage } from "./stage.ts";

export const maintenancesStage: TickStage = {
  name: "maintenances",
  async run(tick, deps) {
    tick.maintenances = await deps.maintenances.listMaintenances();
    return { windows: tick.maintenances.length };
  },
};

/**
 * The windows for a later stage. When the maintenances stage failed there are none: the tick
 * goes on (a read that failed must not stop the measuring), and the stage's report says so.
 */
export function maintenancesOf(tick: TickContext): { maintenances: readonly Maintenance[]; note?: string } {
  return tick.maintenances
    ? { maintenances: tick.maintenances }
    : { maintenances: [], note: "maintenance windows unknown (the maintenances stage failed): none applied" };
}
