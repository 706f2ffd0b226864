/**
 * Rollups as every reader sees them. Hourly: the rollups_hourly rows, except that an hour whose
 * run_blocks row is not sealed yet (the current hour, an hour the tick has not sealed, an hour a
 * late run reopened) is summed from its minute entries instead. Daily: days older than
 * RECENT_DAYS from rollups_daily, recent days summed from the hourly rollups. Each read is a
 * fixed number of statements, its (probe, region, from, to) ranges as one JSON parameter.
 */
import { DAY_MS, HOUR_MS } from "../time.ts";
import { knownRead, type D1Read } from "./d1-read.ts";
import { BLOCK_COLUMNS, blockRollups, bucketOf, toBlock, type BlockRow } from "./run-blocks.ts";
import { rollupColumns, toRollup, type Rollup, type RollupRow } from "./rollup-rows.ts";
import { recentDaysStart } from "./run-write.ts";
import { addCounts } from "./sql-json.ts";

/** Hours (the current one included) in which a block may still be unsealed; the tick seals closed hours within this. */
export const UNSEALED_HOURS = 6;

export interface PairRange {
  probeId: string;
  region: string;
  from: number;
  to: number;
}

export interface RollupsRead {
  rollups: Rollup[];
  rowsRead: number;
}

/** Rows of a rollup table whose (probe, region, bucket) fall in one of the ranges: one statement. */
export function rangesStatement(db: D1Database, table: "rollups_hourly" | "rollups_daily", ranges: readonly PairRange[], options: { stepFailures?: boolean } = {}): D1PreparedStatement {
  const column = table === "rollups_hourly" ? "hour_at" : "day_at";
  // json_each's own columns (key, value, ...) never clash with a table's, so columns need no alias.
  return db
    .prepare(
      `SELECT ${rollupColumns(column, options)} FROM json_each(?1) q JOIN ${table} t
         ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.${column} >= q.value ->> 2 AND t.${column} < q.value ->> 3`,
    )
    .bind(JSON.stringify(ranges.map((r) => [r.probeId, r.region, r.from, r.to])));
}

/** Hourly rollups with hour_at in each range's [from, to), as of `now`: two statements. */
export function hourRollupsRead(db: D1Database, ranges: readonly PairRange[], now: number, options: { stepFailures?: boolean } = {}): D1Read<RollupsRead> {
  const wanted = ranges.filter((r) => r.to > r.from);
  if (wanted.length === 0) return knownRead({ rollups: [], rowsRead: 0 });
  const unsealedFrom = Math.floor(now / HOUR_MS) * HOUR_MS - (UNSEALED_HOURS - 1) * HOUR_MS;
  const keys = [...new Map(wanted.filter((r) => r.to > unsealedFrom).map((r) => [`${r.region}|${bucketOf(r.probeId)}`, [r.region, bucketOf(r.probeId)]])).values()];
  const statements = [rangesStatement(db, "rollups_hourly", wanted, options)];
  if (keys.length) {
    statements.push(
      db
        .prepare(`SELECT ${BLOCK_COLUMNS} FROM json_each(?1) q JOIN run_blocks b ON b.region = q.value ->> 0 AND b.bucket = q.value ->> 1 AND b.hour_at >= ?2 AND b.revision > b.sealed_revision`)
        .bind(JSON.stringify(keys), unsealedFrom),
    );
  }
  return {
    statements,
    decode: ([sealed, unsealed]) => {
      const inRange = (r: Rollup) => wanted.some((w) => w.probeId === r.probeId && w.region === r.region && r.bucketAt >= w.from && r.bucketAt < w.to);
      const fresh = unsealed ? (unsealed.results as BlockRow[]).flatMap((row) => blockRollups(toBlock(row))).filter(inRange) : [];
      const freshKeys = new Set(fresh.map((r) => `${r.probeId}|${r.region}|${r.bucketAt}`));
      const stored = (sealed!.results as RollupRow[]).map((row) => toRollup(row, "hour")).filter((r) => !freshKeys.has(`${r.probeId}|${r.region}|${r.bucketAt}`));
      const withoutSteps = (r: Rollup): Rollup => (options.stepFailures === false ? { ...r, stepFailures: {} } : r);
      return { rollups: [...stored, ...fresh.map(withoutSteps)], rowsRead: (sealed!.meta.rows_read ?? 0) + (unsealed?.meta.rows_read ?? 0) };
    },
  };
}

/** The daily rollups with day_at in each range's [from, to), as of `now`: whole days, like a rollups_daily row. At most three statements. */
export function dayRollupsRead(db: D1Database, ranges: readonly PairRange[], now: number, options: { stepFailures?: boolean } = {}): D1Read<RollupsRead> {
  const recentFrom = recentDaysStart(now);
  const dayEnd = (t: number) => Math.ceil(t / DAY_MS) * DAY_MS;
  const old = ranges.map((r) => ({ ...r, to: Math.min(r.to, recentFrom) })).filter((r) => r.to > r.from);
  const recent = hourRollupsRead(
    db,
    ranges.map((r) => ({ ...r, from: Math.max(dayEnd(r.from), recentFrom), to: dayEnd(r.to) })),
    now,
    options,
  );
  const daily = old.length ? [rangesStatement(db, "rollups_daily", old, options)] : [];
  if (daily.length === 0 && recent.statements.length === 0) return knownRead({ rollups: [], rowsRead: 0 });
  return {
    statements: [...daily, ...recent.statements],
    decode: (results) => {
      const olderDays = daily.length ? (results[0]!.results as RollupRow[]).map((row) => toRollup(row, "day")) : [];
      const hours = recent.decode(results.slice(daily.length));
      return { rollups: [...olderDays, ...sumIntoDays(hours.rollups)], rowsRead: (daily.length ? (results[0]!.meta.rows_read ?? 0) : 0) + hours.rowsRead };
    },
  };
}

/** Hourly rollups summed into their UTC days. */
export function sumIntoDays(hours: readonly Rollup[]): Rollup[] {
  const days = new Map<string, Rollup>();
  for (const h of hours) {
    const dayAt = Math.floor(h.bucketAt / DAY_MS) * DAY_MS;
    const key = `${h.probeId}|${h.region}|${dayAt}`;
    const day = days.get(key);
    if (!day) {
      days.set(key, { ...h, grain: "day", bucketAt: dayAt, latency: [...h.latency], stepFailures: { ...h.stepFailures }, maintenance: h.maintenance ?? 0 });
      continue;
    }
    day.total += h.total;
    day.up += h.up;
    day.degraded += h.degraded;
    day.down += h.down;
    day.maintenance = (day.maintenance ?? 0) + (h.maintenance ?? 0);
    h.latency.forEach((n, i) => (day.latency[i] = (day.latency[i] ?? 0) + n));
    addCounts(day.stepFailures, h.stepFailures);
  }
  return [...days.values()];
}
