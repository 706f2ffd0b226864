/**
 * Rules of the notification outbox. A notice becomes one outbox row per channel, keyed by
 * outboxId so a replayed step cannot enqueue it twice (INSERT ... ON CONFLICT DO NOTHING). A
 * sender delivers due rows and stores the decision: delivered, retry at a time, or dead.
 *
 * Retries use exponential backoff with full jitter (delay uniform in [0, min(cap, base·2^(n−1))]
 * after the n-th failed attempt), so many rows failing together do not retry in lockstep. A
 * notice older than the deadline (24 h) is dead rather than delivered late: a day-old DOWN is
 * noise, and the incident itself is on the page and in the API.
 */
import type { NoticeTransition } from "./probe-state-machine.ts";

interface OutboxPolicy {
  baseMs: number;
  capMs: number;
  /** A row is dead once it is this old. */
  deadlineMs: number;
}

export const DEFAULT_OUTBOX_POLICY: Readonly<OutboxPolicy> = Object.freeze({
  baseMs: 30_000,
  capMs: 3_600_000,
  deadlineMs: 24 * 3_600_000,
});

/**
 * The dedupe key of one notice on one channel. Each part is URI-encoded, so ":" separates them
 * unambiguously whatever the ids contain.
 *
 * @example
 * outboxId("shop-checkout-1764158400000", "down", "ops-slack") // "shop-checkout-1764158400000:down:ops-slack"
 */
export function outboxId(incidentId: string, transition: NoticeTransition, channel: string): string {
  return [incidentId, transition, channel].map(encodeURIComponent).join(":");
}

export interface OutboxEntry {
  id: string;
  channel: string;
  payload: unknown;
  at: number;
}

/** One outbox row per channel for a notice: the id makes a replayed notice a no-op. */
export function outboxEntries(
  key: string,
  transition: NoticeTransition,
  channels: readonly string[],
  payload: unknown,
  at: number,
): OutboxEntry[] {
  return channels.map((channel) => ({ id: outboxId(key, transition, channel), channel, payload, at }));
}

/** The largest delay after `attempts` failed attempts: min(cap, base·2^(attempts−1)). */
export function backoffCeilingMs(
  attempts: number,
  policy: Pick<OutboxPolicy, "baseMs" | "capMs"> = DEFAULT_OUTBOX_POLICY,
): number {
  if (!(Number.isInteger(attempts) && attempts >= 1))
    throw new RangeError(`attempts must be an integer ≥ 1 (failed attempts so far), got ${attempts}`);
  // 2^1100 is Infinity, and min(cap, Infinity) is the cap: no overflow to worry about.
  return Math.min(policy.capMs, policy.baseMs * 2 ** (attempts - 1));
}

/**
 * When to try again after `attempts` failed attempts, with full jitter from `random` in [0, 1).
 *
 * @example
 * nextAttemptAt(1, now, 0.5) // now + 15 s   (ceiling 30 s)
 * nextAttemptAt(3, now, 0.5) // now + 60 s   (ceiling 2 min)
 * nextAttemptAt(20, now, 0.5) // now + 30 min (ceiling 1 h, the cap)
 */
export function nextAttemptAt(
  attempts: number,
  now: number,
  random: number,
  policy: Pick<OutboxPolicy, "baseMs" | "capMs"> = DEFAULT_OUTBOX_POLICY,
): number {
  if (!(random >= 0 && random < 1)) throw new RangeError(`random must be in [0, 1), got ${random}`);
  if (!Number.isFinite(now)) throw new RangeError(`now must be a time in epoch ms, got ${now}`);
  return now + Math.floor(random * backoffCeilingMs(attempts, policy));
}

/** A notice to one channel, as the outbox table holds it. */
export interface OutboxItem {
  id: string;
  channel: string;
  payload: unknown;
  status: "pending" | "delivered" | "dead";
  /** Attempts made so far. */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** What one attempt got: an HTTP status (with a Retry-After in ms, if sent) or a network error. */
export type DeliveryResult =
  | { at: number; status: number; retryAfterMs?: number | undefined }
  | { at: number; error: string };

type DeliveryDecision =
  | { kind: "delivered"; at: number; attempts: number }
  | { kind: "retry"; at: number; attempts: number; reason: string }
  | { kind: "dead"; at: number; attempts: number; reason: string };

/** 408, 425, 429 and 5xx may succeed later; any other 4xx will not (the URL or the payload is wrong). */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * What to do with a row after an attempt. A retry that would fall at or after the deadline is
 * dead now instead. A Retry-After is honoured up to the backoff cap.
 *
 * @example
 * deliveryDecision({ createdAt, attempts: 0 }, { at, status: 204 }, 0.3)  // { kind: "delivered", at, attempts: 1 }
 * deliveryDecision({ createdAt, attempts: 0 }, { at, status: 503 }, 0.5)  // { kind: "retry", at: at + 15 s, attempts: 1, ... }
 * deliveryDecision({ createdAt, attempts: 0 }, { at, status: 404 }, 0.5)  // { kind: "dead", reason: "HTTP 404 is not retryable", ... }
 */
export function deliveryDecision(
  item: Pick<OutboxItem, "createdAt" | "attempts">,
  result: DeliveryResult,
  random: number,
  policy: OutboxPolicy = DEFAULT_OUTBOX_POLICY,
): DeliveryDecision {
  const attempts = item.attempts + 1;
  const at = result.at;
  let reason: string;
  if ("status" in result) {
    if (result.status >= 200 && result.status < 300) return { kind: "delivered", at, attempts };
    if (!isRetryableStatus(result.status))
      return { kind: "dead", at, attempts, reason: `HTTP ${result.status} is not retryable` };
    reason = `HTTP ${result.status}`;
  } else {
    reason = result.error;
  }
  let retryAt = nextAttemptAt(attempts, at, random, policy);
  if (
    "status" in result &&
    result.retryAfterMs !== undefined &&
    Number.isFinite(result.retryAfterMs) &&
    result.retryAfterMs > 0
  ) {
    retryAt = Math.max(retryAt, at + Math.min(result.retryAfterMs, policy.capMs));
  }
  if (retryAt - item.createdAt >= policy.deadlineMs) {
    return {
      kind: "dead",
      at,
      attempts,
      reason: `${reason}; no attempt left before the ${policy.deadlineMs / 3_600_000} h deadline`,
    };
  }
  return { kind: "retry", at: retryAt, attempts, reason };
}
