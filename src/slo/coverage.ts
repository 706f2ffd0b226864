/**
 * Expected runs and no-data: a slot in which a probe was due but no run was stored is
 * "no data". It is never counted as up; SLO reports show it both excluded and counted as bad.
 */
import { MINUTE_MS } from "../time.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import { intervalMinutes, phaseOf } from "../schedule/plan.ts";

/** How many runs a probe was due per region in [from, to) (epoch ms, whole minutes). */
export function expectedRunsPerRegion(probe: LoadedProbe, from: number, to: number): number {
  const interval = intervalMinutes(probe);
  const phase = phaseOf(probe);
  const first = Math.ceil(from / MINUTE_MS);
  const last = Math.ceil(to / MINUTE_MS) - 1; // the last minute strictly before `to`
  if (last < first) return 0;
  // Minutes m in [first, last] with m % interval === phase.
  const countUpTo = (m: number) => (m >= phase ? Math.floor((m - phase) / interval) + 1 : 0);
  return Math.max(0, countUpTo(last) - countUpTo(first - 1));
}

interface Coverage {
  expected: number;
  stored: number;
  /** expected − stored, never negative. */
  noData: number;
}

export function coverage(probe: LoadedProbe, regions: number, from: number, to: number, stored: number): Coverage {
  const expected = expectedRunsPerRegion(probe, from, to) * regions;
  return { expected, stored, noData: Math.max(0, expected - stored) };
}
