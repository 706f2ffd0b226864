/**
 * The statements that store one run: the run row, then its hourly and daily rollup upserts.
 * They go in one D1 batch (one transaction), and each rollup statement only fires when the
 * statement before it changed a row (`changes() = 1`): a replayed run inserts nothing, so the
 * rollups do not move either. Three written rows per new run.
 */
import type { RunResult } from "../probe/result.ts";
import { bucketIndex } from "../slo/latency-histogram.ts";
import { toRunRow } from "./run-rows.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";

const INSERT_RUN = `INSERT INTO runs (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms,
  failure_class, failure_step, failure_message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (probe_id, region, slot_at) DO NOTHING`;

function upsertRollup(table: "rollups_hourly" | "rollups_daily", bucketColumn: "hour_at" | "day_at"): string {
  // ?1 probe, ?2 region, ?3 bucket start, ?4 up, ?5 degraded, ?6 down, ?7 histogram of this run,
  // ?8 JSON path of the latency bucket to bump, or NULL for a down run (its time is not a latency);
  // ?9 step failures of this run, ?10 JSON path of the failing step to bump, or NULL;
  // ?11 1 for a run in a maintenance window excluded from SLOs (then ?4-?6 are 0).
  return `INSERT INTO ${table} (probe_id, region, ${bucketColumn}, total, up, degraded, down, latency, step_failures, maintenance)
  SELECT ?1, ?2, ?3, 1, ?4, ?5, ?6, ?7, ?9, ?11 WHERE changes() = 1
  ON CONFLICT (probe_id, region, ${bucketColumn}) DO UPDATE SET
    total = total + 1, up = up + excluded.up, degraded = degraded + excluded.degraded, down = down + excluded.down,
    maintenance = maintenance + excluded.maintenance,
    latency = CASE WHEN ?8 IS NULL THEN latency ELSE json_set(latency, ?8, coalesce(json_extract(latency, ?8), 0) + 1) END,
    step_failures = CASE WHEN ?10 IS NULL THEN step_failures ELSE json_set(step_failures, ?10, coalesce(json_extract(step_failures, ?10), 0) + 1) END`;
}

const UPSERT_HOURLY = upsertRollup("rollups_hourly", "hour_at");
const UPSERT_DAILY = upsertRollup("rollups_daily", "day_at");

export const STATEMENTS_PER_RUN = 3;

export function runWriteStatements(db: D1Database, run: RunResult): D1PreparedStatement[] {
  const r = toRunRow(run);
  const counted = !run.inMaintenance;
  const counts = [counted && run.status === "up" ? 1 : 0, counted && run.status === "degraded" ? 1 : 0, counted && run.status === "down" ? 1 : 0];
  const isLatency = counted && run.status !== "down";
  const bucket = bucketIndex(run.durationMs);
  // The latency column is a sparse JSON object {bucket index: count} so SQL can bump one bucket.
  const histogram = isLatency ? JSON.stringify({ [bucket]: 1 }) : "{}";
  const path = isLatency ? `$."${bucket}"` : null;
  // Step names cannot hold `"` or `\` (schema.ts), so they quote safely inside a JSON path.
  const failedStep = counted && run.status === "down" ? run.failure?.step : undefined;
  const stepFailures = failedStep === undefined ? "{}" : JSON.stringify({ [failedStep]: 1 });
  const stepPath = failedStep === undefined ? null : `$."${failedStep}"`;
  const hourAt = Math.floor(run.slotAt / HOUR_MS) * HOUR_MS;
  const dayAt = Math.floor(run.slotAt / DAY_MS) * DAY_MS;
  return [
    db.prepare(INSERT_RUN).bind(r.probe_id, r.region, r.slot_at, r.probe_version, r.colo, r.status, r.started_at, r.duration_ms, r.failure_class, r.failure_step, r.failure_message, r.detail),
    db.prepare(UPSERT_HOURLY).bind(r.probe_id, r.region, hourAt, ...counts, histogram, path, stepFailures, stepPath, counted ? 0 : 1),
    db.prepare(UPSERT_DAILY).bind(r.probe_id, r.region, dayAt, ...counts, histogram, path, stepFailures, stepPath, counted ? 0 : 1),
  ];
}
