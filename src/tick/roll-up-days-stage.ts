/** Builds any of the last days that has hourly rollups but no daily one (storage/day-rollup.ts). */
import { boundedUpkeepStage } from "./bounded-upkeep.ts";

const ROLL_UP_LIMIT = 500;

export const rollUpDaysStage = boundedUpkeepStage("roll-up-days", ROLL_UP_LIMIT, async (deps, limit) => {
  const pairs = deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
  const { built, rowsWritten } = await deps.runs.rollUpDays(pairs, limit);
  return { done: built, rowsWritten };
});
