/** The notices the channel tests render: a DOWN of the checkout journey at 2026-01-01T00:01Z. */
import type { Notice } from "../../../../src/incidents/channels/notice.ts";

export const T0 = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z

export const down: Notice = {
  transition: "down",
  probe: { id: "shop-checkout", name: "Checkout journey", group: "Checkout" },
  incident: { id: `shop-checkout-${T0 + 60_000}`, title: "Checkout journey is down", startedAt: T0 },
  failure: { step: "read cart", class: "status", message: "expected 200, got 503", runId: "run-1" },
  regions: ["weur", "apac"],
  at: T0 + 60_000,
};
