/**
 * Discord webhook: a short `content` line plus one embed coloured by transition. Mentions are
 * switched off (`allowed_mentions.parse: []`), so "@everyone" in a failure message is inert,
 * and user text is markdown-escaped.
 */
import { JSON_HEADERS, type Channel, type OutboundRequest } from "./channel.ts";
import { burnLine, failureLine, headline, isoTime, reference, summary, truncate, type Notice } from "./notice.ts";

/** Red, green, amber, blue; burn orange, burn resolved green, network grey. */
const DISCORD_COLORS = {
  down: 0xd93025,
  up: 0x1e8e3e,
  flapping: 0xf9ab00,
  stable: 0x1a73e8,
  burn: 0xe8710a,
  "burn-resolved": 0x1e8e3e,
  "no-data": 0x5f6368,
  "no-data-resolved": 0x1e8e3e,
  network: 0x5f6368,
  "release-regressed": 0xd93025,
  "release-healthy": 0x1e8e3e,
  "metric-breached": 0xe8710a,
  "metric-recovered": 0x1e8e3e,
} as const satisfies Record<Notice["transition"], number>;

/**
 * Backslash-escapes Discord markdown so user text shows as typed: emphasis, code, spoilers,
 * masked links and mentions anywhere; headings, lists and quotes at the start of a line.
 */
function escapeDiscord(text: string): string {
  return text.replace(/[\\*_~`|<>[\]]/g, "\\$&").replace(/^([#-])/gm, "\\$1");
}

export function discordBody(notice: Notice): unknown {
  const description = [summary(notice), failureLine(notice), burnLine(notice)]
    .filter((l): l is string => l !== null)
    .map(escapeDiscord)
    .join("\n");
  return {
    content: truncate(escapeDiscord(headline(notice)), 2000),
    embeds: [
      {
        title: truncate(escapeDiscord(notice.incident.title), 256),
        description: truncate(description, 4096),
        color: DISCORD_COLORS[notice.transition],
        timestamp: isoTime(notice.at),
        footer: { text: truncate(reference(notice), 2048) },
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/** @example discordChannel({ name: "ops-discord", url: env.DISCORD_WEBHOOK_URL }).build(notice, Date.now()) */
export function discordChannel(config: { name: string; url: string }): Channel {
  return {
    type: "discord",
    name: config.name,
    async build(notice: Notice): Promise<OutboundRequest> {
      return {
        url: config.url,
        method: "POST",
        headers: { ...JSON_HEADERS },
        body: JSON.stringify(discordBody(notice)),
      };
    },
  };
}
