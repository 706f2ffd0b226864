/** The per-probe incident state machine: table tests of the rules, then a model test over random observation streams. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  changedBeyondSlot,
  DEFAULT_ALERT_CONFIG,
  type Effect,
  type FailureEvidence,
  initialProbeState,
  type Observation,
  type ProbeAlertConfig,
  type ProbeIncidentState,
  runProbe,
  stepProbe,
  type Verdict,
} from "../../../src/incidents/probe-state-machine.ts";

const P = "shop";
const T0 = Date.UTC(2026, 0, 1);
const M = 60_000;
const slot = (i: number) => T0 + i * M;
const failure = (message: string, runId = `run-${message}`): FailureEvidence => ({
  step: "read cart",
  class: "status",
  message,
  runId,
});

/**
 * A stream in shorthand, one letter per slot starting at slot 1: U up, G degraded (slow),
 * R regional, D down, N no-data; lowercase u/g/r/d are the same inside a maintenance window.
 */
function stream(letters: string): Observation[] {
  const verdicts: Record<string, Verdict> = { u: "up", g: "degraded", r: "regional", d: "down", n: "no-data" };
  return [...letters.replace(/\s+/g, "")].map((ch, i) => {
    const verdict = verdicts[ch.toLowerCase()];
    if (!verdict) throw new Error(`bad letter ${ch}`);
    const down = verdict === "down";
    return {
      slotAt: slot(i + 1),
      verdict,
      inMaintenance: ch === ch.toLowerCase(),
      regions: down ? ["weur", "apac"] : verdict === "regional" ? ["apac"] : [],
      failure: down ? failure(`503 at ${i + 1}`) : undefined,
    };
  });
}

/** "open@2 down@2 resolve@4 up@4": what each effect is, at which slot. */
function summary(effects: readonly Effect[]): string {
  return effects
    .map((e) => {
      const at = e.kind === "open-incident" ? e.openedAt : e.kind === "resolve-incident" ? e.confirmedAt : e.at;
      const what = e.kind === "open-incident" ? "open" : e.kind === "resolve-incident" ? "resolve" : e.transition;
      return `${what}@${(at - T0) / M}`;
    })
    .join(" ");
}

function play(letters: string, config?: Partial<ProbeAlertConfig>) {
  return runProbe(P, initialProbeState(), stream(letters), config);
}

