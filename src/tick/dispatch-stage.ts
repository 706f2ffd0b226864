/** Plans the tick's runs, shards them, and has the region runners run and store them. */
import { isInMaintenance } from "../incidents/maintenance-windows.ts";
import { dispatchTick } from "../schedule/dispatch-tick.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";

export const dispatchStage: TickStage = {
  name: "dispatch",
  async run(tick, deps) {
    const { maintenances, note } = maintenancesOf(tick);
    const excludedFromSlo = maintenances.filter((m) => m.excludeFromSlo);
    // A failed read of the release watches must not cost the tick its runs: the probes then run on their own schedule.
    let watchNote: string | undefined;
    const watched = await deps.releases.watchedProbeIds(tick.slotAt).catch((error: unknown) => {
      watchNote = `release watches unread: ${String(error)}`;
      return [];
    });
    const report = await dispatchTick(tick.scheduledTime, {
      watchedProbeIds: new Set(watched),
      probes: deps.probes,
      limits: deps.limits,
      runShard: deps.runShard,
      maintenanceProbeIds: (slotAt) => deps.probes.filter((p) => isInMaintenance(p.probe.id, excludedFromSlo, slotAt)).map((p) => p.probe.id),
    });
    tick.dispatch = report;
    if (report.unreachableShards.length) console.error(JSON.stringify({ event: "shards_unreachable", slotAt: tick.slotAt, shards: report.unreachableShards }));
    if (report.dropped > 0) console.error(JSON.stringify({ event: "buffered_runs_dropped", slotAt: tick.slotAt, dropped: report.dropped }));
    const { outcomes: _outcomes, ...summary } = report;
    const notes = [note, watchNote].filter(Boolean).join("; ");
    return notes ? { ...summary, note: notes } : summary;
  },
};
