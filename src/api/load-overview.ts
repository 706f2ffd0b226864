import { buildOverview, type Overview } from "../status/overview.ts";
import type { AppDeps } from "./app-env.ts";

/** Reads the newest run per (probe, region) and builds the overview the API and page share. */
export async function loadOverview(deps: AppDeps): Promise<Overview> {
  const pairs = deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
  const latest = await deps.store.latestRuns(pairs);
  return buildOverview(deps.probes, latest, deps.now());
}