describe("rules (F = 2, S = 2)", () => {
  it.each([
    ["DD", "open@2 down@2", "down"],
    ["DUDU", "", "up"],
    ["DNND", "open@4 down@4", "down"], // no-data changes nothing and resets nothing
    ["GGGRRR", "", "regional"], // degraded and regional never open an outage
    ["DDUU", "open@2 down@2 resolve@4 up@4", "up"],
    ["DDUDUU", "open@2 down@2 resolve@6 up@6", "up"],
    ["DDGR", "open@2 down@2 resolve@4 up@4", "regional"], // degraded and regional are successes
    ["DDDDDD", "open@2 down@2", "down"], // never a second DOWN
    ["DDUNU", "open@2 down@2 resolve@5 up@5", "up"],
    ["DU", "", "up"],
    ["UGD", "", "degraded"], // one unconfirmed failure keeps the last calm state
  ])("%s → %s", (letters, effects, state) => {
    const { next, effects: got } = play(letters);
    expect(summary(got)).toBe(effects);
    expect(next.state).toBe(state);
  });

  it("names the incident after the probe and the opening slot, dated from the first failure with its evidence", () => {
    const { effects } = play("UDD");
    expect(effects).toEqual([
      {
        kind: "open-incident",
        probeId: P,
        incidentId: `${P}-${slot(3)}`,
        startedAt: slot(2),
        openedAt: slot(3),
        firstFailure: failure("503 at 2"),
        regions: ["weur", "apac"],
      },
      {
        kind: "notify",
        probeId: P,
        transition: "down",
        incidentId: `${P}-${slot(3)}`,
        key: `${P}-${slot(3)}`,
        at: slot(3),
      },
    ]);
  });

  it("resolves as of the first success of the closing run, confirmed S successes later", () => {
    const { effects } = play("DDDUU");
    expect(effects.slice(2)).toEqual([
      {
        kind: "resolve-incident",
        probeId: P,
        incidentId: `${P}-${slot(2)}`,
        resolvedAt: slot(4),
        confirmedAt: slot(5),
      },
      {
        kind: "notify",
        probeId: P,
        transition: "up",
        incidentId: `${P}-${slot(2)}`,
        key: `${P}-${slot(2)}`,
        at: slot(5),
      },
    ]);
  });

  it("takes the first failure that carries evidence", () => {
    const [a, b] = stream("DD") as [Observation, Observation];
    const { effects } = runProbe(P, initialProbeState(), [{ ...a, failure: undefined }, b]);
    expect(effects[0]).toMatchObject({ kind: "open-incident", startedAt: slot(1), firstFailure: failure("503 at 2") });
  });

  it("sends nothing when only the error message changes", () => {
    const observations = stream("DDDDD").map((o, i) => ({
      ...o,
      failure: failure(`message ${i}`, `r${i}`),
      regions: i % 2 ? ["weur"] : ["apac", "weur"],
    }));
    expect(summary(runProbe(P, initialProbeState(), observations).effects)).toBe("open@2 down@2");
  });

  it("ignores a replay or a late duplicate: same state object, no effects", () => {
    const { next } = play("UDD");
    for (const o of [
      ...stream("UDD"),
      { ...stream("UUU")[2]!, verdict: "up" as const },
      { slotAt: slot(1), verdict: "down" as const, inMaintenance: false, regions: [] },
    ]) {
      const step = stepProbe(P, next, o);
      expect(step.next).toBe(next);
      expect(step.effects).toEqual([]);
    }
  });

  it("takes a late real verdict for a slot that so far had no data", () => {
    const first = play("DN");
    const late = stepProbe(P, first.next, {
      slotAt: slot(2),
      verdict: "down",
      inMaintenance: false,
      regions: ["weur"],
    });
    expect(summary(late.effects)).toBe("open@2 down@2");
  });

  it("is deterministic: the same stream gives the same ids", () => {
    expect(play("DDUUDDD").effects).toEqual(play("DDUUDDD").effects);
  });

  it("refuses a config that cannot work", () => {
    expect(() => stepProbe(P, initialProbeState(), stream("D")[0]!, { failuresToOpen: 0 })).toThrow();
    expect(() => stepProbe(P, initialProbeState(), stream("D")[0]!, { flapWindowMs: 10 })).toThrow();
    expect(DEFAULT_ALERT_CONFIG).toEqual({
      failuresToOpen: 2,
      successesToClose: 2,
      flapChanges: 4,
      flapWindowMs: 30 * M,
    });
  });
});

describe("other F and S", () => {
  it.each([
    ["DUDU", { failuresToOpen: 1, successesToClose: 1 }, "open@1 down@1 resolve@2 up@2 open@3 down@3 resolve@4 up@4"],
    ["DDUDDD", { failuresToOpen: 3 }, "open@6 down@6"],
    ["DDDUUDUUU", { failuresToOpen: 3, successesToClose: 3 }, "open@3 down@3 resolve@9 up@9"],
  ] as const)("%s with %j → %s", (letters, config, effects) => {
    expect(summary(play(letters, config).effects)).toBe(effects);
  });
});

describe("maintenance", () => {
  it.each([
    ["ddddd", "", "maintenance"], // nothing opens inside the window
    ["dD", "", "up"],
    ["dDD", "open@3 down@3", "down"], // F fresh failures after the window
    ["DdD", "", "up"], // a failure inside the window breaks the run
    ["DDdddD", "open@2 down@2", "down"], // an incident open before the window stays open
    ["DDuu", "open@2 down@2 resolve@4", "maintenance"], // resolved quietly inside the window
    ["DDuuU", "open@2 down@2 resolve@4 up@5", "up"], // and announced after it
    ["DDuuDD", "open@2 down@2 resolve@4 up@5 open@6 down@6", "down"],
  ])("%s → %s", (letters, effects, state) => {
    const { next, effects: got } = play(letters);
    expect(summary(got)).toBe(effects);
    expect(next.state).toBe(state);
  });
});

