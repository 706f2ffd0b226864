/**
 * The watchdog of the probe network: missed ticks, silent regions and tick stages that keep
 * failing as notices (pure steps), how every channel words them, and the status that stopped
 * ticks show: no data and "unknown", not green.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { discordBody } from "../../../src/incidents/channels/discord.ts";
import { headline, NETWORK_SUBJECT, summary, type Notice } from "../../../src/incidents/channels/notice.ts";
import { slackBody } from "../../../src/incidents/channels/slack.ts";
import { webhookBody } from "../../../src/incidents/channels/webhook.ts";
import {
  initialWatchdogState,
  stepRegions,
  stepStages,
  stepTicks,
  stepWatchdog,
  type RegionsState,
  type StagesSeen,
  type StagesState,
  type TickSeen,
  type WatchdogNotify,
  type WatchdogState,
} from "../../../src/incidents/watchdog.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { buildOverview } from "../../../src/status/overview.ts";
import type { RunSummary } from "../../../src/storage/run-store.ts";

const T0 = Date.UTC(2026, 0, 1, 10, 0);
const M = 60_000;
const slot = (i: number) => T0 + i * M;
const ALL = ["apac", "enam", "weur"];

describe("missed ticks", () => {
  it("says nothing on the first tick or on consecutive ones", () => {
    const first = stepTicks({ lastSlot: null }, slot(0));
    expect(first).toEqual({ next: { lastSlot: slot(0) }, effects: [] });
    expect(stepTicks(first.next, slot(1))).toEqual({ next: { lastSlot: slot(1) }, effects: [] });
  });

  it("reports the minutes between the last tick and this one once, with a key from the first missed slot", () => {
    const { next, effects } = stepTicks({ lastSlot: slot(0) }, slot(5));
    expect(next).toEqual({ lastSlot: slot(5) });
    expect(effects).toEqual([
      {
        kind: "notify",
        key: `network-ticks-missed-${slot(1)}`,
        event: { kind: "ticks-missed", from: slot(1), to: slot(4), minutes: 4 },
        at: slot(5),
      },
    ]);
    expect(stepTicks({ lastSlot: slot(0) }, slot(2)).effects.map((e) => e.event)).toEqual([
      { kind: "ticks-missed", from: slot(1), to: slot(1), minutes: 1 },
    ]);
  });

  it("ignores a replayed or late tick, and refuses a time that is not a minute", () => {
    const prev = { lastSlot: slot(5) };
    expect(stepTicks(prev, slot(5)).next).toBe(prev);
    expect(stepTicks(prev, slot(3))).toEqual({ next: prev, effects: [] });
    expect(() => stepTicks(prev, slot(6) + 1)).toThrow(RangeError);
  });
});

describe("silent regions", () => {
  const seen = (i: number, reporting: string[], planned = ALL, extra: Partial<TickSeen> = {}): TickSeen => ({
    slotAt: slot(i),
    planned,
    reporting,
    known: ALL,
    ...extra,
  });
  const run = (ticks: TickSeen[], options?: { silentTicksToNotify: number }) => {
    let state: RegionsState = initialWatchdogState().regions;
    const effects: WatchdogNotify[] = [];
    for (const t of ticks) {
      const step = stepRegions(state, t, options);
      state = step.next;
      effects.push(...step.effects);
    }
    return { state, effects };
  };

  it("a region with planned runs and none reported stops reporting once, and reports again once", () => {
    const { state, effects } = run([
      seen(0, ALL),
      seen(1, ["enam", "weur"], ALL, { details: { apac: "shard apac:0 unreachable: Error: boom" } }),
      seen(2, ["enam", "weur"]),
      seen(3, ["enam", "weur"]),
      seen(4, ALL),
      seen(5, ALL),
    ]);
    expect(effects).toEqual([
      {
        kind: "notify",
        key: `network-region-apac-silent-${slot(1)}`,
        event: {
          kind: "region-silent",
          region: "apac",
          since: slot(1),
          detail: "shard apac:0 unreachable: Error: boom",
        },
        at: slot(1),
      },
      {
        kind: "notify",
        key: `network-region-apac-back-${slot(1)}`,
        event: { kind: "region-back", region: "apac", silentSince: slot(1), backAt: slot(4) },
        at: slot(4),
      },
    ]);
    expect(state).toEqual({ lastSlot: slot(5), silent: {} });
  });

  it("a tick that plans nothing in a region says nothing about it", () => {
    const { state, effects } = run([
      seen(0, ["weur"], ["weur"]),
      seen(1, [], ["apac"]),
      seen(2, ["weur"], ["weur"]),
      seen(3, ["apac"], ["apac"]),
    ]);
    expect(
      effects.map((e) => `${e.event.kind}:${"region" in e.event ? e.event.region : ""}@${(e.at - T0) / M}`),
    ).toEqual(["region-silent:apac@1", "region-back:apac@3"]);
    expect(state.silent).toEqual({});
  });

  it("can wait for several silent ticks in a row; a blip shorter than that sends nothing", () => {
    const blip = run([seen(0, ["weur"]), seen(1, ALL), seen(2, ALL)], { silentTicksToNotify: 2 });
    expect(blip.effects).toEqual([]);
    const outage = run([seen(0, ["weur"]), seen(1, ["weur"]), seen(2, ["weur"]), seen(3, ALL)], {
      silentTicksToNotify: 2,
    });
    expect(outage.effects.map((e) => e.key)).toEqual([
      `network-region-apac-silent-${slot(0)}`,
      `network-region-enam-silent-${slot(0)}`,
      `network-region-apac-back-${slot(0)}`,
      `network-region-enam-back-${slot(0)}`,
    ]);
  });

  it("forgets regions no probe runs in any more", () => {
    const prev: RegionsState = {
      lastSlot: slot(0),
      silent: { oc: { silentSince: slot(0), silentTicks: 3, announced: true } },
    };
    expect(stepRegions(prev, seen(1, ALL))).toEqual({ next: { lastSlot: slot(1), silent: {} }, effects: [] });
  });

  it("model: per region, silent and back notices alternate, each key once, and replaying any tick adds nothing", () => {
    const tick = fc.record({
      planned: fc.subarray(ALL),
      reporting: fc.subarray(ALL),
      skip: fc.nat(3),
      replay: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(tick, { maxLength: 50 }), fc.integer({ min: 1, max: 3 }), (ticks, silentTicksToNotify) => {
        let state: WatchdogState = initialWatchdogState();
        let at = 0;
        const effects: WatchdogNotify[] = [];
        for (const t of ticks) {
          at += 1 + t.skip;
          const input: TickSeen = {
            slotAt: slot(at),
            planned: t.planned,
            reporting: t.reporting.filter((r) => t.planned.includes(r)),
            known: ALL,
          };
          const step = stepWatchdog(state, input, { silentTicksToNotify });
          state = step.next;
          effects.push(...step.effects);
          if (t.replay)
            expect(stepWatchdog(state, { ...input, reporting: [] }, { silentTicksToNotify })).toEqual({
              next: state,
              effects: [],
            });
        }
        const keys = effects.map((e) => e.key);
        expect(new Set(keys).size).toBe(keys.length);
        expect(effects.filter((e) => e.event.kind === "ticks-missed")).toHaveLength(
          ticks.slice(1).filter((t) => t.skip > 0).length,
        );
        for (const region of ALL) {
          const kinds = effects.flatMap((e) =>
            "region" in e.event && e.event.region === region ? [e.event.kind] : [],
          );
          kinds.forEach((k, i) => expect(k).toBe(i % 2 === 0 ? "region-silent" : "region-back"));
          expect(state.regions.silent[region]?.announced ?? false).toBe(kinds.length % 2 === 1);
        }
      }),
    );
  });
});

describe("channels word network notices", () => {
  const missed: Notice = {
    transition: "network",
    probe: { ...NETWORK_SUBJECT },
    incident: {
      id: `network-ticks-missed-${slot(1)}`,
      title: "Probe network: 4 minutes of ticks missed",
      startedAt: slot(1),
      resolvedAt: slot(5),
    },
    regions: [],
    network: { kind: "ticks-missed", from: slot(1), to: slot(4), minutes: 4 },
    at: slot(5),
  };
  const silent: Notice = {
    ...missed,
    incident: {
      id: `network-region-apac-silent-${slot(1)}`,
      title: "Probe network: region apac stopped reporting",
      startedAt: slot(1),
      resolvedAt: null,
    },
    regions: ["apac"],
    network: {
      kind: "region-silent",
      region: "apac",
      since: slot(1),
      detail: "shard apac:0 unreachable: Error: <boom> @everyone",
    },
    at: slot(1),
  };
  const back: Notice = {
    ...silent,
    network: { kind: "region-back", region: "apac", silentSince: slot(1), backAt: slot(13) },
    at: slot(13),
  };

  it("says what happened in plain words", () => {
    expect([headline(missed), summary(missed)]).toEqual([
      "Probe network: ticks missed",
      "Ticks missed from 2026-01-01T10:01:00.000Z to 2026-01-01T10:04:00.000Z (4 minutes with no runs). Those minutes show as no data, not as up.",
    ]);
    expect([headline(silent), summary(silent)]).toEqual([
      "Probe network: region apac stopped reporting",
      "Region apac stopped reporting: no runs arrived from it at 2026-01-01T10:01:00.000Z (shard apac:0 unreachable: Error: <boom> @everyone). Its probes show no data there until it reports again.",
    ]);
    expect([headline(back), summary(back)]).toEqual([
      "Probe network: region apac reports again",
      "Region apac reports again after 12 min without runs.",
    ]);
  });

  it("renders on the webhook as network.* events with the details", () => {
    expect(webhookBody(missed)).toMatchObject({
      event: "network.ticks-missed",
      probe: { id: "afterlife:network", name: "Probe network" },
      network: { kind: "ticks-missed", from: "2026-01-01T10:01:00.000Z", to: "2026-01-01T10:04:00.000Z", minutes: 4 },
    });
    expect(webhookBody(silent)).toMatchObject({
      event: "network.region-silent",
      regions: ["apac"],
      network: { region: "apac", since: "2026-01-01T10:01:00.000Z" },
    });
    expect(webhookBody(back)).toMatchObject({
      event: "network.region-back",
      network: { silentSince: "2026-01-01T10:01:00.000Z", backAt: "2026-01-01T10:13:00.000Z" },
    });
  });

  it("renders on Slack and Discord, escaping the error text", () => {
    const slack = slackBody(silent) as {
      text: string;
      blocks: [unknown, { text: { text: string } }, { elements: { text: string }[] }];
    };
    expect(slack.text).toBe("Probe network: region apac stopped reporting");
    expect(slack.blocks[1].text.text).toMatch(/^:satellite_antenna: Region apac stopped reporting/);
    expect(slack.blocks[1].text.text).toContain("Error: &lt;boom&gt; @everyone");
    expect(slack.blocks[2].elements[0]!.text).toBe(`Watchdog notice network-region-apac-silent-${slot(1)}`);
    const discord = discordBody(missed) as {
      content: string;
      embeds: { title: string; color: number; footer: { text: string } }[];
      allowed_mentions: unknown;
    };
    expect(discord).toMatchObject({
      content: "Probe network: ticks missed",
      embeds: [{ title: "Probe network: 4 minutes of ticks missed", color: 0x5f6368 }],
      allowed_mentions: { parse: [] },
    });
    expect(discord.embeds[0]!.footer.text).toBe(`Watchdog notice network-ticks-missed-${slot(1)}`);
  });
});

describe("when ticks stop, the status says so instead of green", () => {
  const probes = loadRegistry([
    {
      file: "a.ts",
      definition: {
        id: "a",
        name: "A",
        baseUrl: "https://x.test",
        regions: ["weur", "apac"],
        steps: [{ name: "s", url: "/" }],
      },
    },
    {
      file: "b.ts",
      definition: {
        id: "b",
        name: "B",
        baseUrl: "https://x.test",
        regions: ["weur"],
        steps: [{ name: "s", url: "/" }],
      },
    },
  ]);
  const run = (probeId: string, region: string, slotAt: number): RunSummary => ({
    runId: `${probeId}.${region}.${slotAt}`,
    probeId,
    probeVersion: "v",
    region,
    colo: region,
    slotAt,
    startedAt: slotAt,
    durationMs: 10,
    status: "up",
  });
  const NOW = slot(30);

  it("a probe whose newest run is 10 minutes old shows no data, and the overall state is unknown", () => {
    const latest = [run("a", "weur", NOW - 10 * M), run("a", "apac", NOW - 10 * M), run("b", "weur", NOW - 10 * M)];
    const overview = buildOverview(probes, latest, NOW);
    expect(overview.probes.map((p) => [p.id, p.state, p.regions.map((r) => r.state)])).toEqual([
      ["a", "no-data", ["no-data", "no-data"]],
      ["b", "no-data", ["no-data"]],
    ]);
    expect(overview.state).toBe("unknown");
    // The same runs a minute old were green: it is the age that makes them say nothing.
    expect(buildOverview(probes, latest, NOW - 9 * M).state).toBe("operational");
  });
});

describe("tick stages that keep failing", () => {
  /** One letter per tick from slot 1: F the stage failed, O it worked, - it did not run. */
  function playStage(letters: string, failingTicksToNotify?: number): { effects: string; state: StagesState } {
    let state: StagesState = initialWatchdogState().stages;
    const effects: string[] = [];
    [...letters].forEach((ch, i) => {
      const failed: Record<string, string> = ch === "F" ? { prune: `error at ${i + 1}` } : {};
      const seen: StagesSeen = ch === "-" ? { ran: [], failed: {} } : { ran: ["prune"], failed };
      const step = stepStages(
        state,
        slot(i + 1),
        seen,
        failingTicksToNotify === undefined ? undefined : { failingTicksToNotify },
      );
      state = step.next;
      for (const e of step.effects) {
        const since =
          e.event.kind === "stage-failing" ? e.event.since : e.event.kind === "stage-back" ? e.event.failingSince : NaN;
        effects.push(`${e.event.kind}@${(e.at - T0) / M} since ${(since - T0) / M}`);
      }
    });
    return { effects: effects.join(", "), state };
  }

  it.each([
    ["FF", undefined, ""], // two failing ticks: not yet (default 3)
    ["FFF", undefined, "stage-failing@3 since 1"],
    ["FFFFFF", undefined, "stage-failing@3 since 1"], // once, however long it lasts
    ["FFO", undefined, ""], // recovered before anyone was told: nothing to say
    ["FFFO", undefined, "stage-failing@3 since 1, stage-back@4 since 1"],
    ["FF-F", undefined, "stage-failing@4 since 1"], // a tick where the stage did not run counts for nothing
    ["FOFF", undefined, ""], // not in a row
    ["FOFFFOFFF", undefined, "stage-failing@5 since 3, stage-back@6 since 3, stage-failing@9 since 7"],
    ["F", 1, "stage-failing@1 since 1"],
    ["FOF", 1, "stage-failing@1 since 1, stage-back@2 since 1, stage-failing@3 since 3"],
  ])("%s (notify after %s) → %s", (letters, k, expected) => {
    expect(playStage(letters, k).effects).toBe(expected);
  });

  it("names the stage, the first failure and the error in the notice's key and event", () => {
    let state = initialWatchdogState().stages;
    const effects: WatchdogNotify[] = [];
    for (const i of [1, 2, 3]) {
      const step = stepStages(state, slot(i), { ran: ["dispatch", "prune"], failed: { prune: `D1_ERROR ${i}` } });
      state = step.next;
      effects.push(...step.effects);
    }
    expect(effects).toEqual([
      {
        kind: "notify",
        key: `network-stage-prune-failing-${slot(1)}`,
        event: { kind: "stage-failing", stage: "prune", since: slot(1), ticks: 3, error: "D1_ERROR 3" },
        at: slot(3),
      },
    ]);
    expect(state).toEqual({
      lastSlot: slot(3),
      failing: { prune: { since: slot(1), failedTicks: 3, announced: true, error: "D1_ERROR 1" } },
    });
  });

  it("stops counting once announced, so a stage that stays broken changes no state", () => {
    const three = playStage("FFF").state;
    const six = playStage("FFFFFF").state;
    expect(six.failing).toEqual(three.failing);
  });

  it("ignores a replayed or older slot, and refuses a threshold that cannot work", () => {
    const { state } = playStage("FF");
    expect(stepStages(state, slot(2), { ran: ["prune"], failed: { prune: "x" } })).toEqual({
      next: state,
      effects: [],
    });
    expect(stepStages(state, slot(1), { ran: ["prune"], failed: {} })).toEqual({ next: state, effects: [] });
    expect(() => stepStages(state, slot(3), { ran: [], failed: {} }, { failingTicksToNotify: 0 })).toThrow(RangeError);
  });

  it("stepWatchdog steps the stages with the ticks and regions, and a replay steps none", () => {
    let state = initialWatchdogState();
    for (const i of [1, 2, 3])
      state = stepWatchdog(state, {
        slotAt: slot(i),
        planned: [],
        reporting: [],
        stages: { ran: ["burn"], failed: { burn: "boom" } },
      }).next;
    expect(state.stages.failing.burn).toMatchObject({ announced: true, failedTicks: 3 });
    expect(
      stepWatchdog(state, { slotAt: slot(3), planned: [], reporting: [], stages: { ran: ["burn"], failed: {} } }),
    ).toEqual({ next: state, effects: [] });
  });

  it("over random runs: per stage, failing and back alternate, keys are unique, and the state says what was announced", () => {
    const STAGES = ["dispatch", "prune", "burn"];
    const tick = fc.record({ ran: fc.subarray(STAGES), failed: fc.subarray(STAGES), replay: fc.boolean() });
    fc.assert(
      fc.property(fc.array(tick, { maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (ticks, failingTicksToNotify) => {
        let state = initialWatchdogState().stages;
        const effects: WatchdogNotify[] = [];
        ticks.forEach((t, i) => {
          const seen = {
            ran: t.ran,
            failed: Object.fromEntries(t.failed.filter((s) => t.ran.includes(s)).map((s) => [s, "error"])),
          };
          const step = stepStages(state, slot(i + 1), seen, { failingTicksToNotify });
          state = step.next;
          effects.push(...step.effects);
          if (t.replay)
            expect(stepStages(state, slot(i + 1), { ran: STAGES, failed: {} }, { failingTicksToNotify })).toEqual({
              next: state,
              effects: [],
            });
        });
        const keys = effects.map((e) => e.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const stage of STAGES) {
          const kinds = effects.flatMap((e) => ("stage" in e.event && e.event.stage === stage ? [e.event.kind] : []));
          kinds.forEach((k, i) => expect(k).toBe(i % 2 === 0 ? "stage-failing" : "stage-back"));
          expect(state.failing[stage]?.announced ?? false).toBe(kinds.length % 2 === 1);
          expect(state.failing[stage]?.failedTicks ?? 0).toBeLessThanOrEqual(failingTicksToNotify);
        }
      }),
    );
  });

  it("every channel words them", () => {
    const failing: Notice = {
      transition: "network",
      probe: { ...NETWORK_SUBJECT },
      incident: {
        id: `network-stage-prune-failing-${slot(1)}`,
        title: "Probe network: tick stage prune keeps failing",
        startedAt: slot(1),
        resolvedAt: null,
      },
      regions: [],
      network: {
        kind: "stage-failing",
        stage: "prune",
        since: slot(1),
        ticks: 3,
        error: "D1_ERROR: too many SQL variables",
      },
      at: slot(3),
    };
    const back: Notice = {
      ...failing,
      network: { kind: "stage-back", stage: "prune", failingSince: slot(1), backAt: slot(6) },
      at: slot(6),
    };
    expect(headline(failing)).toBe("Probe network: tick stage prune keeps failing");
    expect(summary(failing)).toBe(
      `The tick's prune stage failed in 3 ticks in a row since ${new Date(slot(1)).toISOString()}: D1_ERROR: too many SQL variables. The other stages still run.`,
    );
    expect(headline(back)).toBe("Probe network: tick stage prune works again");
    expect(summary(back)).toBe("The tick's prune stage works again after 5 min of failures.");
    expect(webhookBody(failing)).toMatchObject({
      event: "network.stage-failing",
      network: { kind: "stage-failing", stage: "prune", since: new Date(slot(1)).toISOString(), ticks: 3 },
    });
    expect(JSON.stringify(slackBody(back))).toContain("works again");
    expect(JSON.stringify(discordBody(back))).toContain("works again");
  });
});
