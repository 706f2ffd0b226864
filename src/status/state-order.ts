/**
 * The one order of states, best first: a group, a badge, a Statuspage group component and the
 * page's banner all take the worst of their members by it. "maintenance" sits between up and
 * no-data (planned work is better than not knowing); regional is worse than degraded (a region
 * failing) and better than down (a quorum failing).
 */
import type { ProbeState } from "./overview.ts";

export const STATE_ORDER = [
  "up",
  "maintenance",
  "no-data",
  "degraded",
  "regional",
  "down",
] as const satisfies readonly (ProbeState | "maintenance")[];

/** A probe's state as the page shows it: measured, or under maintenance. */
export type ComponentState = (typeof STATE_ORDER)[number];

/** The last of `items` in `order` (later is worse); `none` when there are none. */
export function worstBy<T>(order: readonly T[], items: readonly T[], none: T): T {
  let worst = -1;
  for (const item of items) worst = Math.max(worst, order.indexOf(item));
  return worst < 0 ? none : order[worst]!;
}

/**
 * The worst of several states (a group is as healthy as its least healthy journey); no-data when empty.
 *
 * @example
 * worstState(["up", "regional", "no-data"]) // "regional"
 */
export function worstState<S extends ComponentState>(states: readonly S[]): S | "no-data" {
  return worstBy<S | "no-data">(STATE_ORDER as readonly ComponentState[] as readonly S[], states, "no-data");
}
