/**
 * Slack incoming webhook: `text` (the notification and fallback line) plus Block Kit `blocks`.
 * Slack reads `&`, `<` and `>` as markup in mrkdwn (links, `<!channel>` mentions), so user text
 * is escaped; a failure message cannot ping a channel or forge a link.
 */
import { JSON_HEADERS, type Channel, type OutboundRequest } from "./channel.ts";
import { burnLine, failureLine, headline, reference, summary, truncate, type Notice } from "./notice.ts";

const EMOJI = {
  down: ":red_circle:",
  up: ":large_green_circle:",
  flapping: ":large_orange_circle:",
  stable: ":large_blue_circle:",
  burn: ":fire:",
  "burn-resolved": ":white_check_mark:",
  "no-data": ":grey_question:",
  "no-data-resolved": ":white_check_mark:",
  network: ":satellite_antenna:",
  "release-regressed": ":rewind:",
  "release-healthy": ":rocket:",
  "metric-breached": ":chart_with_downwards_trend:",
  "metric-recovered": ":white_check_mark:",
} as const satisfies Record<Notice["transition"], string>;

/** Slack's mrkdwn escaping: only these three characters are control characters. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function slackBody(notice: Notice): unknown {
  const title = headline(notice);
  const lines = [summary(notice), failureLine(notice), burnLine(notice)].filter((l): l is string => l !== null);
  return {
    text: escapeSlack(title),
    blocks: [
      // Header blocks are plain_text (never parsed) and at most 150 characters.
      { type: "header", text: { type: "plain_text", text: truncate(title, 150), emoji: true } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: truncate(`${EMOJI[notice.transition]} ${lines.map(escapeSlack).join("\n")}`, 3000),
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: escapeSlack(
              truncate(`${reference(notice)}${notice.failure ? ` · run ${notice.failure.runId}` : ""}`, 2000),
            ),
          },
        ],
      },
    ],
  };
}

/** @example slackChannel({ name: "ops-slack", url: env.SLACK_WEBHOOK_URL }).build(notice, Date.now()) */
export function slackChannel(config: { name: string; url: string }): Channel {
  return {
    type: "slack",
    name: config.name,
    async build(notice: Notice): Promise<OutboundRequest> {
      return { url: config.url, method: "POST", headers: { ...JSON_HEADERS }, body: JSON.stringify(slackBody(notice)) };
    },
  };
}
