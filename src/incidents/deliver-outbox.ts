/**
 * Sends due outbox notices: claim one (a lease, so a parallel tick does not send it too), build
 * the channel's request, POST it with a deadline, and record delivered / retry with backoff and
 * jitter / dead-lettered after the deadline. Delivery is at least once per claim; receivers get
 * a stable event id (the outbox id) to drop a duplicate if a Worker dies between sending and
 * recording.
 */
import { checkTarget } from "../probe/target-guard.ts";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { Channel } from "./channels/channel.ts";
import type { Notice } from "./channels/notice.ts";
import { deliveryDecision, type DeliveryResult, type OutboxItem } from "./outbox.ts";

interface DeliveryDeps {
  outbox: Pick<D1OutboxStore, "dueOutbox" | "claim" | "recordAttempt">;
  channels: readonly Channel[];
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  allowPrivateTargets: boolean;
}

interface DeliveryReport {
  delivered: number;
  retried: number;
  dead: number;
}

const SEND_TIMEOUT_MS = 10_000;
const LEASE_MS = 60_000;
/** Notices sent per tick at most: each is a subrequest. */
export const MAX_DELIVERIES_PER_TICK = 20;

async function attempt(item: OutboxItem, channel: Channel, deps: DeliveryDeps): Promise<DeliveryResult> {
  const request = await channel.build(item.payload as Notice, deps.now(), item.id);
  const target = checkTarget(request.url, { allowPrivate: deps.allowPrivateTargets });
  if (!target.ok) return { at: deps.now(), error: target.reason };
  try {
    const response = await deps.fetch(request.url, {
      method: request.method,
      headers: { ...request.headers, "x-afterlife-delivery": item.id },
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    await response.body?.cancel();
    const retryAfter = Number(response.headers.get("retry-after"));
    return {
      at: deps.now(),
      status: response.status,
      ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  } catch (error) {
    return { at: deps.now(), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

export async function deliverDue(deps: DeliveryDeps, limit = MAX_DELIVERIES_PER_TICK): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, retried: 0, dead: 0 };
  for (const item of await deps.outbox.dueOutbox(deps.now(), limit)) {
    if (!(await deps.outbox.claim(item.id, item.attempts, deps.now() + LEASE_MS))) continue; // another tick has it
    const channel = deps.channels.find((c) => c.name === item.channel);
    const result: DeliveryResult = channel
      ? await attempt(item, channel, deps)
      : { at: deps.now(), error: `channel '${item.channel}' is no longer configured` };
    const decision = channel
      ? deliveryDecision({ createdAt: item.createdAt, attempts: item.attempts }, result, deps.random())
      : {
          kind: "dead" as const,
          at: result.at,
          attempts: item.attempts + 1,
          reason: "error" in result ? result.error : "",
        };
    const error = decision.kind === "delivered" ? null : decision.reason;
    const status = decision.kind === "retry" ? "pending" : decision.kind;
    await deps.outbox.recordAttempt(item.id, {
      status,
      attempts: decision.attempts,
      nextAttemptAt: decision.kind === "retry" ? decision.at : result.at,
      error,
      at: result.at,
    });
    report[decision.kind === "retry" ? "retried" : decision.kind]++;
  }
  return report;
}
