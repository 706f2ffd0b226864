/**
 * A tick stage for upkeep that works through a backlog at most `limit` items a tick (sealing
 * closed hours, building daily rollups). Once a call finds less than its limit to do, this
 * isolate looks again only in the next hour: the backlog only grows when an hour closes or a
 * run is stored late, and those seal their own hours.
 */
import { HOUR_MS } from "../time.ts";
import type { TickStage } from "./stage.ts";
import type { TickDeps } from "./tick-deps.ts";

export function boundedUpkeepStage(
  name: string,
  limit: number,
  work: (deps: TickDeps, limit: number) => Promise<{ done: number; rowsWritten: number }>,
): TickStage {
  let nothingLeftUntil = 0;
  return {
    name,
    async run(tick, deps) {
      if (tick.slotAt < nothingLeftUntil) return { done: 0, rowsWritten: 0, upToDate: true };
      const report = await work(deps, limit);
      if (report.done < limit) nothingLeftUntil = Math.floor(tick.slotAt / HOUR_MS) * HOUR_MS + HOUR_MS;
      return report;
    },
  };
}
