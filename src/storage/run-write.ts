/**
 * The statements that store a batch of runs, whatever its size (each list travels as one JSON
 * parameter read with json_each, so a statement binds one or two values):
 * 1. days-late runs (their day older than RECENT_DAYS) add themselves to their daily rollup,
 *    which readers use for such days (see day-rollup.ts); rare, and only when the batch has any;
 * 2. the evidence of the runs that need it (down, degraded, confirmed): in a table of its own;
 * 3. one UPSERT into run_hours that splices each run's minute entry into its hour row and bumps
 *    the hour's counts and histogram, but only where that minute is still empty.
 * They run in one D1 batch (one transaction). A new run writes one row (plus one evidence row if
 * it failed); a replayed run writes none, because its minute is taken: statements 1 and 3 both
 * check it, and 2 is keyed by the run.
 */
import type { RunResult } from "../probe/result.ts";
import { bucketIndex } from "../slo/latency-histogram.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";
import { EMPTY_HOUR, encodeEntry, ENTRY_CHARS, minuteOfHour } from "./minute-entries.ts";
import { toRunRow } from "./run-rows.ts";
import { sumCountsSql } from "./sql-json.ts";

/** Days (today included) whose daily totals are read from the hour rows; older days from rollups_daily. */
export const RECENT_DAYS = 3;

/** Evidence JSON per statement, so that no parameter nears D1's 2 MB value limit. */
const EVIDENCE_CHUNK_CHARS = 1536 * 1024;

/**
 * Most statements one save may take: days-late runs, evidence chunks, hours. A shard's results
 * fit: a run's evidence is capped (response bodies are cut), so a shard of up to a thousand runs
 * needs at most a few evidence chunks; more chunks still work, at one statement each.
 */
export const MAX_SAVE_STATEMENTS = 5;

/** The first UTC day (epoch ms) that is still read from the hour rows at `now`. */
export function recentDaysStart(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (RECENT_DAYS - 1) * DAY_MS;
}

/** One run as the hour UPSERT reads it (positions are json_each's `value ->> n`). */
type RunTuple = [
  probeId: string,
  region: string,
  hourAt: number,
  entryOffset: number,
  entry: string,
  probeVersion: string,
  colo: string,
  up: 0 | 1,
  degraded: 0 | 1,
  down: 0 | 1,
  maintenance: 0 | 1,
  latencyBucket: string | null,
  failedStep: string | null,
  dayAt: number,
];

function runTuple(run: RunResult): RunTuple {
  const counted = !run.inMaintenance;
  const flag = (status: RunResult["status"]): 0 | 1 => (counted && run.status === status ? 1 : 0);
  // A down run's time is not a latency; a maintenance run is neither good nor bad.
  const isLatency = counted && run.status !== "down";
  const failedStep = counted && run.status === "down" ? (run.failure?.step ?? null) : null;
  return [
    run.probeId,
    run.region,
    Math.floor(run.slotAt / HOUR_MS) * HOUR_MS,
    minuteOfHour(run.slotAt) * ENTRY_CHARS,
    encodeEntry({ status: run.status, failureClass: run.failure?.class, inMaintenance: run.inMaintenance, durationMs: run.durationMs, slotAt: run.slotAt, startedAt: run.startedAt }),
    run.probeVersion,
    run.colo,
    flag("up"),
    flag("degraded"),
    flag("down"),
    counted ? 0 : 1,
    isLatency ? String(bucketIndex(run.durationMs)) : null,
    failedStep,
    Math.floor(run.slotAt / DAY_MS) * DAY_MS,
  ];
}

/** Whether a run's whole result is kept: anything but a plain pass. */
export function keepsEvidence(run: RunResult): boolean {
  return run.status !== "up" || run.confirmation !== undefined;
}

/** The offset of the incoming entry in `excluded.minutes`: the dots before it. */
const INCOMING_OFFSET = "(length(excluded.minutes) - length(ltrim(excluded.minutes, '.')))";

const UPSERT_HOURS = `INSERT INTO run_hours (probe_id, region, hour_at, minutes, probe_version, colo, total, up, degraded, down, maintenance, latency, step_failures)
  SELECT value ->> 0, value ->> 1, value ->> 2,
    substr('${EMPTY_HOUR}', 1, value ->> 3) || (value ->> 4) || substr('${EMPTY_HOUR}', (value ->> 3) + ${ENTRY_CHARS + 1}),
    value ->> 5, value ->> 6, 1, value ->> 7, value ->> 8, value ->> 9, value ->> 10,
    CASE WHEN value ->> 11 IS NULL THEN '{}' ELSE json_object(value ->> 11, 1) END,
    CASE WHEN value ->> 12 IS NULL THEN '{}' ELSE json_object(value ->> 12, 1) END
  FROM json_each(?1) WHERE true
  ON CONFLICT (probe_id, region, hour_at) DO UPDATE SET
    minutes = substr(run_hours.minutes, 1, ${INCOMING_OFFSET}) || substr(excluded.minutes, ${INCOMING_OFFSET} + 1, ${ENTRY_CHARS}) || substr(run_hours.minutes, ${INCOMING_OFFSET} + ${ENTRY_CHARS + 1}),
    probe_version = excluded.probe_version, colo = excluded.colo,
    total = run_hours.total + 1, up = run_hours.up + excluded.up, degraded = run_hours.degraded + excluded.degraded,
    down = run_hours.down + excluded.down, maintenance = run_hours.maintenance + excluded.maintenance,
    latency = ${sumCountsSql("run_hours.latency", "excluded.latency")},
    step_failures = ${sumCountsSql("run_hours.step_failures", "excluded.step_failures")}
  WHERE run_hours.minutes IS NOT NULL AND substr(run_hours.minutes, ${INCOMING_OFFSET} + 1, 1) = '.'`;

