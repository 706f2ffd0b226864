/** SLO burn-rate alerts as notices: table tests of the step, a model test, and how every channel words them. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  burnKey,
  initialBurnState,
  stepBurn,
  type BurnNotify,
  type BurnReportInput,
  type BurnSeverity,
  type BurnSliInput,
  type BurnState,
  type SilenceNotify,
} from "../../../src/incidents/burn-alerts.ts";
import { discordBody } from "../../../src/incidents/channels/discord.ts";
import { headline, summary, type Notice } from "../../../src/incidents/channels/notice.ts";
import { slackBody } from "../../../src/incidents/channels/slack.ts";
import { webhookBody } from "../../../src/incidents/channels/webhook.ts";
import type { BurnAlert } from "../../../src/slo/burn-rate.ts";

const P = "shop";
const T0 = Date.UTC(2026, 0, 1);
const FIVE = 5 * 60_000;
const slot = (i: number) => T0 + i * FIVE;

function alert(state: BurnSeverity): BurnAlert {
  if (state === "ok") return { state, firing: [], held: [] };
  const ticket = {
    severity: "ticket" as const,
    longWindow: "24h" as const,
    shortWindow: "2h" as const,
    threshold: 3,
    long: 3.5,
    short: 4,
  };
  if (state === "ticket") return { state, firing: [ticket], held: [] };
  return {
    state,
    held: [],
    firing: [
      { severity: "page", longWindow: "1h", shortWindow: "5m", threshold: 14.4, long: 14.4, short: 14.4 },
      ticket,
    ],
  };
}

function sli(state: BurnSeverity, remainingFraction: number | null = 0.37): BurnSliInput {
  return {
    alert: alert(state),
    budget: { remainingFraction },
    forecast: { exhaustsAt: T0 + 5 * 3_600_000, hoursLeft: 5 },
  };
}

function report(availability: BurnSeverity, latency: BurnSeverity | null = "ok"): BurnReportInput {
  return { window: "30d", availability: sli(availability), latency: latency === null ? null : sli(latency) };
}

/** The burn notices among a step's effects (the no-data alert's are tested apart). */
const burns = (effects: readonly (BurnNotify | SilenceNotify)[]): BurnNotify[] =>
  effects.filter((e): e is BurnNotify => e.kind === "notify");

const LETTER: Record<string, BurnSeverity> = { o: "ok", t: "ticket", p: "page" };

/**
 * Evaluations in shorthand, one letter per 5-minute slot starting at slot 1: o ok, t ticket,
 * p page for availability (latency stays ok); uppercase is the same inside maintenance.
 */
function play(letters: string, from: BurnState = initialBurnState()) {
  let state = from;
  const effects: BurnNotify[] = [];
  [...letters].forEach((ch, i) => {
    const step = stepBurn(P, state, {
      slotAt: slot(i + 1),
      inMaintenance: ch !== ch.toLowerCase(),
      report: report(LETTER[ch.toLowerCase()]!),
    });
    state = step.next;
    effects.push(...burns(step.effects));
  });
  return { state, effects };
}

/** "burn:page@1 burn-resolved:page@3". */
const short = (effects: readonly BurnNotify[]) =>
  effects.map((e) => `${e.transition}:${e.severity}@${(e.at - T0) / FIVE}`).join(" ");

