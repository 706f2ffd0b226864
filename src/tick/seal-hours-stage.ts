/** Seals closed hours: the hourly rollups (and days) of the run blocks written since they were last sealed. */
import { boundedUpkeepStage } from "./bounded-upkeep.ts";

export const SEAL_LIMIT = 200;

export const sealHoursStage = boundedUpkeepStage("seal-hours", SEAL_LIMIT, async (deps, limit) => {
  const regions = [...new Set(deps.probes.flatMap((p) => p.probe.regions))];
  const { sealed, rowsWritten } = await deps.runs.sealHours(regions, limit);
  return { done: sealed, rowsWritten };
});
