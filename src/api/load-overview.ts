import type { D1Read } from "../storage/d1-read.ts";
import { mapRead } from "../storage/d1-read.ts";
import { buildOverview, type Overview } from "../status/overview.ts";
import type { AppDeps } from "./app-env.ts";

type OverviewDeps = Pick<AppDeps, "probes" | "store" | "now">;

/** Reads the newest run per (probe, region) and builds the overview the API and page share. */
export async function loadOverview(deps: OverviewDeps): Promise<Overview> {
  return buildOverview(deps.probes, await deps.store.latestRuns(pairsOf(deps)), deps.now());
}

/** The same, as a read to batch with others (see storage/d1-read.ts). */
export function overviewRead(deps: OverviewDeps): D1Read<Overview> {
  return mapRead(deps.store.latestRunsRead(pairsOf(deps)), (latest) => buildOverview(deps.probes, latest, deps.now()));
}

function pairsOf(deps: Pick<AppDeps, "probes">): { probeId: string; region: string }[] {
  return deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
}
