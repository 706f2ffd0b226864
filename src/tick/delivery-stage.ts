/** Sends the due outbox notices (incidents/deliver-outbox.ts), at most MAX_DELIVERIES_PER_TICK. */
import { deliverDue } from "../incidents/deliver-outbox.ts";
import type { TickStage } from "./stage.ts";

export const deliveryStage: TickStage = {
  name: "delivery",
  run(_tick, deps) {
    return deliverDue({
      outbox: deps.outbox,
      channels: deps.channels(),
      fetch: deps.fetch,
      now: deps.now,
      random: deps.random,
      allowPrivateTargets: deps.allowPrivateTargets,
    });
  },
};
