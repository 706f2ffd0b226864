/**
 * What every notification channel is: a config entry (schema below) and a builder from a notice
 * to one HTTP request. Building is pure apart from Web Crypto; the sender does the fetch.
 *
 * Slack and Discord webhook URLs carry their own credential, so `url` may be `{{secret:NAME}}`
 * to keep it in a Worker secret rather than in wrangler.toml.
 */
import { z } from "zod";
import type { Notice } from "./notice.ts";

const CHANNEL_TYPES = ["webhook", "slack", "discord"] as const;
type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface OutboundRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

export interface Channel {
  type: ChannelType;
  name: string;
  /**
   * `sentAt` is when this attempt is made (the webhook signature's timestamp), not the notice
   * time; `delivery` is the outbox id, the same on every retry (signed by webhooks).
   */
  build(notice: Notice, sentAt: number, delivery: string): Promise<OutboundRequest>;
}

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const SECRET_URL = /^\{\{secret:([A-Za-z_][A-Za-z0-9_]*)\}\}$/;

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "lowercase letters, digits, '-' and '_', at most 63");
const url = z.union([
  z.url({ protocol: /^https?$/, error: "an http(s) URL or {{secret:NAME}}" }),
  z.string().regex(SECRET_URL, "an http(s) URL or {{secret:NAME}}"),
]);

export const ChannelConfigSchema = z.discriminatedUnion("type", [
  z.strictObject({
    name,
    type: z.literal("webhook"),
    url,
    /** The Worker secret holding the HMAC key; without it the webhook is sent unsigned. */
    secretName: z.string().regex(SECRET_NAME, "a Worker secret name").optional(),
  }),
  z.strictObject({ name, type: z.literal("slack"), url }),
  z.strictObject({ name, type: z.literal("discord"), url }),
]);
export type ChannelConfig = z.infer<typeof ChannelConfigSchema>;

export const JSON_HEADERS = Object.freeze({ "content-type": "application/json" });