/**
 * Days-late runs into their daily rollup, grouped by (probe, region, day). Only runs whose minute
 * is still free count (this statement runs before the hour UPSERT takes it); an hour already
 * past raw retention (minutes NULL) takes no run, so neither does its day.
 */
const ADD_LATE_TO_DAYS = `WITH fresh AS (
    SELECT value ->> 0 AS p, value ->> 1 AS r, value ->> 13 AS d, value ->> 7 AS u, value ->> 8 AS g, value ->> 9 AS x,
      value ->> 10 AS mt, value ->> 11 AS b, value ->> 12 AS s
    FROM json_each(?1)
    WHERE NOT EXISTS (SELECT 1 FROM run_hours h WHERE h.probe_id = value ->> 0 AND h.region = value ->> 1 AND h.hour_at = value ->> 2
      AND (h.minutes IS NULL OR substr(h.minutes, (value ->> 3) + 1, 1) <> '.'))
  ),
  lat AS (SELECT p, r, d, json_group_object(b, n) AS o FROM (SELECT p, r, d, b, count(*) AS n FROM fresh WHERE b IS NOT NULL GROUP BY p, r, d, b) GROUP BY p, r, d),
  steps AS (SELECT p, r, d, json_group_object(s, n) AS o FROM (SELECT p, r, d, s, count(*) AS n FROM fresh WHERE s IS NOT NULL GROUP BY p, r, d, s) GROUP BY p, r, d)
  INSERT INTO rollups_daily (probe_id, region, day_at, total, up, degraded, down, maintenance, latency, step_failures, built)
  SELECT fresh.p, fresh.r, fresh.d, count(*), sum(fresh.u), sum(fresh.g), sum(fresh.x), sum(fresh.mt), coalesce(lat.o, '{}'), coalesce(steps.o, '{}'), 0
  FROM fresh LEFT JOIN lat USING (p, r, d) LEFT JOIN steps USING (p, r, d) WHERE true GROUP BY fresh.p, fresh.r, fresh.d
  ON CONFLICT (probe_id, region, day_at) DO UPDATE SET
    total = rollups_daily.total + excluded.total, up = rollups_daily.up + excluded.up, degraded = rollups_daily.degraded + excluded.degraded,
    down = rollups_daily.down + excluded.down, maintenance = rollups_daily.maintenance + excluded.maintenance,
    latency = ${sumCountsSql("rollups_daily.latency", "excluded.latency")},
    step_failures = ${sumCountsSql("rollups_daily.step_failures", "excluded.step_failures")}`;

const INSERT_EVIDENCE = `INSERT INTO run_evidence (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms, failure_class, failure_step, failure_message, detail)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11
  FROM json_each(?1) WHERE true
  ON CONFLICT (probe_id, region, slot_at) DO NOTHING`;

export interface SaveStatements {
  statements: D1PreparedStatement[];
  /** Index of the hour UPSERT, whose `changes` is the number of new runs. */
  hoursAt: number;
}

/** The statements that store these runs (see the file comment); a run given twice counts once. */
export function saveStatements(db: D1Database, runs: readonly RunResult[], now: number): SaveStatements {
  const unique = [...new Map(runs.map((r) => [r.runId, r])).values()];
  const tuples = unique.map(runTuple);
  const statements: D1PreparedStatement[] = [];
  const recentFrom = recentDaysStart(now);
  const late = tuples.filter((t) => t[13] < recentFrom);
  if (late.length) statements.push(db.prepare(ADD_LATE_TO_DAYS).bind(JSON.stringify(late)));
  for (const chunk of evidenceChunks(unique.filter(keepsEvidence))) statements.push(db.prepare(INSERT_EVIDENCE).bind(chunk));
  statements.push(db.prepare(UPSERT_HOURS).bind(JSON.stringify(tuples)));
  return { statements, hoursAt: statements.length - 1 };
}

function evidenceChunks(runs: readonly RunResult[]): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const run of runs) {
    const r = toRunRow(run);
    const item = JSON.stringify([r.probe_id, r.region, r.slot_at, r.probe_version, r.colo, r.status, r.started_at, r.duration_ms, r.failure_class, r.failure_step, r.failure_message, r.detail]);
    if (current.length && size + item.length > EVIDENCE_CHUNK_CHARS) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.length + 1;
  }
  if (current.length) chunks.push(`[${current.join(",")}]`);
  return chunks;
}
