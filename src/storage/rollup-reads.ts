/**
 * Rollups as every reader sees them. Hourly: the rollups_hourly rows, except that an hour whose
 * run_blocks row is not sealed yet (the current hour, an hour the tick has not sealed, an hour a
 * late run reopened) is summed from its minute entries instead. Daily: the rollups_daily rows
 * (sealing an hour rebuilds its day), plus the hours never sealed yet, summed from their minute
 * entries. Each read is a fixed number of statements, its (probe, region, from, to) ranges as one
 * JSON parameter.
 */
import { merge } from "../slo/latency-histogram.ts";
import { DAY_MS, HOUR_MS } from "../time.ts";
import { knownRead, type D1Read } from "./d1-read.ts";
import { jsonChunks } from "./json-chunks.ts";
import { blockKeysOf, hourRollup, pairBlocksSql, PROBE_MINUTES_SQL, type LatencyThresholdOf } from "./run-blocks.ts";
import { mergeLatencyUnder, rollupColumns, toRollup, type Rollup, type RollupRow } from "./rollup-rows.ts";

/** Hours (the current one included) in which a block may still be unsealed; the tick seals closed hours within this. */
export const UNSEALED_HOURS = 6;

export interface PairRange {
  probeId: string;
  region: string;
  from: number;
  to: number;
}

interface RollupsRead {
  rollups: Rollup[];
  rowsRead: number;
}

/**
 * Rows of a rollup table whose (probe, region, bucket) fall in one of the ranges: one statement
 * per JSON chunk (json-chunks.ts), so a whole fleet's ranges stay under D1's 2 MB per value.
 */
function rangesStatements(
  db: D1Database,
  table: "rollups_hourly" | "rollups_daily",
  ranges: readonly PairRange[],
  options: { stepFailures?: boolean } = {},
): D1PreparedStatement[] {
  const column = table === "rollups_hourly" ? "hour_at" : "day_at";
  // json_each's own columns (key, value, ...) never clash with a table's, so columns need no alias.
  const sql = `SELECT ${rollupColumns(column, options)} FROM json_each(?1) q JOIN ${table} t
         ON t.probe_id = q.value ->> 0 AND t.region = q.value ->> 1 AND t.${column} >= q.value ->> 2 AND t.${column} < q.value ->> 3`;
  return jsonChunks(ranges.map((r) => [r.probeId, r.region, r.from, r.to])).map((json) => db.prepare(sql).bind(json));
}

/** Whether a rollup's bucket falls in one of the ranges of its pair: ranges indexed by pair once. */
function rangeIndex(
  ranges: readonly PairRange[],
): (probeId: string, region: string, test: (range: PairRange) => boolean) => boolean {
  const byPair = new Map<string, PairRange[]>();
  for (const r of ranges) {
    const key = `${r.probeId}|${r.region}`;
    const list = byPair.get(key);
    if (list) list.push(r);
    else byPair.set(key, [r]);
  }
  return (probeId, region, test) => byPair.get(`${probeId}|${region}`)?.some(test) ?? false;
}

/** Hourly rollups of blocks not sealed at their current revision (or never, with `neverSealed`) in the last UNSEALED_HOURS. */
function unsealedRead(
  db: D1Database,
  ranges: readonly PairRange[],
  now: number,
  neverSealed: boolean,
  thresholdOf?: LatencyThresholdOf,
): D1Read<Rollup[]> {
  const unsealedFrom = Math.floor(now / HOUR_MS) * HOUR_MS - (UNSEALED_HOURS - 1) * HOUR_MS;
  const wanted = ranges.filter((r) => r.to > unsealedFrom && r.to > r.from);
  const keys = blockKeysOf(wanted);
  if (keys.length === 0) return knownRead([]);
  // Only the asked pairs' slices of their blocks travel (their minutes and step failures), not every probe of the bucket.
  const pairs = [...new Map(wanted.map((r) => [`${r.probeId}|${r.region}`, [r.probeId, r.region]])).values()];
  const statement = db
    .prepare(
      `SELECT b.region, b.hour_at, p.value AS probe_id, b.steps ->> p.key AS steps, ${PROBE_MINUTES_SQL} AS minutes
         ${pairBlocksSql(`b.hour_at >= ?2 AND ${neverSealed ? "b.sealed_revision = 0" : "b.revision > b.sealed_revision"}`, "?3")}`,
    )
    .bind(JSON.stringify(keys), unsealedFrom, JSON.stringify(pairs));
  const inRange = rangeIndex(wanted);
  return {
    statements: [statement],
    decode: ([result]) =>
      (
        result!.results as {
          region: string;
          hour_at: number;
          probe_id: string;
          steps: string | null;
          minutes: string;
        }[]
      )
        .flatMap((row) => {
          const stepFailures = row.steps ? (JSON.parse(row.steps) as Record<string, number>) : {};
          const rollup = hourRollup(
            { probeId: row.probe_id, region: row.region, hourAt: row.hour_at, minutes: row.minutes, stepFailures },
            thresholdOf?.(row.probe_id),
          );
          return rollup ? [rollup] : [];
        })
        .filter((r) => inRange(r.probeId, r.region, (w) => r.bucketAt + HOUR_MS > w.from && r.bucketAt < w.to)),
  };
}

