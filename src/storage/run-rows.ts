/** Rows of `run_evidence` (whole results) <-> domain values. */
import type { FailureClass, RunResult, StepResult } from "../probe/result.ts";
import { runIdOf } from "../probe/result.ts";
import type { RunSummary } from "./run-store.ts";

export interface RunRow {
  probe_id: string;
  region: string;
  slot_at: number;
  probe_version: string;
  colo: string;
  status: RunSummary["status"];
  started_at: number;
  duration_ms: number;
  failure_class: string | null;
  failure_step: string | null;
  failure_message: string | null;
  detail: string;
}

export const RUN_SUMMARY_COLUMNS =
  "probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms, failure_class, failure_step, failure_message";

interface RunDetail {
  steps: StepResult[];
  browser?: RunResult["browser"];
  latencyMs?: number;
  failure?: RunResult["failure"];
  confirmation?: RunResult["confirmation"];
  inMaintenance?: boolean;
}

export function toRunRow(run: RunResult): RunRow {
  const detail: RunDetail = {
    steps: run.steps,
    ...(run.browser ? { browser: run.browser } : {}),
    ...(run.latencyMs !== undefined ? { latencyMs: run.latencyMs } : {}),
    ...(run.failure ? { failure: run.failure } : {}),
    ...(run.confirmation ? { confirmation: run.confirmation } : {}),
    ...(run.inMaintenance ? { inMaintenance: true } : {}),
  };
  return {
    probe_id: run.probeId,
    region: run.region,
    slot_at: run.slotAt,
    probe_version: run.probeVersion,
    colo: run.colo,
    status: run.status,
    started_at: run.startedAt,
    duration_ms: Math.round(run.durationMs),
    failure_class: run.failure?.class ?? null,
    failure_step: run.failure?.step ?? null,
    failure_message: run.failure?.message ?? null,
    detail: JSON.stringify(detail),
  };
}

export function toRunSummary(row: Omit<RunRow, "detail">): RunSummary {
  return {
    runId: runIdOf(row.probe_id, row.region, row.slot_at),
    probeId: row.probe_id,
    probeVersion: row.probe_version,
    region: row.region,
    colo: row.colo,
    slotAt: row.slot_at,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    status: row.status,
    ...(row.failure_class
      ? {
          failure: {
            class: row.failure_class as FailureClass,
            step: row.failure_step ?? "",
            message: row.failure_message ?? "",
          },
        }
      : {}),
  };
}

export function toRunResult(row: RunRow): RunResult {
  const summary = toRunSummary(row);
  const detail = JSON.parse(row.detail) as RunDetail;
  return {
    runId: summary.runId,
    probeId: summary.probeId,
    probeVersion: summary.probeVersion,
    region: summary.region,
    colo: summary.colo,
    slotAt: summary.slotAt,
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    status: summary.status,
    steps: detail.steps,
    ...(detail.browser ? { browser: detail.browser } : {}),
    ...(detail.latencyMs !== undefined ? { latencyMs: detail.latencyMs } : {}),
    ...(detail.failure ? { failure: detail.failure } : {}),
    ...(detail.confirmation ? { confirmation: detail.confirmation } : {}),
    ...(detail.inMaintenance ? { inMaintenance: true } : {}),
  };
}