describe("flapping (X = 4 changes in W = 30 min)", () => {
  const fast = { failuresToOpen: 1, successesToClose: 1 };

  it("sends one flapping notice on the fifth change, then nothing until stable for W", () => {
    const { next, effects } = play(`DUDUDUDU${"U".repeat(29)}`, fast);
    const notices = effects.filter((e) => e.kind === "notify");
    expect(summary(notices)).toBe("down@1 up@2 down@3 up@4 flapping@5");
    // Incidents keep their honest history while notices are held back.
    expect(effects.filter((e) => e.kind === "open-incident")).toHaveLength(4);
    expect(next.state).toBe("flapping");
    const stable = stepProbe(P, next, stream(`${"U".repeat(38)}`)[37]!, fast);
    expect(summary(stable.effects)).toBe("stable@38");
    expect(stable.effects[0]).toMatchObject({ key: `${P}-flapping-${slot(5)}`, incidentId: null });
    expect(stable.next).toMatchObject({ state: "up", flappingSince: null, recentChanges: [] });
  });

  it("resumes with the true state: a DOWN after the stable notice when it settled down", () => {
    const { effects, next } = play(`DUDUDUD${"D".repeat(30)}`, fast);
    expect(summary(effects.filter((e) => e.kind === "notify"))).toBe(
      "down@1 up@2 down@3 up@4 flapping@5 stable@37 down@37",
    );
    expect(effects.at(-1)).toMatchObject({ transition: "down", incidentId: `${P}-${slot(7)}` });
    expect(next.state).toBe("down");
  });

  it("closes the incident subscribers were told about before announcing the one open now", () => {
    const { effects } = play(`DUDU${"D".repeat(31)}`, { ...fast, flapChanges: 3 });
    expect(summary(effects.filter((e) => e.kind === "notify"))).toBe(
      "down@1 up@2 down@3 flapping@4 stable@35 up@35 down@35",
    );
    const [up, down] = effects.slice(-2);
    expect(up).toMatchObject({ transition: "up", incidentId: `${P}-${slot(3)}` });
    expect(down).toMatchObject({ transition: "down", incidentId: `${P}-${slot(5)}` });
  });

  it("does not count changes among up, degraded and regional", () => {
    expect(summary(play("UGURUGURUGURUGUR", fast).effects)).toBe("");
  });
});

// ---------------------------------------------------------------------------------------------
// Model test: random streams (slots advance by 1-3, some replays and late duplicates, runs of
// maintenance, no-data), random F, S, X, W. A small reference model follows the stream.

interface Step {
  replay: boolean;
  back: number;
  advance: number;
  verdict: Verdict;
  toggleMaintenance: boolean;
  message: number;
}

const verdictArb = fc.oneof(
  { arbitrary: fc.constant<Verdict>("down"), weight: 5 },
  { arbitrary: fc.constant<Verdict>("up"), weight: 4 },
  { arbitrary: fc.constant<Verdict>("degraded"), weight: 1 },
  { arbitrary: fc.constant<Verdict>("regional"), weight: 1 },
  { arbitrary: fc.constant<Verdict>("no-data"), weight: 1 },
);
const stepArb: fc.Arbitrary<Step> = fc.record({
  replay: fc.integer({ min: 0, max: 9 }).map((n) => n === 0), // one step in ten replays an earlier slot
  back: fc.nat(30),
  advance: fc.integer({ min: 1, max: 3 }),
  verdict: verdictArb,
  toggleMaintenance: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  message: fc.nat(3),
});
const stepsArb = fc.array(stepArb, { maxLength: 300, size: "max" });
const configArb = fc.record({
  failuresToOpen: fc.integer({ min: 1, max: 3 }),
  successesToClose: fc.integer({ min: 1, max: 3 }),
  flapChanges: fc.integer({ min: 1, max: 5 }),
  flapWindowMs: fc.integer({ min: 2, max: 40 }).map((m) => m * M),
});

function toObservations(steps: readonly Step[]): Observation[] {
  const out: Observation[] = [];
  let at = 0;
  let maintenance = false;
  for (const s of steps) {
    if (s.toggleMaintenance) maintenance = !maintenance;
    const earlier = out[out.length - 1 - (s.back % Math.max(1, out.length))];
    if (s.replay && earlier) {
      // The same slot again, possibly with another verdict (a late duplicate).
      out.push({ ...earlier, verdict: s.verdict });
      continue;
    }
    at += s.advance;
    const down = s.verdict === "down";
    out.push({
      slotAt: slot(at),
      verdict: s.verdict,
      inMaintenance: maintenance,
      regions: down ? ["weur"] : [],
      failure: down ? failure(`m${s.message}`) : undefined,
    });
  }
  return out;
}

