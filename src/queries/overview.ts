import type { D1Read } from "../storage/d1-read.ts";
import { mapRead } from "../storage/d1-read.ts";
import { buildOverview, type LatestRun, type Overview } from "../status/overview.ts";
import type { ReadDeps } from "./read-deps.ts";

type OverviewDeps = Pick<ReadDeps, "probes" | "store" | "now">;

/** Reads the newest run per (probe, region) and builds the overview the API and page share. */
export async function loadOverview(deps: OverviewDeps): Promise<Overview> {
  const [overview] = await deps.store.read([overviewRead(deps)]);
  return overview;
}

/**
 * The same, as a read to batch with others (see storage/d1-read.ts). With `regionRuns: false`
 * the regions carry no `lastRun` (the status page shows states only) and less is read.
 */
export function overviewRead(deps: OverviewDeps, options: { regionRuns?: boolean } = {}): D1Read<Overview> {
  const pairs = pairsOf(deps);
  const now = deps.now();
  const latest =
    options.regionRuns === false ? deps.store.latestStatesRead(pairs, now) : deps.store.latestRunsRead(pairs, now);
  return mapRead<readonly LatestRun[], Overview>(latest, (runs) => buildOverview(deps.probes, runs, now));
}

function pairsOf(deps: Pick<ReadDeps, "probes">): { probeId: string; region: string }[] {
  return deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
}
