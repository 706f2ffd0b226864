/**
 * RunStore on D1. Runs live as minute entries packed in run_blocks rows, one per (region, hour,
 * bucket of probes) (run-blocks.ts), with the whole result kept only for runs that need it
 * (run_evidence); closed hours are sealed into rollups_hourly, settled days into rollups_daily.
 * Every statement binds a handful of values: lists travel as one JSON parameter read with
 * json_each, so the number of statements of any call is the same for 10 probes or 5,000.
 */
import { parseRunId, runIdOf, type RunResult, type WebVitals } from "../probe/result.ts";
import type { LatestRun } from "../status/overview.ts";
import { HOUR_MS } from "../time.ts";
import { knownRead, readTogether, type D1Read, type ReadValues } from "./d1-read.ts";
import { rollUpDaysStatement, type DayRollupReport } from "./day-rollup.ts";
import { decodeEntries, ENTRY_CHARS, parseEntry, type MinuteEntry } from "./minute-entries.ts";
import {
  decodeHourAggregates,
  hourAggregates,
  hourOf,
  valuesOf,
  type HourMetricValues,
  type MetricHour,
  type MetricValue,
} from "./metric-values.ts";
import { DELETE_CHUNK, type PrunePlan } from "./retention.ts";
import { dayRollupsRead, hourRollupsRead, UNSEALED_HOURS, type PairRange } from "./rollup-reads.ts";
import type { Rollup } from "./rollup-rows.ts";
import {
  BLOCK_COLUMNS,
  blockKeyOf,
  blockKeysOf,
  BUCKETS,
  emptyBlock,
  keyString,
  mergeRuns,
  pairBlocksSql,
  PROBE_MINUTES_SQL,
  probeEntries,
  probeEntryAt,
  toBlock,
  type Block,
  type BlockKey,
  type BlockRow,
  type LatencyThresholdOf,
} from "./run-blocks.ts";
import { comparePositions, type ListRunsQuery, type RunListPage, type RunPosition } from "./run-list.ts";
import { RUN_SUMMARY_COLUMNS, toRunResult, toRunSummary, type RunRow } from "./run-rows.ts";
import type {
  MetricsHistory,
  MetricsRange,
  PairHourEntries,
  PairVitals,
  ReadReport,
  RecentRun,
  RollupRequest,
  RunStore,
  RunSummary,
  SaveReport,
} from "./run-store.ts";
import { saveStatements, sealStatements } from "./run-write.ts";

type Pair = { probeId: string; region: string };

/** Attempts at writing a batch whose blocks other writers changed meanwhile, with a growing, jittered pause. */
const WRITE_ATTEMPTS = 8;
const RETRY_PAUSE_MS = 20;

const pairsJson = (pairs: readonly Pair[]) => JSON.stringify(pairs.map((p) => [p.probeId, p.region]));

/** The distinct (region, bucket) of the pairs, as JSON: the run_blocks rows they live in. */
const blockKeysJson = (pairs: readonly Pair[]) => JSON.stringify(blockKeysOf(pairs));

/** A pair's run in a block, as a summary (the block's version and colo are those of its newest write). */
function entrySummary(block: Block, probeId: string, entry: MinuteEntry): RunSummary {
  const slotAt = block.hourAt + entry.minute * 60_000;
  const index = block.probes.indexOf(probeId);
  return {
    runId: runIdOf(probeId, block.region, slotAt),
    probeId,
    probeVersion: block.versions[index] ?? "",
    region: block.region,
    colo: block.colo,
    slotAt,
    startedAt: slotAt + entry.delayMs,
    durationMs: entry.durationMs,
    status: entry.status,
  };
}

/** Every run of the asked pairs in these blocks. */
function runsIn(blocks: readonly Block[], pairs: readonly Pair[]): { summary: RunSummary; entry: MinuteEntry }[] {
  const wanted = new Set(pairs.map((p) => `${p.probeId}|${p.region}`));
  return blocks.flatMap((block) =>
    block.probes
      .filter((probeId) => wanted.has(`${probeId}|${block.region}`))
      .flatMap((probeId) =>
        probeEntries(block, probeId).map((entry) => ({ summary: entrySummary(block, probeId, entry), entry })),
      ),
  );
}

