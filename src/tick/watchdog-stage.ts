/**
 * The watchdog of the probe network (incidents/apply-watchdog.ts): missed ticks, silent regions,
 * and the stages before it that keep failing. It runs after every stage it watches and before
 * the delivery, so its notices go out in the same tick.
 */
import { applyWatchdog } from "../incidents/apply-watchdog.ts";
import type { TickStage } from "./stage.ts";

const WATCHDOG_STAGE = "watchdog";

export const watchdogStage: TickStage = {
  name: WATCHDOG_STAGE,
  async run(tick, deps) {
    const ran = tick.ran.filter((name) => name !== WATCHDOG_STAGE);
    const failed = Object.fromEntries(tick.failures.map((f) => [f.stage, f.error]));
    const report = await applyWatchdog(
      { slotAt: tick.slotAt, dispatch: tick.dispatch, stages: { ran, failed } },
      {
        probes: deps.probes,
        states: deps.probeStates,
        outbox: deps.outbox,
        channels: deps.channelNames,
        now: deps.now(),
        options: deps.watchdog,
      },
    );
    return tick.dispatch ? report : { ...report, note: "regions not watched this tick (the dispatch stage failed)" };
  },
};