describe("stepBurn", () => {
  it.each([
    ["ooo", ""],
    ["pp", "burn:page@1"], // nothing while unchanged
    ["ttt", "burn:ticket@1"],
    ["otpo", "burn:ticket@2 burn:page@3 burn-resolved:page@4"], // rises each notify; ok resolves the episode
    ["ptpo", "burn:page@1 burn-resolved:page@4"], // page → ticket → page within an episode: no storm
    ["pto", "burn:page@1 burn-resolved:page@3"],
    ["popo", "burn:page@1 burn-resolved:page@2 burn:page@3 burn-resolved:page@4"],
    ["tPPpo", "burn:ticket@1 burn:page@4 burn-resolved:page@5"], // maintenance holds the state: the page is announced after it
    ["pOOo", "burn:page@1 burn-resolved:page@4"], // and the resolution too
    ["PPPP", ""],
  ])("%s → %s", (letters, expected) => {
    expect(short(play(letters).effects)).toBe(expected);
  });

  it("keys each notice by probe, SLI, severity and the slot the severity started; the resolved notice reuses the alert's key", () => {
    const { effects } = play("otpo");
    expect(effects.map((e) => e.key)).toEqual([
      `shop-burn-availability-ticket-${slot(2)}`,
      `shop-burn-availability-page-${slot(3)}`,
      `shop-burn-availability-page-${slot(3)}`,
    ]);
    expect(burnKey(P, "latency", "page", 7)).toBe("shop-burn-latency-page-7");
    expect(effects.map((e) => e.episodeStartedAt)).toEqual([slot(2), slot(2), slot(2)]);
  });

  it("carries the budget left, the forecast and the rule that fired", () => {
    const [burn] = play("p").effects;
    expect(burn!.burn).toEqual({
      severity: "page",
      budgetRemaining: 0.37,
      forecast: { exhaustsAt: T0 + 5 * 3_600_000, hoursLeft: 5 },
      sli: "availability",
      window: "30d",
      rule: { long: "1h", short: "5m", longRate: 14.4, shortRate: 14.4, threshold: 14.4 },
    });
    const resolved = play("po").effects[1]!;
    expect([resolved.transition, resolved.burn.rule, resolved.burn.severity]).toEqual(["burn-resolved", null, "page"]);
  });

  it("steps availability and latency separately", () => {
    const first = stepBurn(P, initialBurnState(), {
      slotAt: slot(1),
      inMaintenance: false,
      report: report("ok", "ticket"),
    });
    expect(burns(first.effects).map((e) => `${e.sli}:${e.severity}`)).toEqual(["latency:ticket"]);
    const second = stepBurn(P, first.next, { slotAt: slot(2), inMaintenance: false, report: report("page", "ticket") });
    expect(burns(second.effects).map((e) => `${e.sli}:${e.severity}`)).toEqual(["availability:page"]);
    // A probe whose latency objective is removed forgets the alert quietly.
    const third = stepBurn(P, second.next, { slotAt: slot(3), inMaintenance: false, report: report("page", null) });
    expect([third.effects, third.next.latency.announced]).toEqual([[], "ok"]);
  });

  it("ignores an evaluation that is not newer than the last (replays, late duplicates)", () => {
    const { state } = play("p");
    for (const at of [slot(1), slot(0)]) {
      const replay = stepBurn(P, state, { slotAt: at, inMaintenance: false, report: report("ok") });
      expect(replay.next).toBe(state);
      expect(replay.effects).toEqual([]);
    }
    expect(() => stepBurn(P, state, { slotAt: Number.NaN, inMaintenance: false, report: report("ok") })).toThrow(
      RangeError,
    );
  });

  it("model: announcements alternate with resolutions, rise within an episode, never repeat an outbox id, and replays add none", () => {
    const severity = fc.constantFrom<BurnSeverity>("ok", "ticket", "page");
    const evaluation = fc.record({
      availability: severity,
      latency: severity,
      maintenance: fc.boolean(),
      replay: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(evaluation, { maxLength: 60 }), (evaluations) => {
        let state = initialBurnState();
        const effects: BurnNotify[] = [];
        evaluations.forEach((e, i) => {
          const step = stepBurn(P, state, {
            slotAt: slot(i + 1),
            inMaintenance: e.maintenance,
            report: report(e.availability, e.latency),
          });
          state = step.next;
          effects.push(...burns(step.effects));
          if (e.replay) {
            const again = stepBurn(P, state, {
              slotAt: slot(i + 1),
              inMaintenance: false,
              report: report("page", "page"),
            });
            expect([again.next, again.effects]).toEqual([state, []]);
          }
        });
        const ids = effects.map((e) => `${e.key}:${e.transition}`);
        expect(new Set(ids).size).toBe(ids.length);
        for (const kind of ["availability", "latency"] as const) {
          let announced: BurnSeverity = "ok";
          for (const e of effects.filter((x) => x.sli === kind)) {
            if (e.transition === "burn") {
              expect(["ok", e.severity === "page" ? "ticket" : "none"]).toContain(announced);
              announced = e.severity;
            } else {
              expect(e.severity).toBe(announced);
              announced = "ok";
            }
          }
          expect(state[kind].announced).toBe(announced);
        }
      }),
    );
  });
});

