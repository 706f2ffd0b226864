/**
 * Generic signed webhook. The body is JSON; three headers let the receiver check it:
 *
 *     x-afterlife-timestamp: 1764158400                 (unix seconds of this attempt)
 *     x-afterlife-delivery:  shop-checkout-…:down:ops   (the notice's id, the same on every retry)
 *     x-afterlife-signature: sha256=<hex HMAC-SHA256 of `${timestamp}.${delivery}.${body}` with the secret>
 *
 * The delivery id is signed with the timestamp and the body, so a receiver can trust it as its
 * dedupe key: verifyWebhookSignature refuses a timestamp more than `toleranceSeconds` from its
 * clock, and a receiver that remembers the delivery ids it accepted for that long refuses a
 * replay of the same bytes too (delivery is at least once, so it drops true duplicates the same
 * way). A retried delivery is signed again with its own timestamp and the same delivery id.
 *
 * Events: probe.down, probe.up, probe.flapping, probe.stable (incidents); slo.burn and
 * slo.burn-resolved (error-budget burn alerts: `burn` has the SLI, window, firing rule, budget
 * left and forecast, and `incident.id` is the alert's key); slo.no-data and slo.no-data-resolved
 * (every region of a probe stored no run for its silence lookback: `silence` has it); network.ticks-missed,
 * network.region-silent, network.region-back, network.stage-failing, network.stage-back (the watchdog: `network` has the details and
 * `probe` is the network itself, id "afterlife:network"); release.regressed and release.healthy
 * (the release watch's verdict: `release` has the version, the look and each regression with
 * its evidence runs).
 */
import { JSON_HEADERS, type Channel, type OutboundRequest } from "./channel.ts";
import { isoTime, MAX_MESSAGE_CHARS, truncate, type NetworkEvent, type Notice, type NoticeMetric } from "./notice.ts";

const TIMESTAMP_HEADER = "x-afterlife-timestamp";
const SIGNATURE_HEADER = "x-afterlife-signature";
const EVENT_HEADER = "x-afterlife-event";
const DELIVERY_HEADER = "x-afterlife-delivery";

/** The event name of each transition (network notices add their kind: "network.ticks-missed"). */
const WEBHOOK_EVENTS = {
  down: "probe.down",
  up: "probe.up",
  flapping: "probe.flapping",
  stable: "probe.stable",
  burn: "slo.burn",
  "burn-resolved": "slo.burn-resolved",
  "no-data": "slo.no-data",
  "no-data-resolved": "slo.no-data-resolved",
  network: "network",
  "release-regressed": "release.regressed",
  "release-healthy": "release.healthy",
  "metric-breached": "metric.breached",
  "metric-recovered": "metric.recovered",
} as const satisfies Record<Notice["transition"], string>;

/** "network.notice" only for a network notice without details, which Afterlife does not make. */
type WebhookEvent =
  | Exclude<(typeof WEBHOOK_EVENTS)[keyof typeof WEBHOOK_EVENTS], "network">
  | `network.${NetworkEvent["kind"] | "notice"}`;

function webhookEvent(notice: Notice): WebhookEvent {
  if (notice.transition === "network") return `network.${notice.network?.kind ?? "notice"}`;
  return WEBHOOK_EVENTS[notice.transition];
}

type WebhookNetwork =
  | { kind: "ticks-missed"; from: string; to: string; minutes: number }
  | { kind: "region-silent"; region: string; since: string; detail: string | null }
  | { kind: "region-back"; region: string; silentSince: string; backAt: string }
  | { kind: "stage-failing"; stage: string; since: string; ticks: number; error: string }
  | { kind: "stage-back"; stage: string; failingSince: string; backAt: string };

function networkBody(event: NetworkEvent): WebhookNetwork {
  switch (event.kind) {
    case "ticks-missed":
      return { kind: event.kind, from: isoTime(event.from), to: isoTime(event.to), minutes: event.minutes };
    case "region-silent":
      return { kind: event.kind, region: event.region, since: isoTime(event.since), detail: event.detail };
    case "region-back":
      return {
        kind: event.kind,
        region: event.region,
        silentSince: isoTime(event.silentSince),
        backAt: isoTime(event.backAt),
      };
    case "stage-failing":
      return {
        kind: event.kind,
        stage: event.stage,
        since: isoTime(event.since),
        ticks: event.ticks,
        error: truncate(event.error, MAX_MESSAGE_CHARS),
      };
    case "stage-back":
      return {
        kind: event.kind,
        stage: event.stage,
        failingSince: isoTime(event.failingSince),
        backAt: isoTime(event.backAt),
      };
  }
}

interface WebhookBody {
  event: WebhookEvent;
  timestamp: string;
  probe: { id: string; name: string; group: string };
  incident: { id: string; title: string; startedAt: string; resolvedAt: string | null };
  failure: { step: string; class: string; message: string; runId: string } | null;
  regions: string[];
  burn: {
    severity: string;
    budgetRemaining: number | null;
    forecast: { exhaustsAt: string | null; hoursLeft: number | null };
    /** Burn notices only (slo.*): the SLI, the SLO window and the rule that fired (null once resolved). */
    sli?: string;
    window?: string;
    rule?: { long: string; short: string; longRate: number; shortRate: number; threshold: number } | null;
  } | null;
  /** Network notices only. */
  network?: WebhookNetwork;
  /** No-data notices only (slo.no-data*): how long every region stored nothing. */
  silence?: { lookbackSeconds: number };
  /** Release notices only (release.*). */
  metric?: NoticeMetric;
  release?: {
    id: string;
    version: string;
    url: string | null;
    releasedAt: string;
    watchMinutes: number;
    atMinute: number | null;
    reason: string;
    regressions: NonNullable<Notice["release"]>["regressions"];
  };
}

