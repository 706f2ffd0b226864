/** Signed webhooks: the exact body and headers, and signature verification (secret, body, replay window). */
import { describe, expect, it } from "vitest";
import type { Notice } from "../../../../src/incidents/channels/notice.ts";
import {
  signWebhook,
  verifyWebhookSignature,
  webhookBody,
  webhookChannel,
} from "../../../../src/incidents/channels/webhook.ts";
import { down, T0 } from "./notices.ts";

const SENT = T0 + 90_000;
const SECRET = "whsec_test";
const DELIVERY = "shop-checkout-1767225660000:down:ops";

const EXPECTED_BODY =
  '{"event":"probe.down","timestamp":"2026-01-01T00:01:00.000Z","probe":{"id":"shop-checkout","name":"Checkout journey","group":"Checkout"},' +
  '"incident":{"id":"shop-checkout-1767225660000","title":"Checkout journey is down","startedAt":"2026-01-01T00:00:00.000Z","resolvedAt":null},' +
  '"failure":{"step":"read cart","class":"status","message":"expected 200, got 503","runId":"run-1"},"regions":["weur","apac"],"burn":null}';

describe("webhook request", () => {
  it("is the exact JSON body with timestamp and signature headers", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/afterlife" }, SECRET).build(
      down,
      SENT,
      DELIVERY,
    );
    expect(request).toEqual({
      url: "https://hooks.example.com/afterlife",
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Afterlife-Webhook/1",
        "x-afterlife-event": "probe.down",
        "x-afterlife-timestamp": "1767225690",
        "x-afterlife-delivery": DELIVERY,
        // HMAC-SHA256("whsec_test", "1767225690." + DELIVERY + "." + body), computed independently with Node's crypto.
        "x-afterlife-signature": "sha256=b6ca2f6576acf0c2bdb9ab4767db9bf38b8b0b89498f8ba1ca11ed7526a64153",
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
      incident: {
        id: "shop-checkout-1767225660000",
        title: "Checkout journey is down",
        startedAt: "2026-01-01T00:00:00.000Z",
        resolvedAt: "2026-01-01T00:12:00.000Z",
      },
      failure: null,
      regions: [],
      burn: {
        severity: "page",
        budgetRemaining: 0.425,
        forecast: { exhaustsAt: "2026-01-01T07:30:00.000Z", hoursLeft: 7.5 },
      },
    });
  });

  it("is sent unsigned when the channel has no secret, and refuses an empty one", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, null).build(
      down,
      SENT,
      DELIVERY,
    );
    expect(request.headers["x-afterlife-signature"]).toBeUndefined();
    expect(request.headers["x-afterlife-timestamp"]).toBe("1767225690");
    expect(() => webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, "")).toThrow(/empty/);
  });
});

describe("verifyWebhookSignature", () => {
  const sign = (body = EXPECTED_BODY, secret = SECRET, ts = SENT / 1000, delivery = DELIVERY) =>
    signWebhook(secret, ts, delivery, body);
  const verify = (args: {
    secret?: string;
    ts?: string | number | null;
    delivery?: string | null;
    body?: string;
    signature: string | null;
    now?: number;
    tolerance?: number;
  }) =>
    verifyWebhookSignature(
      args.secret ?? SECRET,
      args.ts === undefined ? String(SENT / 1000) : args.ts,
      args.delivery === undefined ? DELIVERY : args.delivery,
      args.body ?? EXPECTED_BODY,
      args.signature,
      args.now ?? SENT + 5_000,
      args.tolerance,
    );

  it("accepts what was signed with the same secret", async () => {
    expect(await verify({ signature: await sign() })).toBe(true);
    expect(await verify({ signature: (await sign()).toUpperCase().replace("SHA256=", "sha256=") })).toBe(true);
    expect(await verify({ ts: SENT / 1000, signature: await sign() })).toBe(true);
  });

  it("accepts what the channel sent", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, SECRET).build(
      down,
      SENT,
      DELIVERY,
    );
    const h = request.headers;
    expect(
      await verifyWebhookSignature(
        SECRET,
        h["x-afterlife-timestamp"] ?? null,
        h["x-afterlife-delivery"] ?? null,
        request.body,
        h["x-afterlife-signature"] ?? null,
        SENT + 1000,
      ),
    ).toBe(true);
  });

  it("rejects another secret, a modified body or another timestamp", async () => {
    const signature = await sign();
    expect(await verify({ secret: "whsec_other", signature })).toBe(false);
    expect(await verify({ body: EXPECTED_BODY.replace("503", "504"), signature })).toBe(false);
    expect(await verify({ body: `${EXPECTED_BODY} `, signature })).toBe(false);
    expect(await verify({ ts: String(SENT / 1000 + 1), signature })).toBe(false);
  });

  // Issue 13, finding 12: the dedupe key is signed, so a receiver can trust it to refuse replays.
  it("rejects another delivery id: the id is signed with the timestamp and the body", async () => {
    const signature = await sign();
    expect(await verify({ delivery: "shop-checkout-1767225660000:down:other", signature })).toBe(false);
    expect(await verify({ delivery: null, signature })).toBe(false);
    expect(await verify({ delivery: "a.b", signature: await sign(EXPECTED_BODY, SECRET, SENT / 1000, DELIVERY) })).toBe(
      false,
    );
    await expect(sign(EXPECTED_BODY, SECRET, SENT / 1000, "with.dot")).rejects.toThrow(/delivery id/);
  });

  it("a receiver that remembers accepted delivery ids refuses a replay of the same signed bytes", async () => {
    const request = await webhookChannel({ name: "ops", url: "https://hooks.example.com/x" }, SECRET).build(
      down,
      SENT,
      DELIVERY,
    );
    const seen = new Set<string>();
    // The receiver of the README's example: verify, then refuse an id it accepted before.
    const receive = async (r: typeof request, now: number): Promise<number> => {
      const h = r.headers;
      if (
        !(await verifyWebhookSignature(
          SECRET,
          h["x-afterlife-timestamp"] ?? null,
          h["x-afterlife-delivery"] ?? null,
          r.body,
          h["x-afterlife-signature"] ?? null,
          now,
        ))
      )
        return 401;
      if (seen.has(h["x-afterlife-delivery"]!)) return 409;
      seen.add(h["x-afterlife-delivery"]!);
      return 204;
    };
    expect(await receive(request, SENT + 1000)).toBe(204);
    expect(await receive(request, SENT + 60_000)).toBe(409);
    const relabelled = {
      ...request,
      headers: { ...request.headers, "x-afterlife-delivery": "shop-checkout-1767225660000:up:ops" },
    };
    expect(await receive(relabelled, SENT + 60_000)).toBe(401);
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
    for (const bad of [
      null,
      "",
      "sha256=",
      signature.slice(0, -2),
      `${signature}00`,
      signature.replace("sha256=", "sha1="),
      signature.replace("sha256=", ""),
      `sha256=${"z".repeat(64)}`,
    ]) {
      expect(await verify({ signature: bad })).toBe(false);
    }
    for (const ts of [null, "", "-1", "1.5", "12abc", "1e9"]) expect(await verify({ ts, signature })).toBe(false);
    expect(await verify({ secret: "", signature })).toBe(false);
  });
});
