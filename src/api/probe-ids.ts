import type { AppDeps } from "./app-env.ts";
import type { InvalidParam } from "./problem.ts";

/** The `json.probeIds` problem of a request naming probes that do not exist, or null when all do. */
export function unknownProbeIdsParam(deps: Pick<AppDeps, "probes">, probeIds: readonly string[]): InvalidParam | null {
  const unknown = probeIds.filter((id) => !deps.probes.some((p) => p.probe.id === id));
  if (unknown.length === 0) return null;
  return {
    name: "json.probeIds",
    reason: `unknown probes ${unknown.join(", ")}; known: ${deps.probes.map((p) => p.probe.id).join(", ")}`,
  };
}