/**
 * The JSON body: times as ISO 8601; every key always present (null when not applicable) except
 * the burn notices' extra `burn` keys and the network notices' `network`, which only their
 * events carry.
 */
export function webhookBody(notice: Notice): WebhookBody {
  const f = notice.failure;
  const b = notice.burn;
  return {
    event: webhookEvent(notice),
    timestamp: isoTime(notice.at),
    probe: { id: notice.probe.id, name: notice.probe.name, group: notice.probe.group },
    incident: {
      id: notice.incident.id,
      title: notice.incident.title,
      startedAt: isoTime(notice.incident.startedAt),
      resolvedAt: notice.incident.resolvedAt == null ? null : isoTime(notice.incident.resolvedAt),
    },
    failure: f ? { step: f.step, class: f.class, message: f.message, runId: f.runId } : null,
    regions: [...notice.regions],
    burn: b
      ? {
          severity: b.severity,
          budgetRemaining: b.budgetRemaining,
          forecast: {
            exhaustsAt: b.forecast.exhaustsAt === null ? null : isoTime(b.forecast.exhaustsAt),
            hoursLeft: b.forecast.hoursLeft,
          },
          ...(b.sli === undefined ? {} : { sli: b.sli }),
          ...(b.window === undefined ? {} : { window: b.window }),
          ...(b.rule === undefined ? {} : { rule: b.rule === null ? null : { ...b.rule } }),
        }
      : null,
    ...(notice.network ? { network: networkBody(notice.network) } : {}),
    ...(notice.metric ? { metric: { ...notice.metric } } : {}),
    ...(notice.silence ? { silence: { lookbackSeconds: notice.silence.lookbackMs / 1000 } } : {}),
    ...(notice.release ? { release: { ...notice.release, releasedAt: isoTime(notice.release.releasedAt) } } : {}),
  };
}

const encoder = new TextEncoder();

async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  if (secret.length === 0) throw new RangeError("a webhook secret must not be empty");
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function fromHex(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Compares every byte whatever the first difference, so timing does not leak the prefix. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false; // the length of an HMAC-SHA256 is public
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The signed text: the timestamp, the delivery id and the body, joined by dots. */
function signedText(timestampSeconds: number | string, delivery: string, body: string): string {
  return `${timestampSeconds}.${delivery}.${body}`;
}

/** Delivery ids are outbox ids (`<incident>:<transition>:<channel>`): no dots, no braces. */
const DELIVERY_ID = /^[A-Za-z0-9_:-]{1,300}$/;

/**
 * The signature header value for a delivery sent at `timestampSeconds`.
 *
 * @example
 * await signWebhook("s3cret", 1764158400, "shop-1:down:ops", '{"event":"probe.down"}') // "sha256=…64 hex digits"
 */
export async function signWebhook(
  secret: string,
  timestampSeconds: number,
  delivery: string,
  body: string,
): Promise<string> {
  if (!DELIVERY_ID.test(delivery)) throw new RangeError(`not a delivery id: ${JSON.stringify(delivery)}`);
  return `sha256=${toHex(await hmacSha256(secret, signedText(timestampSeconds, delivery, body)))}`;
}

/**
 * For receivers (and tests): does `signature` sign `${timestamp}.${delivery}.${body}` with
 * `secret`, and is `timestamp` within `toleranceSeconds` of `now` (epoch ms)? Pass the raw body
 * bytes as text, before any JSON parsing. Then refuse a delivery id you accepted before (keep
 * them at least `toleranceSeconds`): that stops a replay of the same signed bytes.
 *
 * @example
 * await verifyWebhookSignature(secret, req.headers.get("x-afterlife-timestamp"), req.headers.get("x-afterlife-delivery"),
 *   await req.text(), req.headers.get("x-afterlife-signature"), Date.now()) // true or false
 */
export async function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | null,
  delivery: string | null,
  body: string,
  signature: string | null,
  now: number,
  toleranceSeconds = 300,
): Promise<boolean> {
  if (timestamp === null || delivery === null || signature === null || secret.length === 0) return false;
  if (!DELIVERY_ID.test(delivery)) return false;
  const ts = String(timestamp);
  if (!/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(now / 1000 - Number(ts)) > toleranceSeconds) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  const given = match ? fromHex(match[1]!) : null;
  if (!given) return false;
  return timingSafeEqual(given, await hmacSha256(secret, signedText(ts, delivery, body)));
}

/**
 * @example
 * const channel = webhookChannel({ name: "ops", url: "https://hooks.example.com/afterlife" }, env.OPS_WEBHOOK_SECRET);
 * await channel.build(notice, Date.now(), "shop-1:down:ops") // { url, method: "POST", headers: { …signature }, body }
 */
export function webhookChannel(config: { name: string; url: string }, secret: string | null): Channel {
  if (secret !== null && secret.length === 0)
    throw new RangeError(`webhook channel '${config.name}': the signing secret is empty`);
  return {
    type: "webhook",
    name: config.name,
    async build(notice: Notice, sentAt: number, delivery: string): Promise<OutboundRequest> {
      const body = JSON.stringify(webhookBody(notice));
      const timestamp = Math.floor(sentAt / 1000);
      const headers: Record<string, string> = {
        ...JSON_HEADERS,
        "user-agent": "Afterlife-Webhook/1",
        [EVENT_HEADER]: webhookEvent(notice),
        [TIMESTAMP_HEADER]: String(timestamp),
        [DELIVERY_HEADER]: delivery,
      };
      if (secret !== null) headers[SIGNATURE_HEADER] = await signWebhook(secret, timestamp, delivery, body);
      return { url: config.url, method: "POST", headers, body };
    },
  };
}
