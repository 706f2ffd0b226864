/** SLO burn-rate alerts, every 5th minute (incidents/apply-burn-alerts.ts). */
import { applyBurnAlerts } from "../incidents/apply-burn-alerts.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";

export const burnStage: TickStage = {
  name: "burn",
  async run(tick, deps) {
    const { maintenances, note } = maintenancesOf(tick);
    const report = await applyBurnAlerts({
      probes: deps.probes,
      states: deps.probeStates,
      outbox: deps.outbox,
      slo: { store: deps.runs, rawRetentionDays: deps.retention.rawRunDays },
      channels: deps.channelNames,
      maintenances,
      slotAt: tick.slotAt,
      now: deps.now(),
    });
    return note ? { ...report, note } : report;
  },
};
