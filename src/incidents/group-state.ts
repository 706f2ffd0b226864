/**
 * The state of a group (a business capability on the status page) from its probes' incident
 * states. Worst wins: down > regional > degraded > up. A flapping probe shows as degraded at
 * group level (it is neither reliably up nor confirmed down). Probes in maintenance are left
 * out, unless every probe of the group is in maintenance: then the group is too.
 */
import type { ProbeAlertState } from "./probe-state-machine.ts";

export type GroupState = "up" | "degraded" | "regional" | "down" | "maintenance";

const RANK = { up: 0, degraded: 1, regional: 2, down: 3 } as const;
type Ranked = keyof typeof RANK;

/**
 * @example
 * groupState(["up", "flapping"])             // "degraded"
 * groupState(["maintenance", "down"])        // "down"
 * groupState(["maintenance", "maintenance"]) // "maintenance"
 * groupState([])                             // null: a group with no probes has no state
 */
export function groupState(states: readonly ProbeAlertState[]): GroupState | null {
  if (states.length === 0) return null;
  let worst: Ranked | null = null;
  for (const s of states) {
    if (s === "maintenance") continue;
    const ranked: Ranked = s === "flapping" ? "degraded" : s;
    if (worst === null || RANK[ranked] > RANK[worst]) worst = ranked;
  }
  return worst ?? "maintenance";
}

/** Every group's state, in the order groups first appear. */
export function groupStates(probes: readonly { group: string; state: ProbeAlertState }[]): Map<string, GroupState> {
  const byGroup = new Map<string, ProbeAlertState[]>();
  for (const p of probes) {
    const list = byGroup.get(p.group);
    if (list) list.push(p.state);
    else byGroup.set(p.group, [p.state]);
  }
  const result = new Map<string, GroupState>();
  for (const [group, states] of byGroup) result.set(group, groupState(states) ?? "up");
  return result;
}
