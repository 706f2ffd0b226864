/**
 * Builds the daily rollups of settled days from the hour rows (storage/day-rollup.ts), at most
 * ROLL_UP_LIMIT (pair, day) a tick. Once a call finds nothing left to build, this isolate looks
 * again only the next hour: the check reads two rows per pair and day, and a day only needs
 * building once.
 */
import { HOUR_MS } from "../time.ts";
import type { TickStage } from "./stage.ts";

export const ROLL_UP_LIMIT = 500;

let nothingLeftUntil = 0;

export const rollUpDaysStage: TickStage = {
  name: "roll-up-days",
  async run(tick, deps) {
    if (tick.slotAt < nothingLeftUntil) return { built: 0, rowsWritten: 0, upToDate: true };
    const pairs = deps.probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
    const report = await deps.runs.rollUpDays(pairs, ROLL_UP_LIMIT);
    if (report.built < ROLL_UP_LIMIT) nothingLeftUntil = Math.floor(tick.slotAt / HOUR_MS) * HOUR_MS + HOUR_MS;
    return report;
  },
};
