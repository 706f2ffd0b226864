/** Outbox rules: dedupe keys, backoff with full jitter, the dead-letter deadline, delivery decisions. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffCeilingMs,
  DEFAULT_OUTBOX_POLICY,
  deliveryDecision,
  nextAttemptAt,
  outboxId,
} from "../../../src/incidents/outbox.ts";

const NOW = Date.UTC(2026, 0, 1, 12);
const S = 1000;
const H = 3_600_000;
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe("outboxId", () => {
  it("is readable for ordinary ids and stable", () => {
    expect(outboxId("shop-checkout-1764158400000", "down", "ops-slack")).toBe(
      "shop-checkout-1764158400000:down:ops-slack",
    );
    expect(outboxId("a", "up", "b")).toBe(outboxId("a", "up", "b"));
  });

  it("is injective even when ids contain the separator", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom("down", "up", "flapping", "stable" as const),
        fc.string(),
        fc.string(),
        fc.string(),
        (a, t, b, c, d) => {
          if (a !== c || b !== d) expect(outboxId(a, t, b)).not.toBe(outboxId(c, t, d));
        },
      ),
    );
    expect(outboxId("a:b", "down", "c")).not.toBe(outboxId("a", "down", "b:c"));
  });
});

describe("backoff", () => {
  it("doubles from 30 s up to the 1 h cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000].map((n) => backoffCeilingMs(n) / S)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600,
    ]);
    expect(nextAttemptAt(1, NOW, 0.5)).toBe(NOW + 15 * S);
    expect(nextAttemptAt(3, NOW, 0.5)).toBe(NOW + 60 * S);
    expect(nextAttemptAt(20, NOW, 0.5)).toBe(NOW + 30 * 60 * S);
    expect(nextAttemptAt(4, NOW, 0)).toBe(NOW);
  });

  it("stays within [now, now + min(cap, base·2^(n−1))] for any attempt count and jitter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        randomArb,
        fc.integer({ min: 0, max: 2 ** 42 }),
        (n, random, now) => {
          const at = nextAttemptAt(n, now, random);
          const ceiling = Math.min(DEFAULT_OUTBOX_POLICY.capMs, DEFAULT_OUTBOX_POLICY.baseMs * 2 ** (n - 1));
          expect(Number.isInteger(at)).toBe(true);
          expect(at).toBeGreaterThanOrEqual(now);
          expect(at - now).toBeLessThan(Math.max(1, ceiling));
          expect(at - now).toBeLessThanOrEqual(H);
        },
      ),
    );
  });

  it("has a ceiling that never shrinks and a delay that grows with the random draw", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), randomArb, randomArb, (n, r1, r2) => {
        expect(backoffCeilingMs(n + 1)).toBeGreaterThanOrEqual(backoffCeilingMs(n));
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(nextAttemptAt(n, NOW, lo)).toBeLessThanOrEqual(nextAttemptAt(n, NOW, hi));
      }),
    );
  });

  it("refuses nonsense", () => {
    expect(() => nextAttemptAt(0, NOW, 0.5)).toThrow(RangeError);
    expect(() => nextAttemptAt(1.5, NOW, 0.5)).toThrow(RangeError);
    expect(() => nextAttemptAt(1, NOW, 1)).toThrow(RangeError);
    expect(() => nextAttemptAt(1, NOW, Number.NaN)).toThrow(RangeError);
    expect(() => nextAttemptAt(1, Number.NaN, 0.5)).toThrow(RangeError);
  });
});

describe("delivery decision", () => {
  const item = { createdAt: NOW, attempts: 0 };

  it.each([
    [
      { at: NOW, status: 200 },
      { kind: "delivered", at: NOW, attempts: 1 },
    ],
    [
      { at: NOW, status: 204 },
      { kind: "delivered", at: NOW, attempts: 1 },
    ],
    [
      { at: NOW, status: 503 },
      { kind: "retry", at: NOW + 15 * S, attempts: 1, reason: "HTTP 503" },
    ],
    [
      { at: NOW, status: 429 },
      { kind: "retry", at: NOW + 15 * S, attempts: 1, reason: "HTTP 429" },
    ],
    [
      { at: NOW, status: 429, retryAfterMs: 120 * S },
      { kind: "retry", at: NOW + 120 * S, attempts: 1, reason: "HTTP 429" },
    ],
    [
      { at: NOW, status: 503, retryAfterMs: 10 * H },
      { kind: "retry", at: NOW + H, attempts: 1, reason: "HTTP 503" },
    ], // honoured up to the cap
    [
      { at: NOW, error: "connect ECONNREFUSED" },
      { kind: "retry", at: NOW + 15 * S, attempts: 1, reason: "connect ECONNREFUSED" },
    ],
    [
      { at: NOW, status: 404 },
      { kind: "dead", at: NOW, attempts: 1, reason: "HTTP 404 is not retryable" },
    ],
    [
      { at: NOW, status: 410 },
      { kind: "dead", at: NOW, attempts: 1, reason: "HTTP 410 is not retryable" },
    ],
    [
      { at: NOW, status: 301 },
      { kind: "dead", at: NOW, attempts: 1, reason: "HTTP 301 is not retryable" },
    ],
  ] as const)("%j → %j", (result, decision) => {
    expect(deliveryDecision(item, result, 0.5)).toEqual(decision);
  });

  it("gives up when the next attempt would fall past the deadline", () => {
    const late = { createdAt: NOW - 24 * H + 10 * S, attempts: 12 };
    expect(deliveryDecision(late, { at: NOW, status: 500 }, 0)).toMatchObject({ kind: "retry", at: NOW, attempts: 13 });
    expect(deliveryDecision(late, { at: NOW, status: 500 }, 0.5)).toMatchObject({ kind: "dead", attempts: 13 });
    expect(deliveryDecision(late, { at: NOW + 10 * S, status: 500 }, 0)).toMatchObject({ kind: "dead" });
  });

  it("never schedules a retry at or after the deadline, and every failing row dies within it", () => {
    fc.assert(
      fc.property(
        fc.array(randomArb, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 5000 }),
        (draws, sendDelay) => {
          let row = { createdAt: NOW, attempts: 0 };
          let at = NOW + sendDelay;
          for (const r of draws) {
            const d = deliveryDecision(row, { at, status: 500 }, r);
            expect(d.attempts).toBe(row.attempts + 1);
            if (d.kind === "dead") {
              expect(d.at - NOW).toBeLessThan(24 * H);
              return;
            }
            expect(d.kind).toBe("retry");
            expect(d.at).toBeGreaterThanOrEqual(at);
            expect(d.at - NOW).toBeLessThan(24 * H);
            row = { createdAt: NOW, attempts: d.attempts };
            at = d.at + sendDelay;
          }
        },
      ),
    );
  });
});
