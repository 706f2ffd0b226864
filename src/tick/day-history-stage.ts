/** Upkeep of the status page's day histories (status/refresh-day-history.ts), bounded per tick. */
import type { TickStage } from "./stage.ts";

export const dayHistoryStage: TickStage = {
  name: "day-history",
  run(_tick, deps) {
    return deps.dayHistoryUpkeep({
      probes: deps.probes,
      histories: deps.dayHistories,
      runs: deps.runs,
      now: deps.now(),
    });
  },
};
