/**
 * The statements that store a batch of runs, a fixed handful whatever its size (each list
 * travels as one JSON parameter read with json_each, so a statement binds one or two values):
 * 1. one UPSERT of the run_blocks rows the runs were merged into (run-blocks.ts), each guarded by
 *    the revision its writer read, RETURNING the rows it wrote (the others are retried);
 * 2. the evidence of the new runs that need it (down, degraded, confirmed), in a table of its
 *    own, only where their block was written;
 * 3. the first run of each (probe, region), kept at its earliest (writes a row only for a new pair);
 * 4. only for runs of an hour already closed (late ones): the seal of their rows (sealStatements).
 * They run in one D1 batch (one transaction). A tick writes one row per (region, bucket) its
 * shard touched, plus an evidence row per failure; a replayed run writes nothing.
 */
import type { RunResult } from "../probe/result.ts";
import { encodeHistogram } from "../slo/latency-histogram.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";
import { ENTRY_CHARS } from "./minute-entries.ts";
import { blockRollups, entryOffset, type Block, type LatencyThresholdOf } from "./run-blocks.ts";
import { rebuildDaysStatement } from "./day-rollup.ts";
import { jsonChunks } from "./json-chunks.ts";
import { encodeHourAggregates } from "./metric-values.ts";
import { toRunRow } from "./run-rows.ts";

/**
 * Statements one save takes in the usual case: the read of its blocks, evidence, the blocks, and
 * for late runs the seal (two) and their days. More only for very large batches (JSON chunks) or
 * when another writer changed a block meanwhile (read and write again).
 */
export const MAX_SAVE_STATEMENTS = 7;

/**
 * Whether a run's whole result is kept: anything but a plain pass, and every browser run (its Web
 * Vitals are what the probe page shows; a browser probe runs at most every 5 minutes, so this is
 * at most 288 rows a day per region).
 */
function keepsEvidence(run: RunResult): boolean {
  return run.status !== "up" || run.confirmation !== undefined || run.browser !== undefined;
}

/**
 * Evidence of the runs merged into a block, written only where the stored block holds that run's
 * very entry at its place (it follows the block UPSERT in the batch): a replay whose minute was
 * taken, even with another outcome, or a writer that lost the race for the block, leaves the
 * stored run as it was.
 */
const INSERT_EVIDENCE = `INSERT INTO run_evidence (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms, failure_class, failure_step, failure_message, detail)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11
  FROM json_each(?1) r
  WHERE EXISTS (SELECT 1 FROM run_blocks b WHERE b.region = r.value ->> 1 AND b.hour_at = r.value ->> 12 AND b.bucket = r.value ->> 13
    AND b.revision = r.value ->> 14 AND substr(b.minutes, (r.value ->> 15) + 1, ${ENTRY_CHARS}) = r.value ->> 16)
  ON CONFLICT (probe_id, region, slot_at) DO NOTHING`;

const UPSERT_BLOCKS = `INSERT INTO run_blocks (region, hour_at, bucket, revision, sealed_revision, probes, versions, steps, colo, minutes, metrics)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, 0, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9
  FROM json_each(?1) WHERE true
  ON CONFLICT (region, hour_at, bucket) DO UPDATE SET
    revision = excluded.revision, probes = excluded.probes, versions = excluded.versions, steps = excluded.steps, colo = excluded.colo, minutes = excluded.minutes,
    metrics = excluded.metrics
  WHERE run_blocks.revision = excluded.revision - 1
  RETURNING region, hour_at, bucket, revision`;

/** Hourly rollups of sealed blocks, written only where the block is still at the revision they were made from. */
const UPSERT_HOUR_ROLLUPS = `INSERT INTO rollups_hourly (probe_id, region, hour_at, total, up, degraded, down, latency, step_failures, maintenance, monitoring, latency_under_ms, latency_good, metrics)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 12, value ->> 13, value ->> 14, value ->> 15
  FROM json_each(?1) r
  WHERE EXISTS (SELECT 1 FROM run_blocks b WHERE b.region = r.value ->> 1 AND b.hour_at = r.value ->> 2 AND b.bucket = r.value ->> 10 AND b.revision = r.value ->> 11)
  ON CONFLICT (probe_id, region, hour_at) DO UPDATE SET
    total = excluded.total, up = excluded.up, degraded = excluded.degraded, down = excluded.down,
    latency = excluded.latency, step_failures = excluded.step_failures, maintenance = excluded.maintenance,
    monitoring = excluded.monitoring, latency_under_ms = excluded.latency_under_ms, latency_good = excluded.latency_good, metrics = excluded.metrics`;

/**
 * The first stored run of each (probe, region), kept at the earliest slot ever written: a row is
 * written only for a pair seen for the first time or a run older than the one known.
 */
