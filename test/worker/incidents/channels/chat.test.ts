/** Slack and Discord: exact bodies, and user text that cannot ping, link or format. */
import { describe, expect, it } from "vitest";
import { discordChannel } from "../../../../src/incidents/channels/discord.ts";
import type { Notice } from "../../../../src/incidents/channels/notice.ts";
import { slackChannel } from "../../../../src/incidents/channels/slack.ts";
import { down, T0 } from "./notices.ts";

const up: Notice = {
  ...down,
  transition: "up",
  failure: undefined,
  regions: [],
  incident: { ...down.incident, resolvedAt: T0 + 12 * 60_000 },
  at: T0 + 13 * 60_000,
};
const hostile: Notice = {
  ...down,
  probe: { ...down.probe, name: "Shop <!channel> & *co*" },
  incident: { ...down.incident, title: "@everyone [click](https://evil.example)" },
  failure: { ...down.failure!, message: "<https://evil.example|login here> @everyone **now**\n# big" },
};

const build = async (channel: ReturnType<typeof slackChannel>, notice: Notice) => {
  const request = await channel.build(notice, T0 + 90_000, "p-1:down:chat");
  expect(request.method).toBe("POST");
  expect(request.headers).toEqual({ "content-type": "application/json" });
  return { url: request.url, body: JSON.parse(request.body) as unknown };
};

describe("slack", () => {
  const slack = slackChannel({ name: "ops-slack", url: "https://hooks.slack.com/services/T0/B0/x" });

  it("builds text and blocks for a DOWN", async () => {
    expect(await build(slack, down)).toEqual({
      url: "https://hooks.slack.com/services/T0/B0/x",
      body: {
        text: "DOWN: Checkout journey",
        blocks: [
          { type: "header", text: { type: "plain_text", text: "DOWN: Checkout journey", emoji: true } },
          {
            type: "section",
            text: {
              type: "mrkdwn",
              text: ':red_circle: Checkout journey (Checkout) is down since 2026-01-01T00:00:00.000Z. Failing regions: weur, apac.\nStep "read cart" failed (status): expected 200, got 503',
            },
          },
          {
            type: "context",
            elements: [
              { type: "mrkdwn", text: "Incident shop-checkout-1767225660000 · probe shop-checkout · run run-1" },
            ],
          },
        ],
      },
    });
  });

  it("builds an UP with how long it was down", async () => {
    const { body } = await build(slack, up);
    expect(body).toMatchObject({
      text: "UP: Checkout journey",
      blocks: [
        {},
        { text: { text: ":large_green_circle: Checkout journey (Checkout) is up again after 12 min down." } },
        { elements: [{ text: "Incident shop-checkout-1767225660000 · probe shop-checkout" }] },
      ],
    });
  });

  it("escapes &, < and > so user text cannot mention or link", async () => {
    const { body } = await build(slack, hostile);
    const { text, blocks } = body as {
      text: string;
      blocks: [unknown, { text: { text: string } }, { elements: { text: string }[] }];
    };
    for (const mrkdwn of [text, blocks[1].text.text, blocks[2].elements[0]!.text]) {
      expect(mrkdwn).not.toMatch(/[<>]/);
      expect(mrkdwn).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
    expect(blocks[1].text.text).toContain("&lt;https://evil.example|login here&gt;");
    expect(body).toMatchObject({ text: "DOWN: Shop &lt;!channel&gt; &amp; *co*" });
    // The header is plain_text, which Slack never parses: it keeps the characters as typed.
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "DOWN: Shop <!channel> & *co*", emoji: true },
    });
  });
});

describe("discord", () => {
  const discord = discordChannel({ name: "ops-discord", url: "https://discord.com/api/webhooks/1/x" });

  it("builds content and a red embed for a DOWN", async () => {
    expect(await build(discord, down)).toEqual({
      url: "https://discord.com/api/webhooks/1/x",
      body: {
        content: "DOWN: Checkout journey",
        embeds: [
          {
            title: "Checkout journey is down",
            description:
              'Checkout journey (Checkout) is down since 2026-01-01T00:00:00.000Z. Failing regions: weur, apac.\nStep "read cart" failed (status): expected 200, got 503',
            color: 0xd93025,
            timestamp: "2026-01-01T00:01:00.000Z",
            footer: { text: "Incident shop-checkout-1767225660000 · probe shop-checkout" },
          },
        ],
        allowed_mentions: { parse: [] },
      },
    });
  });

  it.each([
    ["up", 0x1e8e3e],
    ["flapping", 0xf9ab00],
    ["stable", 0x1a73e8],
  ] as const)("colours %s as %i", async (transition, color) => {
    const { body } = await build(discord, { ...down, transition });
    expect(body).toMatchObject({ content: `${transition.toUpperCase()}: Checkout journey`, embeds: [{ color }] });
  });

  it("switches mentions off and escapes markdown in user text", async () => {
    const { body } = await build(discord, hostile);
    expect(body).toMatchObject({
      content: "DOWN: Shop \\<!channel\\> & \\*co\\*",
      embeds: [
        {
          title: "@everyone \\[click\\](https://evil.example)",
          description:
            "Shop \\<!channel\\> & \\*co\\* (Checkout) is down since 2026-01-01T00:00:00.000Z. Failing regions: weur, apac.\n" +
            'Step "read cart" failed (status): \\<https://evil.example\\|login here\\> @everyone \\*\\*now\\*\\*\n\\# big',
        },
      ],
      allowed_mentions: { parse: [] },
    });
  });

  it("keeps within Discord's limits", async () => {
    const long: Notice = {
      ...down,
      incident: { ...down.incident, title: "t".repeat(1000) },
      failure: { ...down.failure!, message: "m".repeat(10_000) },
    };
    const { body } = await build(discord, long);
    const embed = (body as { embeds: { title: string; description: string }[] }).embeds[0]!;
    expect(embed.title).toHaveLength(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
  });
});
