/**
 * From channel config entries to channels, resolving secrets by name at run time (never stored):
 * the webhook signing key (`secretName`) and a `{{secret:NAME}}` URL.
 */
import { SECRET_URL, type Channel, type ChannelConfig } from "./channel.ts";
import { discordChannel } from "./discord.ts";
import { slackChannel } from "./slack.ts";
import { webhookChannel } from "./webhook.ts";

export class ChannelConfigError extends Error {
  override name = "ChannelConfigError";
}

/** Looks up a Worker secret by name; undefined when it is not set. */
type SecretLookup = (name: string) => string | undefined;

function requireSecret(channel: string, name: string, secrets: SecretLookup, what: string): string {
  const value = secrets(name);
  if (value === undefined || value === "")
    throw new ChannelConfigError(`channel '${channel}': the Worker secret ${name} (${what}) is not set`);
  return value;
}

function resolveUrl(config: ChannelConfig, secrets: SecretLookup): string {
  const ref = SECRET_URL.exec(config.url);
  if (!ref) return config.url;
  const url = requireSecret(config.name, ref[1]!, secrets, "the URL");
  if (!/^https?:\/\//i.test(url))
    throw new ChannelConfigError(`channel '${config.name}': the Worker secret ${ref[1]} must hold an http(s) URL`);
  return url;
}

/**
 * @example
 * createChannel({ name: "ops", type: "webhook", url: "https://hooks.example.com/x", secretName: "OPS_HOOK_KEY" }, (n) => env[n])
 */
export function createChannel(config: ChannelConfig, secrets: SecretLookup): Channel {
  const url = resolveUrl(config, secrets);
  switch (config.type) {
    case "webhook":
      return webhookChannel(
        { name: config.name, url },
        config.secretName === undefined
          ? null
          : requireSecret(config.name, config.secretName, secrets, "the signing key"),
      );
    case "slack":
      return slackChannel({ name: config.name, url });
    case "discord":
      return discordChannel({ name: config.name, url });
  }
}

/** Every configured channel; names must be unique (they are part of the outbox key). */
export function createChannels(configs: readonly ChannelConfig[], secrets: SecretLookup): Channel[] {
  const seen = new Set<string>();
  return configs.map((c) => {
    if (seen.has(c.name)) throw new ChannelConfigError(`channel name '${c.name}' is used twice`);
    seen.add(c.name);
    return createChannel(c, secrets);
  });
}
