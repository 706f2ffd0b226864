/** Signed webhooks: the exact body and headers, and signature verification (secret, body, replay window). */
import { describe, expect, it } from "vitest";
import type { Notice } from "../../../../src/incidents/channels/notice.ts";
import { signWebhook, verifyWebhookSignature, webhookBody, webhookChannel } from "../../../../src/incidents/channels/webhook.ts";

const T0 = Date.UTC(2026, 0, 1); // 2026-01-01T00:00:00Z
const SENT = T0 + 90_000;
const SECRET = "whsec_test";

const down: Notice = {
  transition: "down",
  probe: { id: "shop-checkout", name: "Checkout journey", group: "Checkout" },
  incident: { id: `shop-checkout-${T0 + 60_000}`, title: "Checkout journey is down", startedAt: T0 },
  failure: { step: "read cart", class: "status", message: "expected 200, got 503", runId: "run-1" },
  regions: ["weur", "apac"],
  at: T0 + 60_000,
};

const EXPECTED_BODY =
  '{"event":"probe.down","timestamp":"2026-01-01T00:01:00.000Z","probe":{"id":"shop-checkout","name":"Checkout journey","group":"Checkout"},' +
  '"incident":{"id":"shop-checkout-1767225660000","title":"Checkout journey is down","startedAt":"2026-01-01T00:00:00.000Z","resolvedAt":null},' +
  '"failure":{"step":"read cart","class":"status","message":"expected 200, got 503","runId":"run-1"},"regions":["weur","apac"],"burn":null}';

describe("webhook request", () => {
  it("is the exact JSON body with timestamp and signature headers", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/afterlife" }, SECRET).build(down, SENT);
    expect(request).toEqual({
      url: "https://hooks.example.com/afterlife",
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Afterlife-Webhook/1",
        "x-afterlife-event": "probe.down",
        "x-afterlife-timestamp": "1767225690",
        // HMAC-SHA256("whsec_test", "1767225690." + body), computed independently with Node's crypto.
        "x-afterlife-signature": "sha256=9cffca27d7790a91adcf895f2fa3581596bbd8a46d2bc513ca0c60451a3f0c77",
      },
      body: EXPECTED_BODY,
    });
  });

  it("carries resolution and burn context when there is some", () => {
    const up: Notice = {
      ...down,
      transition: "up",
      failure: undefined,
      regions: [],
      incident: { ...down.incident, resolvedAt: T0 + 12 * 60_000 },
      burn: { severity: "page", budgetRemaining: 0.425, forecast: { exhaustsAt: T0 + 27_000_000, hoursLeft: 7.5 } },
      at: T0 + 13 * 60_000,
    };
    expect(webhookBody(up)).toEqual({
      event: "probe.up",
      timestamp: "2026-01-01T00:13:00.000Z",
      probe: { id: "shop-checkout", name: "Checkout journey", group: "Checkout" },
      incident: { id: "shop-checkout-1767225660000", title: "Checkout journey is down", startedAt: "2026-01-01T00:00:00.000Z", resolvedAt: "2026-01-01T00:12:00.000Z" },
      failure: null,
      regions: [],
      burn: { severity: "page", budgetRemaining: 0.425, forecast: { exhaustsAt: "2026-01-01T07:30:00.000Z", hoursLeft: 7.5 } },
    });
  });

  it("is sent unsigned when the channel has no secret, and refuses an empty one", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, null).build(down, SENT);
    expect(request.headers["x-afterlife-signature"]).toBeUndefined();
    expect(request.headers["x-afterlife-timestamp"]).toBe("1767225690");
    expect(() => webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, "")).toThrow(/empty/);
  });
});

describe("verifyWebhookSignature", () => {
  const sign = (body = EXPECTED_BODY, secret = SECRET, ts = SENT / 1000) => signWebhook(secret, ts, body);
  const verify = (args: { secret?: string; ts?: string | number | null; body?: string; signature: string | null; now?: number; tolerance?: number }) =>
    verifyWebhookSignature(args.secret ?? SECRET, args.ts === undefined ? String(SENT / 1000) : args.ts, args.body ?? EXPECTED_BODY, args.signature, args.now ?? SENT + 5_000, args.tolerance);

  it("accepts what was signed with the same secret", async () => {
    expect(await verify({ signature: await sign() })).toBe(true);
    expect(await verify({ signature: (await sign()).toUpperCase().replace("SHA256=", "sha256=") })).toBe(true);
    expect(await verify({ ts: SENT / 1000, signature: await sign() })).toBe(true);
  });

  it("accepts what the channel sent", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, SECRET).build(down, SENT);
    expect(await verifyWebhookSignature(SECRET, request.headers["x-afterlife-timestamp"] ?? null, request.body, request.headers["x-afterlife-signature"] ?? null, SENT + 1000)).toBe(true);
  });

  it("rejects another secret, a modified body or another timestamp", async () => {
    const signature = await sign();
    expect(await verify({ secret: "whsec_other", signature })).toBe(false);
    expect(await verify({ body: EXPECTED_BODY.replace("503", "504"), signature })).toBe(false);
    expect(await verify({ body: `${EXPECTED_BODY} `, signature })).toBe(false);
    expect(await verify({ ts: String(SENT / 1000 + 1), signature })).toBe(false);
  });

  it("rejects a timestamp older (or further ahead) than the tolerance, against replay", async () => {
    const signature = await sign();
    expect(await verify({ signature, now: SENT + 300_000 })).toBe(true);
    expect(await verify({ signature, now: SENT + 301_000 })).toBe(false);
    expect(await verify({ signature, now: SENT - 301_000 })).toBe(false);
    expect(await verify({ signature, now: SENT + 3_600_000, tolerance: 3600 })).toBe(true);
    expect(await verify({ signature, now: SENT + 61_000, tolerance: 60 })).toBe(false);
  });

  it("rejects malformed input without throwing", async () => {
    const signature = await sign();
    for (const bad of [null, "", "sha256=", signature.slice(0, -2), `${signature}00`, signature.replace("sha256=", "sha1="), signature.replace("sha256=", ""), `sha256=${"z".repeat(64)}`]) {
      expect(await verify({ signature: bad })).toBe(false);
    }
    for (const ts of [null, "", "-1", "1.5", "12abc", "1e9"]) expect(await verify({ ts, signature })).toBe(false);
    expect(await verify({ secret: "", signature })).toBe(false);
  });
});
