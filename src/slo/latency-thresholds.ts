/**
 * Each probe's latency threshold (`slo.latency.underMs`), as storage needs it to count the runs
 * under it exactly when an hour is sealed (storage/run-blocks.ts blockRollups).
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { LatencyThresholdOf } from "../storage/run-blocks.ts";

export function latencyThresholdsOf(probes: Iterable<LoadedProbe>): LatencyThresholdOf {
  const thresholds = new Map<string, number>();
  for (const p of probes) if (p.probe.slo.latency) thresholds.set(p.probe.id, p.probe.slo.latency.underMs);
  return (probeId) => thresholds.get(probeId);
}
