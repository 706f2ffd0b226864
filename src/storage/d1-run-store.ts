/** RunStore on D1: bound statements only, multi-row writes in one batch. */
import { parseRunId, type RunResult } from "../probe/result.ts";
import { RUN_SUMMARY_COLUMNS, toRunResult, toRunRow, toRunSummary, type RunRow } from "./run-rows.ts";
import type { RunStore, RunSummary, SaveReport } from "./run-store.ts";

const INSERT_RUN = `INSERT INTO runs (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms,
  failure_class, failure_step, failure_message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (probe_id, region, slot_at) DO NOTHING`;

export class D1RunStore implements RunStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async saveRuns(results: readonly RunResult[]): Promise<SaveReport> {
    if (results.length === 0) return { inserted: 0, rowsWritten: 0 };
    const statements = results.map((run) => {
      const r = toRunRow(run);
      return this.db
        .prepare(INSERT_RUN)
        .bind(r.probe_id, r.region, r.slot_at, r.probe_version, r.colo, r.status, r.started_at, r.duration_ms, r.failure_class, r.failure_step, r.failure_message, r.detail);
    });
    const outcomes = await this.db.batch(statements);
    return {
      inserted: outcomes.reduce((n, o) => n + (o.meta.changes ?? 0), 0),
      rowsWritten: outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0),
    };
  }

  async latestRuns(pairs: readonly { probeId: string; region: string }[]): Promise<RunSummary[]> {
    if (pairs.length === 0) return [];
    // One index seek per pair on the primary key (probe_id, region, slot_at).
    const statements = pairs.map((p) =>
      this.db
        .prepare(`SELECT ${RUN_SUMMARY_COLUMNS} FROM runs WHERE probe_id = ? AND region = ? ORDER BY slot_at DESC LIMIT 1`)
        .bind(p.probeId, p.region),
    );
    const outcomes = await this.db.batch<Omit<RunRow, "detail">>(statements);
    return outcomes.flatMap((o) => o.results.map(toRunSummary));
  }

  async getRun(runId: string): Promise<RunResult | null> {
    const key = parseRunId(runId);
    if (!key) return null;
    const row = await this.db
      .prepare(`SELECT ${RUN_SUMMARY_COLUMNS}, detail FROM runs WHERE probe_id = ? AND region = ? AND slot_at = ?`)
      .bind(key.probeId, key.region, key.slotAt)
      .first<RunRow>();
    return row ? toRunResult(row) : null;
  }
}
