/** A group's state from its probes: worst wins, flapping is degraded, maintenance only when all are. */
import { describe, expect, it } from "vitest";
import { groupState, groupStates } from "../../../src/incidents/group-state.ts";
import type { ProbeAlertState } from "../../../src/incidents/probe-state-machine.ts";

describe("group state", () => {
  it.each<[ProbeAlertState[], ReturnType<typeof groupState>]>([
    [["up"], "up"],
    [["up", "up"], "up"],
    [["up", "degraded"], "degraded"],
    [["degraded", "regional"], "regional"],
    [["regional", "down", "up"], "down"],
    [["up", "flapping"], "degraded"],
    [["flapping", "regional"], "regional"],
    [["flapping"], "degraded"],
    [["maintenance", "up"], "up"],
    [["maintenance", "down"], "down"],
    [["maintenance", "flapping"], "degraded"],
    [["maintenance"], "maintenance"],
    [["maintenance", "maintenance"], "maintenance"],
    [[], null],
  ])("%j → %s", (states, expected) => {
    expect(groupState(states)).toBe(expected);
  });

  it("groups probes in the order the groups first appear", () => {
    const states = groupStates([
      { group: "Checkout", state: "up" },
      { group: "Search", state: "maintenance" },
      { group: "Checkout", state: "down" },
      { group: "Search", state: "maintenance" },
      { group: "Login", state: "flapping" },
    ]);
    expect([...states]).toEqual([
      ["Checkout", "down"],
      ["Search", "maintenance"],
      ["Login", "degraded"],
    ]);
  });
});
