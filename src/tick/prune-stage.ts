/**
 * Retention: each (probe, region) pair gets a turn once an hour (planPrune). A stage of its own
 * so that a failing delete never costs the tick its runs or its incidents.
 */
import { planPrune } from "../storage/retention.ts";
import type { TickStage } from "./stage.ts";

export const pruneStage: TickStage = {
  name: "prune",
  async run(tick, deps) {
    const pairs = deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
    return deps.runs.prune(planPrune(pairs, tick.slotAt, deps.retention));
  },
};
