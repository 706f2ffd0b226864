/** Seals closed hours: the hourly rollups (and days) of the run blocks written since they were last sealed. */
import { DAY_MS } from "../time.ts";
import { boundedUpkeepStage } from "./bounded-upkeep.ts";

const SEAL_LIMIT = 200;

export const sealHoursStage = boundedUpkeepStage("seal-hours", SEAL_LIMIT, async (deps, limit) => {
  const regions = [...new Set(deps.probes.flatMap((p) => p.probe.regions))];
  // Back to raw retention: blocks older than that are gone, and with them what there was to seal.
  const since = deps.now() - deps.retention.rawRunDays * DAY_MS;
  const { sealed, rowsWritten } = await deps.runs.sealHours(regions, limit, since);
  return { done: sealed, rowsWritten };
});
