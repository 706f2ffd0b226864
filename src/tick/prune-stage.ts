/**
 * Retention: each (probe, region) pair gets a turn once an hour (planPrune). A stage of its own
 * so that a failing delete never costs the tick its runs or its incidents.
 */
import { REGIONS } from "../probe/schema.ts";
import { planPrune } from "../storage/retention.ts";
import type { TickStage } from "./stage.ts";

export const pruneStage: TickStage = {
  name: "prune",
  async run(tick, deps) {
    const pairs = deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
    // Every region, not only today's: blocks of a region no probe runs in any more expire too.
    return deps.runs.prune(planPrune(pairs, tick.slotAt, deps.retention, REGIONS));
  },
};
