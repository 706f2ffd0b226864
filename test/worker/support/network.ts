/** Helpers for tests that drive the real scheduled handler against the demo shop. */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../src/index.ts";
import { ENTRY_CHARS } from "../../../src/storage/minute-entries.ts";

/** Runs the Worker's scheduled handler for one tick and waits for everything it started. */
export async function tick(scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ cron: "* * * * *", scheduledTime });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Sets a fault on the demo shop (see scripts/demo-target/shop.ts), or clears them all with null. */
export async function setFault(fault: Record<string, unknown> | null): Promise<void> {
  const res = await fetch(
    `${env.SHOP_URL}/_control/faults`,
    fault ? { method: "POST", body: JSON.stringify(fault) } : { method: "DELETE" },
  );
  if (!res.ok) throw new Error(`demo shop refused the fault: ${res.status}`);
}

interface StoredRun {
  probe_id: string;
  region: string;
  slot_at: number;
  status: string;
  failure_class: string | null;
  detail: string;
}

/**
 * Every stored run, decoded in SQL from the run blocks' minute entries (independently of the
 * store's own decoding), with its evidence where it kept one (`detail` is "" for a plain pass).
 */
const STORED_RUNS = `WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 59),
  blocks AS (SELECT b.region, b.hour_at, b.minutes, p.key AS position, p.value AS probe_id FROM run_blocks b, json_each(b.probes) p),
  runs AS (
    SELECT h.probe_id, h.region, h.hour_at + m.i * 60000 AS slot_at,
      CASE lower(substr(h.minutes, (h.position * 60 + m.i) * ${ENTRY_CHARS} + 1, 1)) WHEN 'u' THEN 'up' WHEN 'd' THEN 'degraded' ELSE 'down' END AS status,
      e.failure_class, coalesce(e.detail, '') AS detail
    FROM blocks h JOIN m LEFT JOIN run_evidence e ON e.probe_id = h.probe_id AND e.region = h.region AND e.slot_at = h.hour_at + m.i * 60000
    WHERE substr(h.minutes, (h.position * 60 + m.i) * ${ENTRY_CHARS} + 1, 1) <> '.'
  )`;

export async function storedRuns(where = "1 = 1", ...params: unknown[]): Promise<StoredRun[]> {
  const result = await env.DB.prepare(
    `${STORED_RUNS} SELECT probe_id, region, slot_at, status, failure_class, detail FROM runs WHERE ${where} ORDER BY probe_id, region, slot_at`,
  )
    .bind(...params)
    .all<StoredRun>();
  return result.results;
}
