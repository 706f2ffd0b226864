/**
 * What one tick says about each probe, across its regions: the verdict the incident state
 * machine steps on. A region counts as failed only when its run failed and the retry from
 * another region failed too (or the probe asked for no retry): one failed run alerts nobody.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { runIdOf } from "../probe/result.ts";
import type { RunOutcome } from "../schedule/shard-executor.ts";
import { probeState, quorumOf, type RegionState } from "../status/overview.ts";
import type { Observation } from "./probe-state-machine.ts";

function confirmedDown(outcome: RunOutcome): boolean {
  return outcome.status === "down" && (outcome.confirmation === undefined || outcome.confirmation.status === "down");
}

/** One observation per probe that had at least one run reported in this tick. */
export function observeTick(
  probes: readonly LoadedProbe[],
  outcomes: readonly RunOutcome[],
  slotAt: number,
  inMaintenance: (probeId: string) => boolean,
): Map<string, Observation> {
  const byRun = new Map(outcomes.map((o) => [o.runId, o]));
  const observations = new Map<string, Observation>();
  for (const loaded of probes) {
    const id = loaded.probe.id;
    const regional = loaded.probe.regions.map((region) => ({
      region,
      outcome: byRun.get(runIdOf(id, region, slotAt)),
    }));
    if (regional.every((r) => r.outcome === undefined)) continue;
    const states: RegionState[] = regional.map(({ region, outcome }) => ({
      region,
      state:
        outcome === undefined
          ? "no-data"
          : confirmedDown(outcome)
            ? "down"
            : outcome.status === "down"
              ? "up"
              : outcome.status,
    }));
    const failing = regional.filter((r) => r.outcome && confirmedDown(r.outcome));
    const first = failing[0]?.outcome;
    observations.set(id, {
      slotAt,
      verdict: probeState(states, quorumOf(loaded)),
      inMaintenance: inMaintenance(id),
      regions: failing.map((r) => r.region),
      ...(first?.failure ? { failure: { ...first.failure, runId: first.runId } } : {}),
    });
  }
  return observations;
}
