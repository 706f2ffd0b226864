/**
 * RunStore on D1. Runs live as minute entries in one row per (probe, region, hour) (run_hours),
 * with the whole result kept only for runs that need it (run_evidence); see run-write.ts for the
 * write and day-rollup.ts for the daily rollups. Every statement here binds a handful of values:
 * lists of pairs travel as one JSON parameter read with json_each, so the number of statements
 * of any call is the same for 10 probes or 5,000.
 */
import { parseRunId, runIdOf, type RunResult } from "../probe/result.ts";
import type { LatestRun } from "../status/overview.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";
import { knownRead, mapRead, readTogether, type D1Read, type ReadValues } from "./d1-read.ts";
import { rollUpDaysStatement, type DayRollupReport } from "./day-rollup.ts";
import { entryAt, newestEntry, minuteOfHour } from "./minute-entries.ts";
import { DELETE_CHUNK, type PrunePlan } from "./retention.ts";
import { comparePositions, type ListRunsQuery, type RunListPage, type RunPosition } from "./run-list.ts";
import { dayRollupsRead, rangesStatement, type PairRange } from "./day-rollups-read.ts";
import { toRollup, type Rollup, type RollupRow } from "./rollup-rows.ts";
import { entrySummary, HOUR_RUNS_COLUMNS, hourRuns, RUN_SUMMARY_COLUMNS, toRunResult, toRunSummary, type HourRunsRow, type RunRow } from "./run-rows.ts";
import type { ReadReport, RecentRun, RollupRequest, RunStore, RunSummary, SaveReport } from "./run-store.ts";
import { saveStatements } from "./run-write.ts";

type Pair = { probeId: string; region: string };

const pairsJson = (pairs: readonly Pair[]) => JSON.stringify(pairs.map((p) => [p.probeId, p.region]));

/** Rows of a (probe, region) range given as JSON tuples [probe, region, from, to]: one statement. */
const RANGE_JOIN = (table: string, column: string) =>
  `json_each(?1) q JOIN ${table} t ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.${column} >= q.value ->> 2 AND t.${column} < q.value ->> 3`;

export class D1RunStore implements RunStore {
  private readonly db: D1Database;
  private readonly now: () => number;
  /** `now` decides which days are read from the hour rows (run-write.ts RECENT_DAYS). */
  constructor(db: D1Database, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
  }

