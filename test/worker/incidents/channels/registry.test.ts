/** Channel config: the schema's path-precise errors, and secrets resolved by name at run time. */
import { describe, expect, it } from "vitest";
import { ChannelConfigSchema } from "../../../../src/incidents/channels/channel.ts";
import { ChannelConfigError, createChannel, createChannels } from "../../../../src/incidents/channels/registry.ts";

const secrets: Record<string, string> = {
  OPS_HOOK_KEY: "k3y",
  SLACK_URL: "https://hooks.slack.com/services/T0/B0/secret",
};
const lookup = (name: string) => secrets[name];

describe("channel config schema", () => {
  it("accepts the three types", () => {
    expect(
      ChannelConfigSchema.parse({
        name: "ops",
        type: "webhook",
        url: "https://hooks.example.com/x",
        secretName: "OPS_HOOK_KEY",
      }),
    ).toEqual({
      name: "ops",
      type: "webhook",
      url: "https://hooks.example.com/x",
      secretName: "OPS_HOOK_KEY",
    });
    expect(
      ChannelConfigSchema.safeParse({ name: "ops-slack", type: "slack", url: "{{secret:SLACK_URL}}" }).success,
    ).toBe(true);
    expect(
      ChannelConfigSchema.safeParse({ name: "ops_discord", type: "discord", url: "http://127.0.0.1:9000/hook" })
        .success,
    ).toBe(true);
  });

  it.each([
    [{ name: "ops", type: "email", url: "https://x.test" }, "type"],
    [{ name: "Ops Team", type: "slack", url: "https://x.test" }, "name"],
    [{ name: "ops", type: "slack", url: "ftp://x.test/hook" }, "url"],
    [{ name: "ops", type: "slack", url: "{{secret:has space}}" }, "url"],
    [{ name: "ops", type: "slack", url: "https://x.test", secretName: "K" }, ""], // only webhooks are signed
    [{ name: "ops", type: "webhook", url: "https://x.test", secretName: "not-a-name" }, "secretName"],
    [{ name: "ops", type: "webhook", url: "https://x.test", timeout: 5 }, ""],
  ])("rejects %j at '%s'", (config, path) => {
    const result = ChannelConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("createChannel", () => {
  it("signs webhooks with the named secret", async () => {
    const channel = createChannel(
      { name: "ops", type: "webhook", url: "https://hooks.example.com/x", secretName: "OPS_HOOK_KEY" },
      lookup,
    );
    expect(channel).toMatchObject({ type: "webhook", name: "ops" });
    const request = await channel.build(
      {
        transition: "up",
        probe: { id: "p", name: "P", group: "G" },
        incident: { id: "p-1", title: "P", startedAt: 0 },
        regions: [],
        at: 60_000,
      },
      120_000,
      "p-1:down:ops",
    );
    expect(request.headers["x-afterlife-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("reads a {{secret:NAME}} URL from the secrets, never from config", async () => {
    const channel = createChannel({ name: "ops-slack", type: "slack", url: "{{secret:SLACK_URL}}" }, lookup);
    const request = await channel.build(
      {
        transition: "down",
        probe: { id: "p", name: "P", group: "G" },
        incident: { id: "p-1", title: "P", startedAt: 0 },
        regions: [],
        at: 60_000,
      },
      120_000,
      "p-1:down:ops",
    );
    expect(request.url).toBe("https://hooks.slack.com/services/T0/B0/secret");
  });

  it("says which secret is missing", () => {
    expect(() =>
      createChannel({ name: "ops", type: "webhook", url: "https://x.test", secretName: "MISSING" }, lookup),
    ).toThrow(ChannelConfigError);
    expect(() =>
      createChannel({ name: "ops", type: "webhook", url: "https://x.test", secretName: "MISSING" }, lookup),
    ).toThrow(/MISSING/);
    expect(() => createChannel({ name: "d", type: "discord", url: "{{secret:NOPE}}" }, lookup)).toThrow(/NOPE/);
    expect(() => createChannel({ name: "d", type: "discord", url: "{{secret:OPS_HOOK_KEY}}" }, lookup)).toThrow(
      /http\(s\) URL/,
    );
  });

  it("refuses two channels with the same name (the name is part of the outbox key)", () => {
    const slack = { name: "ops", type: "slack", url: "https://x.test" } as const;
    expect(createChannels([slack, { ...slack, name: "ops2" }], lookup)).toHaveLength(2);
    expect(() => createChannels([slack, slack], lookup)).toThrow(/twice/);
  });
});