describe("channels word burn notices", () => {
  const [effect] = play("p").effects;
  const burn: Notice = {
    transition: "burn",
    probe: { id: "shop-checkout", name: "Checkout journey", group: "Checkout" },
    incident: {
      id: effect!.key,
      title: "Checkout journey: error budget burning (page)",
      startedAt: effect!.since,
      resolvedAt: null,
    },
    regions: [],
    burn: effect!.burn,
    at: effect!.at,
  };
  const resolved: Notice = {
    ...burn,
    transition: "burn-resolved",
    incident: {
      ...burn.incident,
      title: "Checkout journey: error budget burn resolved",
      resolvedAt: burn.at + 45 * 60_000,
    },
    burn: {
      ...burn.burn!,
      rule: null,
      budgetRemaining: 0.31,
      forecast: { exhaustsAt: null, hoursLeft: null, reason: "not-burning", message: "" },
    },
    at: burn.at + 45 * 60_000,
  };

  it("says the severity, the rates, the budget left and the forecast", () => {
    expect(headline(burn)).toBe("Error budget burning fast (page): Checkout journey");
    expect(summary(burn)).toBe(
      "Checkout journey (Checkout), availability: 14.4× over 1h and 5m; 37% of the 30d budget left; exhausted in ~5 h.",
    );
    expect(headline(resolved)).toBe("Error budget burn resolved: Checkout journey");
    expect(summary(resolved)).toBe(
      "Checkout journey (Checkout), availability: the page burn-rate alert stopped after 45 min; 31% of the 30d budget left.",
    );
  });

  it("words tickets, latency, differing rates, overspent budgets and an exhausted forecast", () => {
    const ticket: Notice = {
      ...burn,
      burn: {
        severity: "ticket",
        sli: "latency",
        window: "month",
        budgetRemaining: -0.125,
        forecast: { exhaustsAt: null, hoursLeft: null, reason: "exhausted", message: "" },
        rule: { long: "24h", short: "2h", longRate: 3.04, shortRate: 150.2, threshold: 3 },
      },
    };
    expect(headline(ticket)).toBe("Latency error budget burning (ticket): Checkout journey");
    expect(summary(ticket)).toBe(
      "Checkout journey (Checkout), latency: 3× over 24h and 150× over 2h; the calendar month's budget is overspent by 12.5%; already exhausted.",
    );
  });

  it("renders on the webhook with its own events and the full burn context", () => {
    expect(webhookBody(burn)).toMatchObject({
      event: "slo.burn",
      probe: { id: "shop-checkout" },
      incident: { id: `shop-burn-availability-page-${slot(1)}`, resolvedAt: null },
      burn: {
        severity: "page",
        budgetRemaining: 0.37,
        forecast: { exhaustsAt: "2026-01-01T05:00:00.000Z", hoursLeft: 5 },
        sli: "availability",
        window: "30d",
        rule: { long: "1h", short: "5m", longRate: 14.4 },
      },
    });
    expect(webhookBody(resolved)).toMatchObject({ event: "slo.burn-resolved", burn: { rule: null } });
  });

  it("renders on Slack and Discord with one line that has it all, and a burn alert footer", () => {
    const slack = slackBody(burn) as {
      text: string;
      blocks: [unknown, { text: { text: string } }, { elements: { text: string }[] }];
    };
    expect(slack.text).toBe("Error budget burning fast (page): Checkout journey");
    expect(slack.blocks[1].text.text).toBe(
      ":fire: Checkout journey (Checkout), availability: 14.4× over 1h and 5m; 37% of the 30d budget left; exhausted in ~5 h.",
    );
    expect(slack.blocks[2].elements[0]!.text).toBe(
      `Burn alert shop-burn-availability-page-${slot(1)} · probe shop-checkout`,
    );
    expect((slackBody(resolved) as typeof slack).blocks[1].text.text).toMatch(/^:white_check_mark: /);

    const discord = discordBody(burn) as {
      content: string;
      embeds: { description: string; color: number; footer: { text: string } }[];
    };
    expect(discord.content).toBe("Error budget burning fast (page): Checkout journey");
    // "~" is Discord's strikethrough, so it is escaped (and shows as typed).
    expect(discord.embeds[0]).toMatchObject({
      description:
        "Checkout journey (Checkout), availability: 14.4× over 1h and 5m; 37% of the 30d budget left; exhausted in \\~5 h.",
      color: 0xe8710a,
    });
    expect(discord.embeds[0]!.footer.text).toBe(
      `Burn alert shop-burn-availability-page-${slot(1)} · probe shop-checkout`,
    );
    expect((discordBody(resolved) as typeof discord).embeds[0]!.color).toBe(0x1e8e3e);
  });
});