const UPSERT_FIRST_RUNS = `INSERT INTO probe_first_runs (probe_id, region, first_slot_at)
  SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?1) WHERE true
  ON CONFLICT (probe_id, region) DO UPDATE SET first_slot_at = excluded.first_slot_at
  WHERE excluded.first_slot_at < probe_first_runs.first_slot_at`;

const MARK_SEALED = `UPDATE run_blocks SET sealed_revision = revision
  WHERE (region, hour_at, bucket, revision) IN (SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?1))`;

/**
 * The statements that seal these blocks: their hourly rollups (see UPSERT_HOUR_ROLLUPS), the
 * daily rollups of their pairs' days rebuilt from the hourly ones, then the mark.
 */
export function sealStatements(
  db: D1Database,
  blocks: readonly Block[],
  thresholdOf?: LatencyThresholdOf,
): D1PreparedStatement[] {
  if (blocks.length === 0) return [];
  const rollups = blocks.flatMap((b) =>
    blockRollups(b, thresholdOf).map((r) => [
      r.probeId,
      r.region,
      r.bucketAt,
      r.total,
      r.up,
      r.degraded,
      r.down,
      encodeHistogram(r.latency),
      JSON.stringify(r.stepFailures),
      r.maintenance ?? 0,
      b.bucket,
      b.revision,
      r.monitoring ?? 0,
      r.latencyUnder?.thresholdMs ?? null,
      r.latencyUnder?.good ?? null,
      encodeHourAggregates(r.metrics ?? {}),
    ]),
  );
  const days = blocks.flatMap((b) =>
    b.probes.map((probeId) => ({ probeId, region: b.region, dayAt: Math.floor(b.hourAt / DAY_MS) * DAY_MS })),
  );
  return [
    ...jsonChunks(rollups).map((json) => db.prepare(UPSERT_HOUR_ROLLUPS).bind(json)),
    rebuildDaysStatement(db, days),
    db.prepare(MARK_SEALED).bind(JSON.stringify(blocks.map((b) => [b.region, b.hourAt, b.bucket, b.revision]))),
  ];
}

interface SaveStatements {
  statements: D1PreparedStatement[];
  /** Indexes of the block UPSERTs, whose RETURNING rows are the blocks written. */
  upserts: number[];
}

/**
 * The statements that store these merged blocks (new revisions), each with the runs that were
 * new in it: the blocks, then the evidence of those runs that need it, guarded by the block's
 * revision. Blocks of an hour closed before `now` are sealed in the same batch.
 */
export function saveStatements(
  db: D1Database,
  writes: readonly { block: Block; added: readonly RunResult[] }[],
  now: number,
  thresholdOf?: LatencyThresholdOf,
): SaveStatements {
  const statements: D1PreparedStatement[] = [];
  const upserts: number[] = [];
  for (const json of jsonChunks(
    writes.map(({ block: b }) => [
      b.region,
      b.hourAt,
      b.bucket,
      b.revision,
      JSON.stringify(b.probes),
      JSON.stringify(b.versions),
      JSON.stringify(b.steps),
      b.colo,
      b.minutes,
      JSON.stringify(b.metrics),
    ]),
  )) {
    upserts.push(statements.length);
    statements.push(db.prepare(UPSERT_BLOCKS).bind(json));
  }
  const evidence = writes.flatMap(({ block, added }) =>
    added.filter(keepsEvidence).map((run) => evidenceTuple(run, block)),
  );
  statements.push(...jsonChunks(evidence).map((json) => db.prepare(INSERT_EVIDENCE).bind(json)));
  const firstRuns = new Map<string, [string, string, number]>();
  for (const run of writes.flatMap((w) => w.added)) {
    const key = `${run.probeId}|${run.region}`;
    const known = firstRuns.get(key);
    if (!known || run.slotAt < known[2]) firstRuns.set(key, [run.probeId, run.region, run.slotAt]);
  }
  statements.push(...jsonChunks([...firstRuns.values()]).map((json) => db.prepare(UPSERT_FIRST_RUNS).bind(json)));
  statements.push(
    ...sealStatements(
      db,
      writes.map((w) => w.block).filter((b) => b.hourAt + HOUR_MS <= now),
      thresholdOf,
    ),
  );
  return { statements, upserts };
}

function evidenceTuple(run: RunResult, block: Block): unknown[] {
  const r = toRunRow(run);
  const at = entryOffset(block, run.probeId, run.slotAt);
  return [
    r.probe_id,
    r.region,
    r.slot_at,
    r.probe_version,
    r.colo,
    r.status,
    r.started_at,
    r.duration_ms,
    r.failure_class,
    r.failure_step,
    r.failure_message,
    r.detail,
    block.hourAt,
    block.bucket,
    block.revision,
    at,
    block.minutes.slice(at, at + ENTRY_CHARS),
  ];
}