  async saveRuns(results: readonly RunResult[]): Promise<SaveReport> {
    if (results.length === 0) return { inserted: 0, rowsWritten: 0 };
    const { statements, hoursAt } = saveStatements(this.db, results, this.now());
    const outcomes = await this.db.batch(statements);
    return { inserted: outcomes[hoursAt]?.meta.changes ?? 0, rowsWritten: outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0) };
  }

  latestRunsRead(pairs: readonly Pair[]): D1Read<RunSummary[]> {
    if (pairs.length === 0) return knownRead([]);
    // The newest evidence of each pair: when it is the newest run, it carries the failure.
    const evidence = this.db
      .prepare(
        `SELECT ${RUN_SUMMARY_COLUMNS} FROM json_each(?1) q JOIN run_evidence e ON e.probe_id = q.value ->> 0 AND e.region = q.value ->> 1
           AND e.slot_at = (SELECT max(slot_at) FROM run_evidence x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1)`,
      )
      .bind(pairsJson(pairs));
    const hours = this.newestHoursRead(pairs);
    return {
      statements: [...hours.statements, evidence],
      decode: ([hourResult, evidenceResult]) => {
        const byRun = new Map((evidenceResult!.results as Omit<RunRow, "detail">[]).map((row) => [runIdOf(row.probe_id, row.region, row.slot_at), row]));
        return hours.decode([hourResult!]).flatMap(({ row, entry }) => {
          const summary = entrySummary(row, entry);
          const kept = byRun.get(summary.runId);
          return [kept ? toRunSummary(kept) : summary];
        });
      },
    };
  }

  latestStatesRead(pairs: readonly Pair[]): D1Read<LatestRun[]> {
    return mapRead(this.newestHoursRead(pairs), (newest) =>
      newest.map(({ row, entry }) => {
        const slotAt = row.hour_at + entry.minute * 60_000;
        return { probeId: row.probe_id, region: row.region, slotAt, startedAt: slotAt + entry.delayMs, status: entry.status };
      }),
    );
  }

  /** The newest hour row of each pair and its newest entry: one statement, two seeks per pair. */
  private newestHoursRead(pairs: readonly Pair[]): D1Read<{ row: HourRunsRow; entry: NonNullable<ReturnType<typeof newestEntry>> }[]> {
    if (pairs.length === 0) return knownRead([]);
    const statement = this.db
      .prepare(
        `SELECT ${HOUR_RUNS_COLUMNS} FROM json_each(?1) q JOIN run_hours t
           ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1
           AND t.hour_at = (SELECT max(hour_at) FROM run_hours x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1)`,
      )
      .bind(pairsJson(pairs));
    return {
      statements: [statement],
      decode: ([result]) =>
        (result!.results as HourRunsRow[]).flatMap((row) => {
          const entry = row.minutes === null ? null : newestEntry(row.minutes);
          return entry ? [{ row, entry }] : [];
        }),
    };
  }

  async getRun(runId: string): Promise<RunResult | null> {
    const key = parseRunId(runId);
    if (!key) return null;
    const hourAt = Math.floor(key.slotAt / HOUR_MS) * HOUR_MS;
    const [evidence, hour] = await this.db.batch([
      this.db.prepare(`SELECT ${RUN_SUMMARY_COLUMNS}, detail FROM run_evidence WHERE probe_id = ? AND region = ? AND slot_at = ?`).bind(key.probeId, key.region, key.slotAt),
      this.db.prepare(`SELECT ${HOUR_RUNS_COLUMNS} FROM run_hours WHERE probe_id = ? AND region = ? AND hour_at = ?`).bind(key.probeId, key.region, hourAt),
    ]);
    const kept = evidence!.results[0] as RunRow | undefined;
    if (kept) return toRunResult(kept);
    const row = hour!.results[0] as HourRunsRow | undefined;
    if (!row?.minutes || key.slotAt % 60_000 !== 0) return null;
    const entry = entryAt(row.minutes, minuteOfHour(key.slotAt));
    if (!entry) return null;
    // A pass kept as a minute entry: its steps all passed; their timings were not kept.
    return { ...entrySummary(row, entry), steps: [], ...(entry.inMaintenance ? { inMaintenance: true } : {}) };
  }

  listRuns(query: ListRunsQuery): Promise<RunListPage> {
    return readTogether(this.db, [this.listRunsRead(query)]).then(([page]) => page);
  }

  /**
   * Runs of the pairs newest first: the newest `limit + 1` hour rows (or evidence rows, when only
   * failures are asked for) of each pair, merged here. A pair that filled its quota could have
   * more runs older than its oldest row, so the page stops there (a page may then be shorter
   * than `limit`; `next` continues it). Two statements whatever the number of pairs.
   */
  listRunsRead(query: ListRunsQuery): D1Read<RunListPage> {
    if (query.pairs.length === 0) return knownRead({ runs: [], next: null });
    const quota = query.limit + 1;
    const from = query.from ?? 0;
    const through = Math.min(query.to === undefined ? Number.MAX_SAFE_INTEGER : query.to - 1, query.cursor?.slotAt ?? Number.MAX_SAFE_INTEGER);
    const failuresOnly = query.status === "down" || query.status === "degraded";
    const pairs = pairsJson(query.pairs);
    const evidence = this.db
      .prepare(
        `SELECT ${RUN_SUMMARY_COLUMNS} FROM json_each(?1) q JOIN run_evidence e ON e.probe_id = q.value ->> 0 AND e.region = q.value ->> 1
           AND e.slot_at IN (SELECT slot_at FROM run_evidence x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1
             AND x.slot_at >= ?2 AND x.slot_at <= ?3 AND (?5 IS NULL OR x.status = ?5) ORDER BY slot_at DESC LIMIT ?4)`,
      )
      .bind(pairs, from, through, quota, failuresOnly ? query.status! : null);
    const hours = this.db
      .prepare(
        `SELECT ${HOUR_RUNS_COLUMNS} FROM json_each(?1) q JOIN run_hours h ON h.probe_id = q.value ->> 0 AND h.region = q.value ->> 1
           AND h.hour_at IN (SELECT hour_at FROM run_hours x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1
             AND x.minutes IS NOT NULL AND x.hour_at >= ?2 AND x.hour_at <= ?3 ORDER BY hour_at DESC LIMIT ?4)`,
      )
      .bind(pairs, Math.floor(from / HOUR_MS) * HOUR_MS, through, quota);
    const inQuery = (r: RunSummary) =>
      r.slotAt >= from && r.slotAt <= through && (query.status === undefined || r.status === query.status) && (!query.cursor || comparePositions(r, query.cursor) > 0);
    return {
      statements: failuresOnly ? [evidence] : [evidence, hours],
      decode: ([evidenceResult, hourResult]) => {
        const kept = (evidenceResult!.results as Omit<RunRow, "detail">[]).map(toRunSummary);
        let horizon = horizonOf(kept.map((r) => ({ pair: r, at: r.slotAt })), quota);
        let runs: RunSummary[];
        if (failuresOnly) runs = kept;
        else {
          const byRun = new Map(kept.map((r) => [r.runId, r]));
          const rows = hourResult!.results as HourRunsRow[];
          horizon = Math.max(horizon, horizonOf(rows.map((row) => ({ pair: { probeId: row.probe_id, region: row.region }, at: row.hour_at })), quota));
          runs = rows.flatMap((row) => hourRuns(row).map(({ summary }) => byRun.get(summary.runId) ?? summary));
        }
        const merged = runs.filter((r) => inQuery(r) && r.slotAt >= horizon).sort(comparePositions);
        const page = merged.slice(0, query.limit);
        const last = page[page.length - 1];
        const more = merged.length > query.limit || horizon > from;
        // A page emptied by its filters still moves on: past the horizon it could not look behind.
        const next = more ? (last ? positionOf(last) : { slotAt: horizon, probeId: "", region: "" }) : null;
        return { runs: page, next };
      },
    };
  }

  recentRunsRead(pairs: readonly Pair[], from: number, to: number): D1Read<RecentRun[]> {
    if (pairs.length === 0 || to <= from) return knownRead([]);
    const ranges = pairs.map((p) => [p.probeId, p.region, Math.floor(from / HOUR_MS) * HOUR_MS, to]);
    const statement = this.db.prepare(`SELECT ${HOUR_RUNS_COLUMNS} FROM ${RANGE_JOIN("run_hours", "hour_at")}`).bind(JSON.stringify(ranges));
    return {
      statements: [statement],
      decode: ([result]) =>
        (result!.results as HourRunsRow[]).flatMap((row) =>
          hourRuns(row)
            .filter(({ summary }) => summary.slotAt >= from && summary.slotAt < to)
            .map(({ summary, entry }) => ({ probeId: row.probe_id, region: row.region, slotAt: summary.slotAt, status: entry.status, durationMs: entry.durationMs, monitoringSide: entry.monitoringSide, inMaintenance: entry.inMaintenance })),
        ),
    };
  }

  rollups(requests: readonly RollupRequest[]): Promise<ReadReport<Rollup[]>> {
    return readTogether(this.db, [this.rollupsRead(requests)]).then(([rollups]) => rollups);
  }

  /**
   * Hourly rollups are the hour rows; daily rollups are read as dayRollupsRead says (recent days
   * summed from the hours, older days from rollups_daily). At most three statements.
   */
  rollupsRead(requests: readonly RollupRequest[]): D1Read<ReadReport<Rollup[]>> {
    const ranges = (grain: RollupRequest["grain"]): PairRange[] =>
      requests.filter((r) => r.grain === grain && r.to > r.from).flatMap((r) => r.regions.map((region) => ({ probeId: r.probeId, region, from: r.from, to: r.to })));
    const hourRanges = ranges("hour");
    const hours = hourRanges.length ? [rangesStatement(this.db, "run_hours", hourRanges)] : [];
    const days = dayRollupsRead(this.db, ranges("day"), this.now());
    return {
      statements: [...hours, ...days.statements],
      decode: (outcomes) => {
        const hourRows = hours.length ? (outcomes[0]!.results as RollupRow[]).map((row) => toRollup(row, "hour")) : [];
        const daily = days.decode(outcomes.slice(hours.length));
        // Overlapping requests return a row twice; keep it once.
        const seen = new Set<string>();
        const value = [...hourRows, ...daily.rollups].filter((r) => {
          const key = `${r.grain}|${r.probeId}|${r.region}|${r.bucketAt}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        const hourRowsRead = hours.length ? (outcomes[0]!.meta.rows_read ?? 0) : 0;
        return { value, rowsRead: hourRowsRead + daily.rowsRead };
      },
    };
  }

  read<const R extends readonly D1Read<unknown>[]>(reads: R): Promise<ReadValues<R>> {
    return readTogether(this.db, reads);
  }

  async rollUpDays(pairs: readonly Pair[], limit: number): Promise<DayRollupReport> {
    if (pairs.length === 0) return { built: 0, rowsWritten: 0 };
    const result = await rollUpDaysStatement(this.db, pairs, this.now(), limit).run();
    return { built: result.meta.changes ?? 0, rowsWritten: result.meta.rows_written ?? 0 };
  }

  /**
   * Four statements whatever the number of pairs: minute entries past raw retention dropped from
   * their hour rows (only hours of the week before the cut-off are looked at, which bounds the rows
   * read: each pair comes round every hour), then expired hour rows, daily rollups and evidence
   * deleted, oldest first.
   */
  async prune(plan: PrunePlan): Promise<{ deleted: number; rowsWritten: number }> {
    if (plan.pairs.length === 0) return { deleted: 0, rowsWritten: 0 };
    const pairs = pairsJson(plan.pairs);
    const expired = (table: string, column: string) =>
      this.db
        .prepare(
          `DELETE FROM ${table} WHERE (probe_id, region, ${column}) IN (SELECT t.probe_id, t.region, t.${column} FROM json_each(?1) q JOIN ${table} t
             ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.${column} < ?2 LIMIT ?3)`,
        );
    const outcomes = await this.db.batch([
      this.db
        .prepare(
          `UPDATE run_hours SET minutes = NULL WHERE (probe_id, region, hour_at) IN (SELECT t.probe_id, t.region, t.hour_at FROM json_each(?1) q JOIN run_hours t
             ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.hour_at >= ?2 AND t.hour_at < ?3 AND t.minutes IS NOT NULL LIMIT ?4)`,
        )
        .bind(pairs, plan.runsBefore - 7 * DAY_MS, plan.runsBefore - HOUR_MS + 1, DELETE_CHUNK), // whole hours before the cut-off
      expired("run_hours", "hour_at").bind(pairs, plan.hoursBefore, DELETE_CHUNK),
      expired("rollups_daily", "day_at").bind(pairs, plan.rollupsBefore, DELETE_CHUNK),
      expired("run_evidence", "slot_at").bind(pairs, plan.runsBefore, DELETE_CHUNK),
    ]);
    return { deleted: outcomes.slice(1).reduce((n, o) => n + (o.meta.changes ?? 0), 0), rowsWritten: outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0) };
  }
}

function positionOf(run: RunSummary): RunPosition {
  return { slotAt: run.slotAt, probeId: run.probeId, region: run.region };
}

/**
 * The oldest time every pair's rows are complete from: a pair that returned its whole quota may
 * have older rows, so nothing before its oldest row can be listed yet.
 */
function horizonOf(rows: readonly { pair: Pair; at: number }[], quota: number): number {
  const byPair = new Map<string, { count: number; oldest: number }>();
  for (const { pair, at } of rows) {
    const key = `${pair.probeId}|${pair.region}`;
    const seen = byPair.get(key);
    byPair.set(key, seen ? { count: seen.count + 1, oldest: Math.min(seen.oldest, at) } : { count: 1, oldest: at });
  }
  let horizon = -Infinity;
  for (const { count, oldest } of byPair.values()) if (count >= quota) horizon = Math.max(horizon, oldest);
  return horizon;
}
