/** RunStore on D1: bound statements only, multi-row writes in one batch. */
import { parseRunId, type RunResult } from "../probe/result.ts";
import type { LatestRun } from "../status/overview.ts";
import { knownRead, mapRead, readTogether, type D1Read, type ReadValues } from "./d1-read.ts";
import { DELETE_CHUNK, type PrunePlan } from "./retention.ts";
import { comparePositions, type ListRunsQuery, type RunListPage } from "./run-list.ts";
import { rollupColumns, toRollup, type Grain, type Rollup, type RollupRow } from "./rollup-rows.ts";
import { RUN_SUMMARY_COLUMNS, toRunResult, toRunSummary, type RunRow } from "./run-rows.ts";
import type { ReadReport, RollupRequest, RunStore, RunSummary, SaveReport } from "./run-store.ts";
import { runWriteStatements, STATEMENTS_PER_RUN } from "./run-write.ts";

const ROLLUP_TABLES = { hour: { table: "rollups_hourly", column: "hour_at" }, day: { table: "rollups_daily", column: "day_at" } } as const;

export class D1RunStore implements RunStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async saveRuns(results: readonly RunResult[]): Promise<SaveReport> {
    if (results.length === 0) return { inserted: 0, rowsWritten: 0 };
    const outcomes = await this.db.batch(results.flatMap((run) => runWriteStatements(this.db, run)));
    // Every STATEMENTS_PER_RUN-th outcome is a run insert; its `changes` says whether it was new.
    const inserted = outcomes.filter((_, i) => i % STATEMENTS_PER_RUN === 0).reduce((n, o) => n + (o.meta.changes ?? 0), 0);
    return { inserted, rowsWritten: outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0) };
  }

  latestRunsRead(pairs: readonly { probeId: string; region: string }[]): D1Read<RunSummary[]> {
    return mapRead(this.newestRead(pairs, RUN_SUMMARY_COLUMNS), (rows) => (rows as Omit<RunRow, "detail">[]).map(toRunSummary));
  }

  latestStatesRead(pairs: readonly { probeId: string; region: string }[]): D1Read<LatestRun[]> {
    return mapRead(this.newestRead(pairs, "probe_id, region, slot_at, started_at, status"), (rows) =>
      (rows as Pick<RunRow, "probe_id" | "region" | "slot_at" | "started_at" | "status">[]).map((r) => ({ probeId: r.probe_id, region: r.region, slotAt: r.slot_at, startedAt: r.started_at, status: r.status })),
    );
  }

  /**
   * The newest run of each pair, these columns: one statement whatever the number of pairs.
   * They travel as one JSON parameter (D1 binds at most 100 values a statement), and each is two
   * seeks on the primary key (probe_id, region, slot_at). A statement per pair cost about as
   * much again per pair in a batch.
   */
  private newestRead(pairs: readonly { probeId: string; region: string }[], columns: string): D1Read<unknown[]> {
    if (pairs.length === 0) return knownRead([]);
    const statement = this.db
      .prepare(
        `WITH pairs AS (SELECT json_extract(value, '$[0]') AS pair_probe, json_extract(value, '$[1]') AS pair_region FROM json_each(?1))
         SELECT ${columns} FROM pairs JOIN runs ON probe_id = pair_probe AND region = pair_region
           AND slot_at = (SELECT max(slot_at) FROM runs latest WHERE latest.probe_id = pair_probe AND latest.region = pair_region)`,
      )
      .bind(JSON.stringify(pairs.map((p) => [p.probeId, p.region])));
    return { statements: [statement], decode: ([result]) => result!.results };
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

  listRuns(query: ListRunsQuery): Promise<RunListPage> {
    return readTogether(this.db, [this.listRunsRead(query)]).then(([page]) => page);
  }

  listRunsRead(query: ListRunsQuery): D1Read<RunListPage> {
    if (query.pairs.length === 0) return knownRead({ runs: [], next: null });
    const statements = query.pairs.map((pair) => {
      const conditions = ["probe_id = ?", "region = ?"];
      const params: unknown[] = [pair.probeId, pair.region];
      if (query.cursor) {
        // Pairs ordered after the cursor's pair may still show the cursor's own slot.
        const after = comparePositions({ slotAt: query.cursor.slotAt, ...pair }, query.cursor) > 0;
        conditions.push(after ? "slot_at <= ?" : "slot_at < ?");
        params.push(query.cursor.slotAt);
      }
      const optional: [string, unknown][] = [
        ["slot_at >= ?", query.from],
        ["slot_at < ?", query.to],
        ["status = ?", query.status],
      ];
      for (const [condition, value] of optional) {
        if (value === undefined) continue;
        conditions.push(condition);
        params.push(value);
      }
      return this.db
        .prepare(`SELECT ${RUN_SUMMARY_COLUMNS} FROM runs WHERE ${conditions.join(" AND ")} ORDER BY slot_at DESC LIMIT ?`)
        .bind(...params, query.limit + 1);
    });
    return {
      statements,
      decode: (outcomes) => {
        const merged = outcomes.flatMap((o) => (o.results as Omit<RunRow, "detail">[]).map(toRunSummary)).sort(comparePositions);
        const runs = merged.slice(0, query.limit);
        const last = runs[runs.length - 1];
        return { runs, next: merged.length > query.limit && last ? { slotAt: last.slotAt, probeId: last.probeId, region: last.region } : null };
      },
    };
  }

  rollups(requests: readonly RollupRequest[]): Promise<ReadReport<Rollup[]>> {
    return readTogether(this.db, [this.rollupsRead(requests)]).then(([rollups]) => rollups);
  }

  rollupsRead(requests: readonly RollupRequest[]): D1Read<ReadReport<Rollup[]>> {
    const wanted = requests.filter((r) => r.regions.length > 0 && r.to > r.from);
    if (wanted.length === 0) return knownRead({ value: [], rowsRead: 0 });
    // Naming the regions lets SQLite seek each (probe, region) range of the primary key instead
    // of reading every region's whole history. One statement per request.
    const statements = wanted.map((r) => {
      const { table, column } = ROLLUP_TABLES[r.grain];
      return this.db
        .prepare(`SELECT ${rollupColumns(column)} FROM ${table}
          WHERE probe_id = ? AND region IN (${r.regions.map(() => "?").join(", ")}) AND ${column} >= ? AND ${column} < ? ORDER BY region, ${column}`)
        .bind(r.probeId, ...r.regions, r.from, r.to);
    });
    return {
      statements,
      decode: (outcomes) => ({
        value: outcomes.flatMap((o, i) => (o.results as RollupRow[]).map((row) => toRollup(row, wanted[i]!.grain))),
        rowsRead: outcomes.reduce((n, o) => n + (o.meta.rows_read ?? 0), 0),
      }),
    };
  }

  read<const R extends readonly D1Read<unknown>[]>(reads: R): Promise<ReadValues<R>> {
    return readTogether(this.db, reads);
  }

  async prune(plan: PrunePlan): Promise<{ deleted: number }> {
    if (plan.pairs.length === 0) return { deleted: 0 };
    const statements = plan.pairs.flatMap((p) => [
      this.db
        .prepare(`DELETE FROM runs WHERE probe_id = ?1 AND region = ?2 AND slot_at IN
          (SELECT slot_at FROM runs WHERE probe_id = ?1 AND region = ?2 AND slot_at < ?3 ORDER BY slot_at LIMIT ?4)`)
        .bind(p.probeId, p.region, plan.runsBefore, DELETE_CHUNK),
      ...Object.values(ROLLUP_TABLES).map(({ table, column }) =>
        this.db
          .prepare(`DELETE FROM ${table} WHERE probe_id = ?1 AND region = ?2 AND ${column} IN
            (SELECT ${column} FROM ${table} WHERE probe_id = ?1 AND region = ?2 AND ${column} < ?3 ORDER BY ${column} LIMIT ?4)`)
          .bind(p.probeId, p.region, plan.rollupsBefore, DELETE_CHUNK),
      ),
    ]);
    const outcomes = await this.db.batch(statements);
    return { deleted: outcomes.reduce((n, o) => n + (o.meta.changes ?? 0), 0) };
  }
}
