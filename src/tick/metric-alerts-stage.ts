/** Threshold alerts on journey metrics, from the values the dispatch's runs recorded (incidents/apply-metric-alerts.ts). */
import { applyMetricAlerts } from "../incidents/apply-metric-alerts.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";

export const metricAlertsStage: TickStage = {
  name: "metric-alerts",
  async run(tick, deps) {
    // No outcomes is no data: nothing is breached or recovered.
    if (!tick.dispatch) return { skipped: "no run outcomes (the dispatch stage failed)" };
    const { maintenances, note } = maintenancesOf(tick);
    const report = await applyMetricAlerts(tick.dispatch.outcomes, {
      probes: deps.probes,
      states: deps.probeStates,
      outbox: deps.outbox,
      channels: deps.channelNames,
      maintenances,
      slotAt: tick.slotAt,
      now: deps.now(),
    });
    return note ? { ...report, note } : report;
  },
};