describe("the no-data alert", () => {
  const silent = (on: boolean): BurnReportInput => ({
    ...report("ok"),
    silence: { silent: on, lookbackMs: 15 * 60_000 },
  });

  it("one notice when every region falls silent, none while it lasts, one when runs come back; held in maintenance", () => {
    let state = initialBurnState();
    const seen: string[] = [];
    const steps: [boolean, boolean][] = [
      [false, false],
      [true, false],
      [true, false],
      [true, true],
      [false, true],
      [false, false],
      [false, false],
    ];
    steps.forEach(([on, maintenance], i) => {
      const step = stepBurn(P, state, { slotAt: slot(i + 1), inMaintenance: maintenance, report: silent(on) });
      state = step.next;
      for (const e of step.effects)
        if (e.kind === "silence") seen.push(`${e.transition}@${(e.at - T0) / FIVE} key ${e.key}`);
    });
    expect(seen).toEqual([`no-data@2 key ${P}-no-data-${slot(2)}`, `no-data-resolved@6 key ${P}-no-data-${slot(2)}`]);
  });

  it("never sent when the probe's no-data alert is off, and a burn is never a no-data notice", () => {
    const step = stepBurn(P, initialBurnState(), {
      slotAt: slot(1),
      inMaintenance: false,
      report: { ...report("page"), silence: null },
    });
    expect(step.effects.map((e) => e.kind)).toEqual(["notify"]);
  });

  it("every channel words it as no data, with the lookback", () => {
    const notice: Notice = {
      transition: "no-data",
      probe: { id: P, name: "Shop", group: "Checkout" },
      incident: { id: `${P}-no-data-${T0}`, title: "Shop: no data", startedAt: T0 },
      regions: [],
      silence: { lookbackMs: 15 * 60_000 },
      at: T0,
    };
    expect(headline(notice)).toBe("No data: Shop");
    expect(summary(notice)).toBe(
      "Shop (Checkout) stored no run in any region for 15 min, although runs were due. Its SLOs count those minutes as no data, not as up or down.",
    );
    expect(webhookBody(notice)).toMatchObject({ event: "slo.no-data", silence: { lookbackSeconds: 900 } });
    expect(JSON.stringify(slackBody(notice))).toContain("No data: Shop");
    expect(JSON.stringify(discordBody(notice))).toContain("No data: Shop");
  });
});
