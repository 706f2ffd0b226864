/**
 * The current state of every probe and of the whole network, from the newest run per region.
 * Pure: the page and the API both render this. A missing or stale run is "no-data", never "up".
 */
import { z } from "zod";
import type { LoadedProbe } from "../probe/registry.ts";
import { RunSummarySchema, type RunSummary } from "../probe/result.ts";
import { intervalMinutes } from "../schedule/plan.ts";

export const ProbeStateSchema = z.enum(["up", "degraded", "regional", "down", "no-data"]);
export type ProbeState = z.infer<typeof ProbeStateSchema>;
export const OverallStateSchema = z.enum(["operational", "degraded", "partial_outage", "major_outage", "unknown"]);
export type OverallState = z.infer<typeof OverallStateSchema>;

export const RegionStateSchema = z.object({
  region: z.string(),
  state: ProbeStateSchema,
  lastRun: RunSummarySchema.optional(),
});
export type RegionState = z.infer<typeof RegionStateSchema>;

const ProbeOverviewSchema = z.object({
  id: z.string(),
  name: z.string(),
  group: z.string(),
  description: z.string(),
  state: ProbeStateSchema,
  regions: z.array(RegionStateSchema),
  /** Epoch ms of the newest run in any region, or null. */
  lastRunAt: z.number().nullable(),
});
export type ProbeOverview = z.infer<typeof ProbeOverviewSchema>;

export const OverviewSchema = z.object({
  state: OverallStateSchema,
  checkedAt: z.number().nullable(),
  probes: z.array(ProbeOverviewSchema),
});
export type Overview = z.infer<typeof OverviewSchema>;

/** What the state needs of a region's newest run; the status page reads only this much. */
export type LatestRun = Pick<RunSummary, "probeId" | "region" | "slotAt" | "startedAt" | "status">;

/** A run older than two intervals plus a minute of slack no longer speaks for the present. */
function isStale(run: LatestRun, probe: LoadedProbe, now: number): boolean {
  const intervalMs = intervalMinutes(probe) * 60_000;
  return now - run.slotAt > 2 * intervalMs + 60_000;
}

export function quorumOf(probe: LoadedProbe): number {
  return probe.probe.quorum ?? Math.ceil(probe.probe.regions.length / 2);
}

/** Down when a quorum of regions (default ceil(R/2)) is down; fewer is a regional issue. */
export function probeState(regions: readonly RegionState[], quorum = Math.ceil(regions.length / 2)): ProbeState {
  const fresh = regions.filter((r) => r.state !== "no-data");
  if (fresh.length === 0) return "no-data";
  const down = fresh.filter((r) => r.state === "down").length;
  if (down >= quorum) return "down";
  if (down > 0) return "regional";
  if (fresh.some((r) => r.state === "degraded")) return "degraded";
  return "up";
}

export function overallState(states: readonly ProbeState[]): OverallState {
  if (states.length === 0 || states.every((s) => s === "no-data")) return "unknown";
  const down = states.filter((s) => s === "down").length;
  if (down > 0 && down === states.length) return "major_outage";
  if (down > 0) return "partial_outage";
  if (states.some((s) => s === "degraded" || s === "regional" || s === "no-data")) return "degraded";
  return "operational";
}

/**
 * The overview from the newest run of each (probe, region). Given whole RunSummaries, each
 * region carries its `lastRun`; given only LatestRuns (the status page), it does not.
 */
export function buildOverview(
  probes: readonly LoadedProbe[],
  latest: readonly (RunSummary | LatestRun)[],
  now: number,
): Overview {
  const byKey = new Map(latest.map((r) => [`${r.probeId}|${r.region}`, r]));
  const overviews = probes.map((loaded): ProbeOverview => {
    const times: number[] = [];
    const regions = loaded.probe.regions.map((region): RegionState => {
      const run = byKey.get(`${loaded.probe.id}|${region}`);
      if (!run) return { region, state: "no-data" };
      times.push(run.startedAt);
      const state = isStale(run, loaded, now) ? "no-data" : run.status;
      return "runId" in run ? { region, state, lastRun: run } : { region, state };
    });
    return {
      id: loaded.probe.id,
      name: loaded.probe.name,
      group: loaded.probe.group,
      description: loaded.probe.description,
      state: probeState(regions, quorumOf(loaded)),
      regions,
      lastRunAt: times.length ? Math.max(...times) : null,
    };
  });
  const times = overviews.flatMap((p) => (p.lastRunAt === null ? [] : [p.lastRunAt]));
  return {
    state: overallState(overviews.map((p) => p.state)),
    checkedAt: times.length ? Math.max(...times) : null,
    probes: overviews,
  };
}
