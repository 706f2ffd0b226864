/**
 * Seals closed hours: the hourly rollups of the run blocks written since they were last sealed
 * (storage/run-write.ts), at most SEAL_LIMIT blocks a tick. Once a call finds nothing left, this
 * isolate looks again only in the next hour: an hour closes once, and a run stored late seals
 * its own hour.
 */
import { HOUR_MS } from "../time.ts";
import type { TickStage } from "./stage.ts";

export const SEAL_LIMIT = 200;

let nothingLeftUntil = 0;

export const sealHoursStage: TickStage = {
  name: "seal-hours",
  async run(tick, deps) {
    if (tick.slotAt < nothingLeftUntil) return { sealed: 0, rowsWritten: 0, upToDate: true };
    const regions = [...new Set(deps.probes.flatMap((p) => p.probe.regions))];
    const report = await deps.runs.sealHours(regions, SEAL_LIMIT);
    if (report.sealed < SEAL_LIMIT) nothingLeftUntil = Math.floor(tick.slotAt / HOUR_MS) * HOUR_MS + HOUR_MS;
    return report;
  },
};