export class D1RunStore implements RunStore {
  private readonly db: D1Database;
  private readonly now: () => number;
  private readonly thresholdOf: LatencyThresholdOf;
  /**
   * `now` decides which hours and days are read from where (rollup-reads.ts), and which hours are
   * closed. `latencyThresholdOf` gives each probe's latency objective (`slo.latency.underMs`): a
   * sealed hour counts its runs under it exactly (blockRollups).
   */
  constructor(db: D1Database, now: () => number = Date.now, options: { latencyThresholdOf?: LatencyThresholdOf } = {}) {
    this.db = db;
    this.now = now;
    this.thresholdOf = options.latencyThresholdOf ?? (() => undefined);
  }

  /**
   * Read, merge, write: the blocks the runs fall in are read, the runs merged in (a taken minute
   * is a replay and is skipped), and written back only where no other writer changed them since.
   * Blocks another writer changed are read and merged again, up to WRITE_ATTEMPTS times.
   */
  async saveRuns(results: readonly RunResult[]): Promise<SaveReport> {
    // A run given twice counts once, as its first result: the same as a replay in a later batch.
    const seen = new Set<string>();
    const unique = results.filter((r) => !seen.has(r.runId) && seen.add(r.runId));
    let pending = new Map<string, { key: BlockKey; runs: RunResult[] }>();
    for (const run of unique) {
      const key = blockKeyOf(run);
      const group = pending.get(keyString(key));
      if (group) group.runs.push(run);
      else pending.set(keyString(key), { key, runs: [run] });
    }
    let inserted = 0;
    let rowsWritten = 0;
    let expired = 0;
    for (let attempt = 0; attempt < WRITE_ATTEMPTS && pending.size > 0; attempt++) {
      // Writers that lost a race read again after a pause, so they do not collide again at once.
      if (attempt > 0)
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt * (0.5 + Math.random())));
      const stored = await this.blocks([...pending.values()].map((g) => g.key));
      if (attempt === 0) expired = await this.dropPastRetention(pending, stored);
      const writes = [...pending.values()].flatMap((g) => {
        const merged = mergeRuns(stored.get(keyString(g.key)) ?? emptyBlock(g.key), g.runs);
        return merged.added.length
          ? [{ block: { ...merged.block, revision: merged.block.revision + 1 }, added: merged.added }]
          : [];
      });
      // A block whose runs are all stored already (a replay) needs no write.
      pending = new Map(writes.map((w) => [keyString(w.block), pending.get(keyString(w.block))!]));
      const { statements, upserts } = saveStatements(this.db, writes, this.now(), this.thresholdOf);
      if (statements.length === 0) break;
      const outcomes = await this.db.batch(statements);
      rowsWritten += outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0);
      const written = new Set(
        upserts.flatMap((i) =>
          (outcomes[i]!.results as BlockRow[]).map((row) =>
            keyString({ region: row.region, hourAt: row.hour_at, bucket: row.bucket }),
          ),
        ),
      );
      const next = new Map<string, { key: BlockKey; runs: RunResult[] }>();
      for (const w of writes) {
        const key = keyString(w.block);
        if (written.has(key)) inserted += w.added.length;
        else next.set(key, pending.get(key)!);
      }
      pending = next;
    }
    if (pending.size > 0)
      throw new Error(`run_blocks: ${pending.size} rows kept changing under this write; the runs stay buffered`);
    return { inserted, rowsWritten, ...(expired ? { expired } : {}) };
  }

  /**
   * Leaves out the runs of a closed hour whose probe has an hourly rollup but no entry in the
   * hour's block: the block was pruned (past raw retention), and a new one would seal the hour
   * from these late runs alone, over the rollup of all its runs. One statement, only when a batch
   * has runs of a closed hour missing from its block (late runs, backfills). Returns how many.
   */
  private async dropPastRetention(
    pending: Map<string, { key: BlockKey; runs: RunResult[] }>,
    stored: ReadonlyMap<string, Block>,
  ): Promise<number> {
    const now = this.now();
    const candidates = [...pending.values()].flatMap((g) =>
      g.key.hourAt + HOUR_MS <= now
        ? g.runs.filter((r) => !(stored.get(keyString(g.key))?.probes.includes(r.probeId) ?? false))
        : [],
    );
    if (candidates.length === 0) return 0;
    const hourKey = (probeId: string, region: string, hourAt: number) => `${probeId}|${region}|${hourAt}`;
    const { results } = await this.db
      .prepare(
        "SELECT probe_id, region, hour_at FROM json_each(?1) q JOIN rollups_hourly h ON h.probe_id = q.value ->> 0 AND h.region = q.value ->> 1 AND h.hour_at = q.value ->> 2",
      )
      .bind(
        JSON.stringify([
          ...new Map(
            candidates.map((r) => {
              const k = blockKeyOf(r);
              return [hourKey(r.probeId, r.region, k.hourAt), [r.probeId, r.region, k.hourAt]];
            }),
          ).values(),
        ]),
      )
      .all<{ probe_id: string; region: string; hour_at: number }>();
    if (results.length === 0) return 0;
    const sealedAlready = new Set(results.map((h) => hourKey(h.probe_id, h.region, h.hour_at)));
    const missingFromBlock = new Set(candidates);
    let dropped = 0;
    for (const [key, group] of pending) {
      const kept = group.runs.filter(
        (r) => !(missingFromBlock.has(r) && sealedAlready.has(hourKey(r.probeId, r.region, group.key.hourAt))),
      );
      dropped += group.runs.length - kept.length;
      if (kept.length) pending.set(key, { ...group, runs: kept });
      else pending.delete(key);
    }
    return dropped;
  }

  /** The stored blocks of these keys, by keyString: one statement. */
  private async blocks(keys: readonly BlockKey[]): Promise<Map<string, Block>> {
    const { results } = await this.db
      .prepare(
        `SELECT ${BLOCK_COLUMNS} FROM json_each(?1) q JOIN run_blocks b ON b.region = q.value ->> 0 AND b.hour_at = q.value ->> 1 AND b.bucket = q.value ->> 2`,
      )
      .bind(JSON.stringify(keys.map((k) => [k.region, k.hourAt, k.bucket])))
      .all<BlockRow>();
    return new Map(
      results.map((row) => [keyString({ region: row.region, hourAt: row.hour_at, bucket: row.bucket }), toBlock(row)]),
    );
  }

  /** The blocks of the pairs' (region, bucket) with hour_at in [from, to]: one statement. */
  private blocksRead(pairs: readonly Pair[], from: number, to: number): D1Read<Block[]> {
    if (pairs.length === 0 || to < from) return knownRead([]);
    const statement = this.db
      .prepare(
        `SELECT ${BLOCK_COLUMNS} FROM json_each(?1) q JOIN run_blocks b ON b.region = q.value ->> 0 AND b.bucket = q.value ->> 1 AND b.hour_at >= ?2 AND b.hour_at <= ?3`,
      )
      .bind(blockKeysJson(pairs), from, to);
    return { statements: [statement], decode: ([result]) => (result!.results as BlockRow[]).map(toBlock) };
  }

  latestRunsRead(pairs: readonly Pair[], now: number): D1Read<RunSummary[]> {
    if (pairs.length === 0) return knownRead([]);
    const newest = this.newestRead(pairs, now);
    // The newest evidence of each pair: when it is the newest run, it carries the failure.
    const evidence = this.db
      .prepare(
        `SELECT ${RUN_SUMMARY_COLUMNS} FROM json_each(?1) q JOIN run_evidence e ON e.probe_id = q.value ->> 0 AND e.region = q.value ->> 1
           AND e.slot_at = (SELECT max(slot_at) FROM run_evidence x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1 AND x.slot_at >= ?2)`,
      )
      .bind(pairsJson(pairs), newestFrom(now));
    return {
      statements: [...newest.statements, evidence],
      decode: ([blocks, kept]) => {
        const byRun = new Map(
          (kept!.results as Omit<RunRow, "detail">[]).map((row) => [
            runIdOf(row.probe_id, row.region, row.slot_at),
            row,
          ]),
        );
        return newest.decode([blocks!]).map(({ summary }) => {
          const row = byRun.get(summary.runId);
          return row ? toRunSummary(row) : summary;
        });
      },
    };
  }

  latestStatesRead(pairs: readonly Pair[], now: number): D1Read<LatestRun[]> {
    const newest = this.newestRead(pairs, now);
    return {
      statements: newest.statements,
      decode: (results) =>
        newest.decode(results).map(({ summary: s }) => ({
          probeId: s.probeId,
          region: s.region,
          slotAt: s.slotAt,
          startedAt: s.startedAt,
          status: s.status,
        })),
    };
  }

  /**
   * The newest run of each pair within the current hour and the two before (every schedule runs
   * at least hourly, so an older newest run is missing data whatever it was): one statement that
   * cuts each pair's newest entry out of its blocks in SQL. An empty minute is `.......` and a
   * stored entry holds no `.`, so trimming the dots off the end of a pair's 420 characters leaves
   * its newest entry last: only that entry, its minute, the hour's version and colo travel, not
   * the blocks.
   */
  private newestRead(pairs: readonly Pair[], now: number): D1Read<{ summary: RunSummary }[]> {
    if (pairs.length === 0) return knownRead([]);
    const filled = `rtrim(${PROBE_MINUTES_SQL}, '.')`;
    const statement = this.db
      .prepare(
        `SELECT b.region, b.hour_at, p.value AS probe_id, b.colo, b.versions ->> p.key AS version, length(${filled}) AS filled, substr(${filled}, -${ENTRY_CHARS}) AS entry
           ${pairBlocksSql("b.hour_at >= ?3 AND b.hour_at <= ?4", "?2")} AND length(${filled}) > 0`,
      )
      .bind(blockKeysJson(pairs), pairsJson(pairs), newestFrom(now), Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS);
    return {
      statements: [statement],
      decode: ([result]) => {
        const newest = new Map<string, { summary: RunSummary }>();
        for (const row of result!.results as {
          region: string;
          hour_at: number;
          probe_id: string;
          colo: string;
          version: string | null;
          filled: number;
          entry: string;
        }[]) {
          const key = `${row.probe_id}|${row.region}`;
          const entry = parseEntry(row.entry, row.filled / ENTRY_CHARS - 1);
          if (!entry) continue;
          const slotAt = row.hour_at + entry.minute * 60_000;
          if ((newest.get(key)?.summary.slotAt ?? -Infinity) >= slotAt) continue;
          newest.set(key, {
            summary: {
              runId: runIdOf(row.probe_id, row.region, slotAt),
              probeId: row.probe_id,
              probeVersion: row.version ?? "",
              region: row.region,
              colo: row.colo,
              slotAt,
              startedAt: slotAt + entry.delayMs,
              durationMs: entry.durationMs,
              status: entry.status,
            },
          });
        }
        return [...newest.values()];
      },
    };
  }

  async getRun(runId: string): Promise<RunResult | null> {
    const key = parseRunId(runId);
    if (!key || key.slotAt % 60_000 !== 0) return null;
    const block = blockKeyOf(key);
    const [evidence, stored] = await this.db.batch([
      this.db
        .prepare(
          `SELECT ${RUN_SUMMARY_COLUMNS}, detail FROM run_evidence WHERE probe_id = ? AND region = ? AND slot_at = ?`,
        )
        .bind(key.probeId, key.region, key.slotAt),
      this.db
        .prepare(`SELECT ${BLOCK_COLUMNS} FROM run_blocks WHERE region = ? AND hour_at = ? AND bucket = ?`)
        .bind(block.region, block.hourAt, block.bucket),
    ]);
    const kept = evidence!.results[0] as RunRow | undefined;
    if (kept) return toRunResult(kept);
    const row = stored!.results[0] as BlockRow | undefined;
    if (!row) return null;
    const found = toBlock(row);
    const entry = probeEntryAt(found, key.probeId, key.slotAt);
    if (!entry) return null;
    // A pass kept as a minute entry: its steps all passed; their timings were not kept.
    const metrics = valuesOf(
      key.probeId,
      key.region,
      found.hourAt,
      found.metrics[found.probes.indexOf(key.probeId)] ?? {},
    ).filter((v) => v.slotAt === key.slotAt);
    return {
      ...entrySummary(found, key.probeId, entry),
      steps: [],
      ...(entry.inMaintenance ? { inMaintenance: true } : {}),
      ...(metrics.length ? { metrics: Object.fromEntries(metrics.map((v) => [v.name, v.value])) } : {}),
    };
  }

  listRuns(query: ListRunsQuery): Promise<RunListPage> {
    return readTogether(this.db, [this.listRunsRead(query)]).then(([page]) => page);
  }

  /**
   * Runs of the pairs newest first: the newest `limit + 1` blocks of each (region, bucket) (or
   * evidence rows of each pair, when only failures are asked for), merged here. A key that
   * filled its quota could have more runs older than its oldest row, so the page stops there (a
   * page may then be shorter than `limit`; `next` continues it). Two statements at most.
   */
  listRunsRead(query: ListRunsQuery): D1Read<RunListPage> {
    if (query.pairs.length === 0) return knownRead({ runs: [], next: null });
    const quota = query.limit + 1;
    const from = query.from ?? 0;
    const through = Math.min(
      query.to === undefined ? Number.MAX_SAFE_INTEGER : query.to - 1,
      query.cursor?.slotAt ?? Number.MAX_SAFE_INTEGER,
    );
    const failuresOnly = query.status === "down" || query.status === "degraded";
    const evidence = this.db
      .prepare(
        `SELECT ${RUN_SUMMARY_COLUMNS} FROM json_each(?1) q JOIN run_evidence e ON e.probe_id = q.value ->> 0 AND e.region = q.value ->> 1
           AND e.slot_at IN (SELECT slot_at FROM run_evidence x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1
             AND x.slot_at >= ?2 AND x.slot_at <= ?3 AND (?5 IS NULL OR x.status = ?5) ORDER BY slot_at DESC LIMIT ?4)`,
      )
      .bind(pairsJson(query.pairs), from, through, quota, failuresOnly ? query.status! : null);
    const blocks = this.db
      .prepare(
        `SELECT ${BLOCK_COLUMNS} FROM json_each(?1) q JOIN run_blocks b ON b.region = q.value ->> 0 AND b.bucket = q.value ->> 1
           AND b.hour_at IN (SELECT hour_at FROM run_blocks x WHERE x.region = q.value ->> 0 AND x.bucket = q.value ->> 1
             AND x.hour_at >= ?2 AND x.hour_at <= ?3 ORDER BY hour_at DESC LIMIT ?4)`,
      )
      .bind(blockKeysJson(query.pairs), Math.floor(from / HOUR_MS) * HOUR_MS, through, quota);
    const inQuery = (r: RunSummary) =>
      r.slotAt >= from &&
      r.slotAt <= through &&
      (query.status === undefined || r.status === query.status) &&
      (!query.cursor || comparePositions(r, query.cursor) > 0);
    return {
      statements: failuresOnly ? [evidence] : [evidence, blocks],
      decode: ([evidenceResult, blockResult]) => {
        const kept = (evidenceResult!.results as Omit<RunRow, "detail">[]).map(toRunSummary);
        let horizon = horizonOf(
          kept.map((r) => ({ key: `${r.probeId}|${r.region}`, at: r.slotAt })),
          quota,
        );
        let runs: RunSummary[];
        if (failuresOnly) runs = kept;
        else {
          const byRun = new Map(kept.map((r) => [r.runId, r]));
          const found = (blockResult!.results as BlockRow[]).map(toBlock);
          horizon = Math.max(
            horizon,
            horizonOf(
              found.map((b) => ({ key: `${b.region}|${b.bucket}`, at: b.hourAt })),
              quota,
            ),
          );
          runs = runsIn(found, query.pairs).map(({ summary }) => byRun.get(summary.runId) ?? summary);
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
    const read = this.blocksRead(pairs, Math.floor(from / HOUR_MS) * HOUR_MS, to);
    return {
      statements: read.statements,
      decode: (results) =>
        runsIn(read.decode(results), pairs)
          .filter(({ summary }) => summary.slotAt >= from && summary.slotAt < to)
          .map(({ summary, entry }) => ({
            probeId: summary.probeId,
            region: summary.region,
            slotAt: summary.slotAt,
            status: entry.status,
            durationMs: entry.durationMs,
            monitoringSide: entry.monitoringSide,
            inMaintenance: entry.inMaintenance,
          })),
    };
  }

  /**
   * The minute entries of the pairs in the given hours, two statements: the pairs' own
   * 420-character slices of their blocks (not the whole rows), and the failed step of each down
   * run in those hours from its evidence (a block keeps step failures per hour, not per run);
   * `failedSteps: false` leaves the second out for readers that do not report steps.
   */
  minutesRead(
    pairs: readonly Pair[],
    hours: readonly number[],
    options: { failedSteps?: boolean } = {},
  ): D1Read<PairHourEntries[]> {
    const distinctHours = [...new Set(hours)];
    const keys = blockKeysOf(pairs).flatMap(([region, bucket]) =>
      distinctHours.map((hourAt) => [region, bucket, hourAt]),
    );
    if (keys.length === 0) return knownRead([]);
    const minutes = this.db
      .prepare(
        `SELECT b.region, b.hour_at, p.value AS probe_id, ${PROBE_MINUTES_SQL} AS minutes ${pairBlocksSql("b.hour_at = q.value ->> 2", "?2")}`,
      )
      .bind(JSON.stringify(keys), pairsJson(pairs));
    // The pairs and the hours as two lists: their product would be a parameter past D1's 2 MB for a large fleet.
    const failedSteps = this.db
      .prepare(
        `SELECT e.probe_id, e.region, e.slot_at, e.failure_step FROM json_each(?1) q, json_each(?2) h JOIN run_evidence e
           ON e.probe_id = q.value ->> 0 AND e.region = q.value ->> 1 AND e.slot_at >= h.value AND e.slot_at < h.value + ${HOUR_MS}
           WHERE e.status = 'down' AND e.failure_step IS NOT NULL`,
      )
      .bind(pairsJson(pairs), JSON.stringify(distinctHours));
    const withSteps = options.failedSteps ?? true;
    return {
      statements: withSteps ? [minutes, failedSteps] : [minutes],
      decode: ([minuteRows, stepRows]) => {
        const stepAt = new Map(
          (
            (stepRows?.results ?? []) as { probe_id: string; region: string; slot_at: number; failure_step: string }[]
          ).map((r) => [`${r.probe_id}|${r.region}|${r.slot_at}`, r.failure_step]),
        );
        return (minuteRows!.results as { region: string; hour_at: number; probe_id: string; minutes: string }[]).map(
          (row) => ({
            probeId: row.probe_id,
            region: row.region,
            hourAt: row.hour_at,
            entries: decodeEntries(row.minutes).map((entry) => {
              const step =
                entry.status === "down" && !entry.inMaintenance
                  ? stepAt.get(`${row.probe_id}|${row.region}|${row.hour_at + entry.minute * 60_000}`)
                  : undefined;
              return step === undefined ? entry : { ...entry, failedStep: step };
            }),
          }),
        );
      },
    };
  }

  /**
   * Journey metrics: the pairs' metric slices of their blocks from the older of `from` and the
   * unsealed window's start (UNSEALED_HOURS) to `to` (only those slices travel), and the metric
   * column of their sealed hours; an hour a block still holds is taken from the block, which the
   * rollup was made from and which may have changed since (a late run).
   */
  metricsRead(pairs: readonly Pair[], range: MetricsRange): D1Read<MetricsHistory> {
    if (pairs.length === 0 || range.to <= range.from) return knownRead({ values: [], hours: [] });
    const blocksFrom = Math.min(hourOf(range.from), hourOf(range.to) - (UNSEALED_HOURS - 1) * HOUR_MS);
    const blocks = this.db
      .prepare(
        `SELECT b.region, b.hour_at, p.value AS probe_id, b.metrics ->> p.key AS metrics
           ${pairBlocksSql("b.hour_at >= ?3 AND b.hour_at < ?4", "?2")} AND (b.metrics ->> p.key) IS NOT NULL AND (b.metrics ->> p.key) <> '{}'`,
      )
      .bind(blockKeysJson(pairs), pairsJson(pairs), blocksFrom, range.to);
    const withHours = range.hoursFrom < range.to;
    const sealed = this.db
      .prepare(
        `SELECT t.probe_id, t.region, t.hour_at, t.metrics FROM json_each(?1) q JOIN rollups_hourly t
           ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.hour_at >= ?2 AND t.hour_at < ?3 WHERE t.metrics IS NOT NULL`,
      )
      .bind(pairsJson(pairs), hourOf(range.hoursFrom), range.to);
    return {
      statements: withHours ? [blocks, sealed] : [blocks],
      decode: ([blockRows, sealedRows]) => {
        const values: MetricValue[] = [];
        const fresh: MetricHour[] = [];
        for (const row of blockRows!.results as {
          region: string;
          hour_at: number;
          probe_id: string;
          metrics: string;
        }[]) {
          const hour = JSON.parse(row.metrics) as HourMetricValues;
          values.push(
            ...valuesOf(row.probe_id, row.region, row.hour_at, hour).filter(
              (v) => v.slotAt >= range.from && v.slotAt < range.to,
            ),
          );
          if (withHours && row.hour_at >= hourOf(range.hoursFrom)) {
            for (const [name, a] of Object.entries(hourAggregates(hour, row.hour_at)))
              fresh.push({ probeId: row.probe_id, region: row.region, name, hourAt: row.hour_at, ...a });
          }
        }
        const inBlocks = new Set(fresh.map((h) => `${h.probeId}|${h.region}|${h.hourAt}`));
        const stored = (
          (sealedRows?.results ?? []) as { probe_id: string; region: string; hour_at: number; metrics: string }[]
        )
          .filter((r) => !inBlocks.has(`${r.probe_id}|${r.region}|${r.hour_at}`))
          .flatMap((r) => decodeHourAggregates(r.probe_id, r.region, r.hour_at, r.metrics));
        const hours = [...stored, ...fresh].sort(
          (a, b) => a.hourAt - b.hourAt || a.region.localeCompare(b.region) || a.name.localeCompare(b.name),
        );
        return { values: values.sort((a, b) => a.slotAt - b.slotAt || a.region.localeCompare(b.region)), hours };
      },
    };
  }

  /** The slot of each pair's first stored run, one statement; pairs without a run are absent. */
  firstRunsRead(pairs: readonly Pair[]): D1Read<Map<string, number>> {
    if (pairs.length === 0) return knownRead(new Map());
    const statement = this.db
      .prepare(
        "SELECT f.probe_id, f.region, f.first_slot_at FROM json_each(?1) q JOIN probe_first_runs f ON f.probe_id = q.value ->> 0 AND f.region = q.value ->> 1",
      )
      .bind(pairsJson(pairs));
    return {
      statements: [statement],
      decode: ([result]) =>
        new Map(
          (result!.results as { probe_id: string; region: string; first_slot_at: number }[]).map((r) => [
            `${r.probe_id}|${r.region}`,
            r.first_slot_at,
          ]),
        ),
    };
  }

  /**
   * The vitals of each pair's newest kept browser run, one statement: every browser run keeps its
   * evidence row (run-write.ts keepsEvidence), so the pair's newest evidence row is its newest run.
   */
  latestVitalsRead(pairs: readonly Pair[]): D1Read<PairVitals[]> {
    if (pairs.length === 0) return knownRead([]);
    const statement = this.db
      .prepare(
        `SELECT e.probe_id, e.region, e.slot_at, e.detail ->> '$.browser.vitals' AS vitals FROM json_each(?1) q
          JOIN run_evidence e ON e.probe_id = q.value ->> 0 AND e.region = q.value ->> 1
          AND e.slot_at = (SELECT MAX(slot_at) FROM run_evidence m WHERE m.probe_id = e.probe_id AND m.region = e.region)
          WHERE e.detail ->> '$.browser.vitals' IS NOT NULL`,
      )
      .bind(pairsJson(pairs));
    return {
      statements: [statement],
      decode: ([result]) =>
        (result!.results as { probe_id: string; region: string; slot_at: number; vitals: string }[]).map((r) => ({
          probeId: r.probe_id,
          region: r.region,
          slotAt: r.slot_at,
          vitals: JSON.parse(r.vitals) as WebVitals,
        })),
    };
  }

  rollups(requests: readonly RollupRequest[]): Promise<ReadReport<Rollup[]>> {
    return readTogether(this.db, [this.rollupsRead(requests)]).then(([rollups]) => rollups);
  }

  /** Hourly and daily rollups as rollup-reads.ts reads them: at most five statements. */
  rollupsRead(requests: readonly RollupRequest[]): D1Read<ReadReport<Rollup[]>> {
    const ranges = (grain: RollupRequest["grain"]): PairRange[] =>
      requests
        .filter((r) => r.grain === grain && r.to > r.from)
        .flatMap((r) => r.regions.map((region) => ({ probeId: r.probeId, region, from: r.from, to: r.to })));
    const now = this.now();
    const hours = hourRollupsRead(this.db, ranges("hour"), now, { thresholdOf: this.thresholdOf });
    const days = dayRollupsRead(this.db, ranges("day"), now, { thresholdOf: this.thresholdOf });
    return {
      statements: [...hours.statements, ...days.statements],
      decode: (outcomes) => {
        const hourly = hours.decode(outcomes.slice(0, hours.statements.length));
        const daily = days.decode(outcomes.slice(hours.statements.length));
        // Overlapping requests return a row twice; keep it once.
        const seen = new Set<string>();
        const value = [...hourly.rollups, ...daily.rollups].filter((r) => {
          const key = `${r.grain}|${r.probeId}|${r.region}|${r.bucketAt}`;
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        return { value, rowsRead: hourly.rowsRead + daily.rowsRead };
      },
    };
  }

  read<const R extends readonly D1Read<unknown>[]>(reads: R): Promise<ReadValues<R>> {
    return readTogether(this.db, reads);
  }

  /**
   * Seals closed hours: writes the hourly rollups of blocks that changed since they were last
   * sealed, at most `limit` blocks a call, oldest first. Three statements plus one to read; a
   * block written meanwhile keeps its newer revision and is sealed next time.
   */
  async sealHours(
    regions: readonly string[],
    limit: number,
    since: number,
  ): Promise<{ sealed: number; rowsWritten: number }> {
    if (regions.length === 0) return { sealed: 0, rowsWritten: 0 };
    const currentHour = Math.floor(this.now() / HOUR_MS) * HOUR_MS;
    // Every closed hour since `since` (raw retention), oldest first: a seal that lagged for hours
    // (a failing stage) catches up instead of leaving hours out of the rollups.
    const { results } = await this.db
      .prepare(
        `SELECT ${BLOCK_COLUMNS} FROM json_each(?1) q JOIN run_blocks b ON b.region = q.value ->> 0 AND b.bucket = q.value ->> 1 AND b.hour_at >= ?2 AND b.hour_at < ?3
           WHERE b.revision > b.sealed_revision ORDER BY b.hour_at LIMIT ?4`,
      )
      .bind(allBlockKeys(regions), since, currentHour, limit)
      .all<BlockRow>();
    if (results.length === 0) return { sealed: 0, rowsWritten: 0 };
    const outcomes = await this.db.batch(sealStatements(this.db, results.map(toBlock), this.thresholdOf));
    return {
      sealed: outcomes[outcomes.length - 1]!.meta.changes ?? 0,
      rowsWritten: outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0),
    };
  }

  async rollUpDays(pairs: readonly Pair[], limit: number): Promise<DayRollupReport> {
    if (pairs.length === 0) return { built: 0, rowsWritten: 0 };
    const result = await rollUpDaysStatement(this.db, pairs, this.now(), limit).run();
    return { built: result.meta.changes ?? 0, rowsWritten: result.meta.rows_written ?? 0 };
  }

  /**
   * Four statements whatever the number of pairs: blocks past raw retention (every region, every
   * tick: a handful of rows), then the planned pairs' expired hourly and daily rollups and
   * evidence, oldest first, each in chunks of at most DELETE_CHUNK rows.
   */
  async prune(plan: PrunePlan): Promise<{ deleted: number; rowsWritten: number }> {
    const pairs = pairsJson(plan.pairs);
    const expired = (table: string, column: string) =>
      this.db.prepare(
        `DELETE FROM ${table} WHERE (probe_id, region, ${column}) IN (SELECT t.probe_id, t.region, t.${column} FROM json_each(?1) q JOIN ${table} t
           ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.${column} < ?2 LIMIT ?3)`,
      );
    const outcomes = await this.db.batch([
      this.db
        .prepare(
          `DELETE FROM run_blocks WHERE (region, bucket, hour_at) IN (SELECT b.region, b.bucket, b.hour_at FROM json_each(?1) q JOIN run_blocks b
             ON b.region = q.value ->> 0 AND b.bucket = q.value ->> 1 AND b.hour_at <= ?2 LIMIT ?3)`,
        )
        // Whole hours before the cut-off, the first part of each (region, bucket)'s range of the key:
        // only expired rows are read.
        .bind(allBlockKeys(plan.regions), plan.runsBefore - HOUR_MS, DELETE_CHUNK),
      expired("rollups_hourly", "hour_at").bind(pairs, plan.hoursBefore, DELETE_CHUNK),
      expired("rollups_daily", "day_at").bind(pairs, plan.rollupsBefore, DELETE_CHUNK),
      expired("run_evidence", "slot_at").bind(pairs, plan.runsBefore, DELETE_CHUNK),
    ]);
    return {
      deleted: outcomes.reduce((n, o) => n + (o.meta.changes ?? 0), 0),
      rowsWritten: outcomes.reduce((n, o) => n + (o.meta.rows_written ?? 0), 0),
    };
  }
}

/** Every (region, bucket) of these regions, as JSON: what the tick's upkeep walks, key range by key range. */
function allBlockKeys(regions: readonly string[]): string {
  return JSON.stringify(
    [...new Set(regions)].flatMap((region) => Array.from({ length: BUCKETS }, (_, bucket) => [region, bucket])),
  );
}

/**
 * Where a pair's newest run is looked for: two hours back from the current one, as far as a run
 * counts as current for the slowest schedule (every hour: 2 x interval + 1 minute, overview.ts).
 */
function newestFrom(now: number): number {
  return Math.floor(now / HOUR_MS) * HOUR_MS - 2 * HOUR_MS;
}

function positionOf(run: RunSummary): RunPosition {
  return { slotAt: run.slotAt, probeId: run.probeId, region: run.region };
}

/**
 * The oldest time every key's rows are complete from: a key that returned its whole quota may
 * have older rows, so nothing before its oldest row can be listed yet.
 */
function horizonOf(rows: readonly { key: string; at: number }[], quota: number): number {
  const byKey = new Map<string, { count: number; oldest: number }>();
  for (const { key, at } of rows) {
    const seen = byKey.get(key);
    byKey.set(key, seen ? { count: seen.count + 1, oldest: Math.min(seen.oldest, at) } : { count: 1, oldest: at });
  }
  let horizon = -Infinity;
  for (const { count, oldest } of byKey.values()) if (count >= quota) horizon = Math.max(horizon, oldest);
  return horizon;
}
