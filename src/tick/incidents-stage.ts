/** Steps every probe's incident state machine on the dispatch's outcomes (incidents/apply-tick.ts). */
import { applyIncidentTick } from "../incidents/apply-tick.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";

export const incidentsStage: TickStage = {
  name: "incidents",
  async run(tick, deps) {
    // No outcomes is no data, and no data steps nothing: nothing opens, nothing closes.
    if (!tick.dispatch) return { skipped: "no run outcomes (the dispatch stage failed)" };
    const { maintenances, note } = maintenancesOf(tick);
    const report = await applyIncidentTick(tick.dispatch.outcomes, tick.slotAt, {
      probes: deps.probes,
      incidents: deps.incidents,
      states: deps.probeStates,
      outbox: deps.outbox,
      channels: deps.channelNames,
      maintenances,
      now: deps.now(),
    });
    return note ? { ...report, note } : report;
  },
};
