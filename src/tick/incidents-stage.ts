/** Steps every probe's incident state machine on the dispatch's and the heartbeats' outcomes (incidents/apply-tick.ts). */
import { applyIncidentTick } from "../incidents/apply-tick.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";

export const incidentsStage: TickStage = {
  name: "incidents",
  async run(tick, deps) {
    // No outcomes is no data, and no data steps nothing: nothing opens, nothing closes.
    // Without the dispatch, the heartbeats' outcomes alone are stepped (when there are any).
    if (!tick.dispatch && !tick.heartbeats?.length) return { skipped: "no run outcomes (the dispatch stage failed)" };
    const { maintenances, note } = maintenancesOf(tick);
    const outcomes = [...(tick.dispatch?.outcomes ?? []), ...(tick.heartbeats ?? [])];
    const report = await applyIncidentTick(outcomes, tick.slotAt, {
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