describe("model", () => {
  it("keeps every invariant over random streams", () => {
    fc.assert(
      fc.property(stepsArb, configArb, (steps, config) => {
        const observations = toObservations(steps);
        let state: ProbeIncidentState = initialProbeState();
        // The reference model.
        let lastSlot: number | null = null;
        let downRun = 0;
        let upRun = 0;
        let fRuns = 0;
        let open: string | null = null;
        const changes: number[] = [];
        const upDown: string[] = [];
        const flap: string[] = [];
        let downNotices = 0;

        for (const o of observations) {
          const step = stepProbe(P, state, o, config);
          const effective = o.verdict !== "no-data" && (lastSlot === null || o.slotAt > lastSlot);
          if (!effective) {
            // Replays, late duplicates and no-data: nothing at all.
            expect(step.next).toBe(state);
            expect(step.effects).toEqual([]);
            continue;
          }
          lastSlot = o.slotAt;
          if (o.verdict === "down") {
            upRun = 0;
            downRun = o.inMaintenance ? 0 : downRun + 1;
            if (downRun === config.failuresToOpen) fRuns++;
          } else {
            downRun = 0;
            upRun++;
          }
          if (o.inMaintenance) expect(step.effects.filter((e) => e.kind !== "resolve-incident")).toEqual([]);

          for (const e of step.effects) {
            if (e.kind === "open-incident") {
              expect(open).toBeNull(); // at most one open incident
              expect(downRun).toBeGreaterThanOrEqual(config.failuresToOpen); // F in a row, outside maintenance
              expect(e.incidentId).toBe(`${P}-${o.slotAt}`);
              open = e.incidentId;
              changes.push(o.slotAt);
            } else if (e.kind === "resolve-incident") {
              expect(e.incidentId).toBe(open);
              expect(upRun).toBeGreaterThanOrEqual(config.successesToClose);
              open = null;
              if (!o.inMaintenance) changes.push(o.slotAt);
            } else if (e.transition === "down" || e.transition === "up") {
              expect(flap.at(-1) ?? "stable").toBe("stable"); // quiet while flapping
              upDown.push(e.transition);
              if (e.transition === "down") downNotices++;
            } else {
              flap.push(e.transition);
              const within = changes.filter((c) => o.slotAt - c < config.flapWindowMs).length;
              if (e.transition === "flapping") expect(within).toBeGreaterThan(config.flapChanges);
              else expect(within).toBe(0);
            }
          }
          state = step.next;
          expect(state.openIncident?.id ?? null).toBe(open);
          expect(state.lastSlot).toBe(o.slotAt);
          expect(state.state === "down").toBe(open !== null && !o.inMaintenance && state.flappingSince === null);
          if (!o.inMaintenance && state.flappingSince === null) {
            // Outside suppression, subscribers have been told the truth.
            expect(state.lastNotice === "down").toBe(open !== null);
            if (open !== null) expect(state.noticedIncidentId).toBe(open);
          }
        }

        // DOWN and UP strictly alternate, starting with DOWN.
        upDown.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? "down" : "up"));
        // Flapping and stable alternate too: at most one flapping notice per flapping period.
        flap.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? "flapping" : "stable"));
        // No storm: every DOWN needs its own run of F failures.
        expect(downNotices).toBeLessThanOrEqual(fRuns);

        // Replaying any prefix changes nothing.
        for (const k of [0, 1, Math.floor(observations.length / 2), observations.length]) {
          const again = runProbe(P, state, observations.slice(0, k), config);
          expect(again.next).toBe(state);
          expect(again.effects).toEqual([]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("reaches the interesting states (the generator is not too timid)", () => {
    let flapping = 0;
    let opened = 0;
    let maintenance = 0;
    fc.assert(
      fc.property(stepsArb, configArb, (steps, config) => {
        const { effects } = runProbe(P, initialProbeState(), toObservations(steps), config);
        if (effects.some((e) => e.kind === "notify" && e.transition === "flapping")) flapping++;
        if (effects.some((e) => e.kind === "open-incident")) opened++;
        if (toObservations(steps).filter((o) => o.inMaintenance && o.verdict === "down").length >= 5) maintenance++;
      }),
      { numRuns: 200, seed: 42 },
    );
    expect(flapping).toBeGreaterThan(40);
    expect(opened).toBeGreaterThan(150);
    expect(maintenance).toBeGreaterThan(100);
  });

  it("a split stream gives the same result as the whole", () => {
    fc.assert(
      fc.property(stepsArb, configArb, fc.nat(), (steps, config, cut) => {
        const observations = toObservations(steps);
        const k = observations.length ? cut % observations.length : 0;
        const whole = runProbe(P, initialProbeState(), observations, config);
        const first = runProbe(P, initialProbeState(), observations.slice(0, k), config);
        const rest = runProbe(
          P,
          JSON.parse(JSON.stringify(first.next)) as ProbeIncidentState,
          observations.slice(k),
          config,
        );
        expect(rest.next).toEqual(whole.next);
        expect([...first.effects, ...rest.effects]).toEqual(whole.effects);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Writes only on change: the incident step stores a state only when it changed beyond lastSlot
// (apply-tick.ts), behind a tick guard that never lets a slot be stepped twice.

describe("state written only when it changes", () => {
  it.each([1, 2, 3])(
    "a probe that keeps passing stops changing once S = %i successes are counted",
    (successesToClose) => {
      const config = { ...DEFAULT_ALERT_CONFIG, successesToClose };
      let state = initialProbeState();
      const changed: boolean[] = [];
      for (const obs of stream("UUUUUUUU")) {
        const { next } = stepProbe(P, state, obs, config);
        changed.push(changedBeyondSlot(state, next));
        state = next;
      }
      // The first success starts the run; the count then climbs to S and stays there.
      expect(changed).toEqual(Array.from({ length: 8 }, (_, i) => i < successesToClose));
      expect(state.consecutiveSuccesses).toBe(successesToClose);
    },
  );

  it("sees a change in any field but lastSlot, whatever the key order of a stored state", () => {
    const state = play("DDUU").next;
    const stored = JSON.parse(
      JSON.stringify(Object.fromEntries(Object.entries(state).reverse())),
    ) as ProbeIncidentState;
    expect(changedBeyondSlot(state, stored)).toBe(false);
    expect(changedBeyondSlot(state, { ...stored, lastSlot: slot(99) })).toBe(false);
    expect(changedBeyondSlot(state, { ...stored, recentChanges: [...stored.recentChanges, slot(99)] })).toBe(true);
    expect(changedBeyondSlot(state, { ...stored, runFailure: failure("x") })).toBe(true);
    expect(changedBeyondSlot(state, { ...stored, state: "degraded" })).toBe(true);
  });

  it("never counts successes beyond S", () => {
    fc.assert(
      fc.property(stepsArb, configArb, (steps, config) => {
        let state = initialProbeState();
        for (const obs of toObservations(steps)) {
          state = stepProbe(P, state, obs, config).next;
          expect(state.consecutiveSuccesses).toBeLessThanOrEqual(config.successesToClose);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("storing only the states that changed beyond lastSlot gives the same effects and states as storing every step", () => {
    fc.assert(
      fc.property(stepsArb, configArb, (steps, config) => {
        // The tick guard: a slot at or before the last one processed is a replay, never stepped.
        let guard = -Infinity;
        const ticks = toObservations(steps).filter((o) => {
          if (o.slotAt <= guard) return false;
          guard = o.slotAt;
          return true;
        });
        let always = initialProbeState();
        let stored = initialProbeState(); // what D1 holds: written only on change, read back as JSON
        const alwaysEffects: Effect[] = [];
        const storedEffects: Effect[] = [];
        for (const obs of ticks) {
          const a = stepProbe(P, always, obs, config);
          always = a.next;
          alwaysEffects.push(...a.effects);
          const s = stepProbe(P, stored, obs, config);
          storedEffects.push(...s.effects);
          if (s.effects.length > 0 || changedBeyondSlot(stored, s.next))
            stored = JSON.parse(JSON.stringify(s.next)) as ProbeIncidentState;
        }
        expect(storedEffects).toEqual(alwaysEffects);
        expect({ ...stored, lastSlot: null }).toEqual({ ...always, lastSlot: null });
      }),
      { numRuns: 200 },
    );
  });
});