const withoutSteps =
  (options: { stepFailures?: boolean }) =>
  (r: Rollup): Rollup =>
    options.stepFailures === false ? { ...r, stepFailures: {} } : r;

/** Hourly rollups with hour_at in each range's [from, to), as of `now`: two statements. */
interface RollupReadOptions {
  /** false: step failures read as none (for readers that do not use them). */
  stepFailures?: boolean;
  /** Latency thresholds for the hours summed from blocks (see blockRollups). */
  thresholdOf?: LatencyThresholdOf;
}

export function hourRollupsRead(
  db: D1Database,
  ranges: readonly PairRange[],
  now: number,
  options: RollupReadOptions = {},
): D1Read<RollupsRead> {
  const wanted = ranges.filter((r) => r.to > r.from);
  if (wanted.length === 0) return knownRead({ rollups: [], rowsRead: 0 });
  const unsealed = unsealedRead(db, wanted, now, false, options.thresholdOf);
  const sealed = rangesStatements(db, "rollups_hourly", wanted, options);
  const inRange = rangeIndex(wanted);
  return {
    statements: [...sealed, ...unsealed.statements],
    decode: (results) => {
      const sealedResults = results.slice(0, sealed.length);
      const unsealedResults = results.slice(sealed.length);
      const fresh = unsealed
        .decode(unsealedResults)
        .filter((r) => inRange(r.probeId, r.region, (w) => r.bucketAt >= w.from && r.bucketAt < w.to));
      const freshKeys = new Set(fresh.map((r) => `${r.probeId}|${r.region}|${r.bucketAt}`));
      const stored = sealedResults
        .flatMap((result) => (result.results as RollupRow[]).map((row) => toRollup(row, "hour")))
        .filter((r) => !freshKeys.has(`${r.probeId}|${r.region}|${r.bucketAt}`));
      return { rollups: [...stored, ...fresh.map(withoutSteps(options))], rowsRead: rowsRead(results) };
    },
  };
}

/** The daily rollups with day_at in each range's [from, to), as of `now`: whole days, like a rollups_daily row. Two statements. */
export function dayRollupsRead(
  db: D1Database,
  ranges: readonly PairRange[],
  now: number,
  options: RollupReadOptions = {},
): D1Read<RollupsRead> {
  const wanted = ranges.filter((r) => r.to > r.from);
  if (wanted.length === 0) return knownRead({ rollups: [], rowsRead: 0 });
  const dayStart = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
  const dayEnd = (t: number) => Math.ceil(t / DAY_MS) * DAY_MS;
  // A day's row holds its sealed hours; an hour never sealed yet is added from its block.
  const unsealed = unsealedRead(
    db,
    wanted.map((r) => ({ ...r, from: dayEnd(r.from), to: dayEnd(r.to) })),
    now,
    true,
    options.thresholdOf,
  );
  const daily = rangesStatements(db, "rollups_daily", wanted, options);
  const inRange = rangeIndex(wanted);
  return {
    statements: [...daily, ...unsealed.statements],
    decode: (results) => {
      const stored = results
        .slice(0, daily.length)
        .flatMap((result) => (result.results as RollupRow[]).map((row) => toRollup(row, "day")));
      const fresh = unsealed
        .decode(results.slice(daily.length))
        .filter((r) =>
          inRange(r.probeId, r.region, (w) => dayStart(r.bucketAt) >= w.from && dayStart(r.bucketAt) < w.to),
        );
      return { rollups: sumIntoDays([...stored, ...fresh.map(withoutSteps(options))]), rowsRead: rowsRead(results) };
    },
  };
}

function rowsRead(results: readonly D1Result[]): number {
  return results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0);
}

/** Hourly rollups summed into their UTC days. */
function sumIntoDays(hours: readonly Rollup[]): Rollup[] {
  const days = new Map<string, Rollup>();
  for (const h of hours) {
    const dayAt = Math.floor(h.bucketAt / DAY_MS) * DAY_MS;
    const key = `${h.probeId}|${h.region}|${dayAt}`;
    const day = days.get(key);
    if (!day) {
      days.set(key, {
        ...h,
        grain: "day",
        bucketAt: dayAt,
        stepFailures: { ...h.stepFailures },
        maintenance: h.maintenance ?? 0,
        monitoring: h.monitoring ?? 0,
        latencyUnder: h.latencyUnder ? { ...h.latencyUnder } : null,
      });
      continue;
    }
    day.total += h.total;
    day.up += h.up;
    day.degraded += h.degraded;
    day.down += h.down;
    day.maintenance = (day.maintenance ?? 0) + (h.maintenance ?? 0);
    day.monitoring = (day.monitoring ?? 0) + (h.monitoring ?? 0);
    day.latencyUnder = mergeLatencyUnder(day.latencyUnder, h.latencyUnder);
    day.latency = merge(day.latency, h.latency);
    addCounts(day.stepFailures, h.stepFailures);
  }
  return [...days.values()];
}

/** Adds counts by key (failures per step) into `into`. */
function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(counts)) into[key] = (into[key] ?? 0) + n;
}
