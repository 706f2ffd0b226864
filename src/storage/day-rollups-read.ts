/**
 * Daily rollups as every reader sees them: days older than RECENT_DAYS from rollups_daily, the
 * recent days summed from their hour rows (see run-write.ts and day-rollup.ts for why). At most
 * two statements, each with the (probe, region, from, to) ranges as one JSON parameter.
 */
import { DAY_MS } from "../time.ts";
import { knownRead, type D1Read } from "./d1-read.ts";
import { rollupColumns, toRollup, type Rollup, type RollupRow } from "./rollup-rows.ts";
import { recentDaysStart } from "./run-write.ts";
import { addCounts } from "./sql-json.ts";

export interface PairRange {
  probeId: string;
  region: string;
  from: number;
  to: number;
}

/** Rows of a table whose (probe, region, bucket) fall in one of the ranges: one statement. */
export function rangesStatement(db: D1Database, table: "run_hours" | "rollups_daily", ranges: readonly PairRange[], options: { stepFailures?: boolean } = {}): D1PreparedStatement {
  const column = table === "run_hours" ? "hour_at" : "day_at";
  // json_each's own columns (key, value, ...) never clash with a table's, so columns need no alias.
  return db
    .prepare(
      `SELECT ${rollupColumns(column, options)} FROM json_each(?1) q JOIN ${table} t
         ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.${column} >= q.value ->> 2 AND t.${column} < q.value ->> 3`,
    )
    .bind(JSON.stringify(ranges.map((r) => [r.probeId, r.region, r.from, r.to])));
}

/** The daily rollups with day_at in each range's [from, to), as of `now`: whole days, like a rollups_daily row. */
export function dayRollupsRead(db: D1Database, ranges: readonly PairRange[], now: number, options: { stepFailures?: boolean } = {}): D1Read<{ rollups: Rollup[]; rowsRead: number }> {
  const recentFrom = recentDaysStart(now);
  const old = ranges.map((r) => ({ ...r, to: Math.min(r.to, recentFrom) })).filter((r) => r.to > r.from);
  const dayEnd = (t: number) => Math.ceil(t / DAY_MS) * DAY_MS;
  const recent = ranges.map((r) => ({ ...r, from: Math.max(dayEnd(r.from), recentFrom), to: dayEnd(r.to) })).filter((r) => r.to > r.from);
  const parts = [
    ...(old.length ? [{ fromHours: false, statement: rangesStatement(db, "rollups_daily", old, options) }] : []),
    ...(recent.length ? [{ fromHours: true, statement: rangesStatement(db, "run_hours", recent, options) }] : []),
  ];
  if (parts.length === 0) return knownRead({ rollups: [], rowsRead: 0 });
  return {
    statements: parts.map((p) => p.statement),
    decode: (results) => ({
      rollups: results.flatMap((result, i) => {
        const rows = (result.results as RollupRow[]).map((row) => toRollup(row, parts[i]!.fromHours ? "hour" : "day"));
        return parts[i]!.fromHours ? sumIntoDays(rows) : rows;
      }),
      rowsRead: results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0),
    }),
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
