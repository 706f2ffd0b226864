/** Plans the tick's runs, shards them, and has the region runners run and store them. */
import { isInMaintenance } from "../incidents/maintenance-windows.ts";
import { dispatchTick } from "../schedule/dispatch-tick.ts";
import { maintenancesOf } from "./maintenances-stage.ts";
import type { TickStage } from "./stage.ts";
import type { TickDeps } from "./tick-deps.ts";

/** Browser probes this isolate has seen stored runs of. */
const browserProbesThatRan = new Set<string>();

/**
 * Browser probes with no stored run in any region yet: they run at this tick, whatever their
 * phase, instead of waiting up to their interval (5 minutes or more) for a first result. One
 * statement while some are unknown to the isolate, none once every one has run.
 */
async function newBrowserProbes(deps: TickDeps): Promise<string[]> {
  const pending = deps.probes.filter((p) => p.probe.kind === "browser" && !browserProbesThatRan.has(p.probe.id));
  if (pending.length === 0) return [];
  const [firstRuns] = await deps.runs.read([
    deps.runs.firstRunsRead(pending.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })))),
  ]);
  for (const key of firstRuns.keys()) browserProbesThatRan.add(key.slice(0, key.indexOf("|")));
  return pending.map((p) => p.probe.id).filter((id) => !browserProbesThatRan.has(id));
}

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
    const firstRuns = await newBrowserProbes(deps).catch(() => []);
    const report = await dispatchTick(tick.scheduledTime, {
      watchedProbeIds: new Set(watched),
      firstRunProbeIds: new Set(firstRuns),
      probes: deps.probes,
      limits: deps.limits,
      runShard: deps.runShard,
      maintenanceProbeIds: (slotAt) =>
        deps.probes.filter((p) => isInMaintenance(p.probe.id, excludedFromSlo, slotAt)).map((p) => p.probe.id),
    });
    tick.dispatch = report;
    if (report.unreachableShards.length)
      console.error(
        JSON.stringify({ event: "shards_unreachable", slotAt: tick.slotAt, shards: report.unreachableShards }),
      );
    if (report.dropped > 0)
      console.error(JSON.stringify({ event: "buffered_runs_dropped", slotAt: tick.slotAt, dropped: report.dropped }));
    const { outcomes: _outcomes, ...summary } = report;
    const notes = [note, watchNote].filter(Boolean).join("; ");
    return notes ? { ...summary, note: notes } : summary;
  },
};
