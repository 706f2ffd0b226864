/** Helpers for tests that drive the real scheduled handler against the demo shop. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../src/index.ts";

/** Runs the Worker's scheduled handler for one tick and waits for everything it started. */
export async function tick(scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ cron: "* * * * *", scheduledTime });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Sets a fault on the demo shop (see scripts/demo-target/shop.ts), or clears them all with null. */
export async function setFault(fault: Record<string, unknown> | null): Promise<void> {
  const res = await fetch(`${env.SHOP_URL}/_control/faults`, fault ? { method: "POST", body: JSON.stringify(fault) } : { method: "DELETE" });
  if (!res.ok) throw new Error(`demo shop refused the fault: ${res.status}`);
}

export interface StoredRun {
  probe_id: string;
  region: string;
  slot_at: number;
  status: string;
  failure_class: string | null;
  detail: string;
}

export async function storedRuns(where = "1 = 1", ...params: unknown[]): Promise<StoredRun[]> {
  const result = await env.DB.prepare(`SELECT probe_id, region, slot_at, status, failure_class, detail FROM runs WHERE ${where} ORDER BY probe_id, region, slot_at`)
    .bind(...params)
    .all<StoredRun>();
  return result.results;
}
