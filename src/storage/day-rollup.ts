/**
 * Daily rollups built from the hourly rollups. Sealing an hour rebuilds its pairs' days
 * (rebuildDaysStatement, from run-write.ts), so a day's row holds its sealed hours; readers add
 * the hours not sealed yet from the run blocks (rollup-reads.ts). The tick also catches up the
 * last three days for a (pair, day) that has hourly rollups but no built daily one (a day whose
 * seal failed to rebuild it), a bounded number at a time. One statement: it picks them, sums
 * their hours (counts, and histograms and step failures key by key) and writes one row per pair.
 * A built day is not built again by the catch-up, so a replayed one writes nothing.
 */
import { DAY_MS } from "../time.ts";

/** Sums the hourly rollups of each target (p, r, day) into a daily rollup; `targets` is a CTE. */
function buildDaysSql(targets: string, overwrite: "always" | "unbuilt"): string {
  return `WITH
  targets AS (${targets}),
  hours AS (
    SELECT targets.day, h.probe_id, h.region, h.total, h.up, h.degraded, h.down, h.maintenance, h.monitoring, h.latency_under_ms, h.latency_good, h.latency, h.step_failures
    FROM targets JOIN rollups_hourly h ON h.probe_id = targets.p AND h.region = targets.r AND h.hour_at >= targets.day AND h.hour_at < targets.day + ${DAY_MS}
  ),
  lat AS (SELECT probe_id, region, day, json_group_object(k, n) AS o FROM
    (SELECT probe_id, region, day, j.key AS k, sum(j.value) AS n FROM hours, json_each(hours.latency) j GROUP BY probe_id, region, day, j.key)
    GROUP BY probe_id, region, day),
  steps AS (SELECT probe_id, region, day, json_group_object(k, n) AS o FROM
    (SELECT probe_id, region, day, j.key AS k, sum(j.value) AS n FROM hours, json_each(hours.step_failures) j GROUP BY probe_id, region, day, j.key)
    GROUP BY probe_id, region, day),
  sums AS (SELECT probe_id, region, day, sum(total) AS total, sum(up) AS up, sum(degraded) AS degraded, sum(down) AS down, sum(maintenance) AS maintenance,
      sum(monitoring) AS monitoring,
      -- An exact under-threshold count only when every hour has one, under the same threshold.
      CASE WHEN count(*) = count(latency_under_ms) AND min(latency_under_ms) = max(latency_under_ms) THEN min(latency_under_ms) END AS latency_under_ms,
      CASE WHEN count(*) = count(latency_under_ms) AND min(latency_under_ms) = max(latency_under_ms) THEN sum(latency_good) END AS latency_good
    FROM hours GROUP BY probe_id, region, day)
INSERT INTO rollups_daily (probe_id, region, day_at, total, up, degraded, down, maintenance, monitoring, latency_under_ms, latency_good, latency, step_failures, built)
SELECT sums.probe_id, sums.region, sums.day, sums.total, sums.up, sums.degraded, sums.down, sums.maintenance, sums.monitoring, sums.latency_under_ms, sums.latency_good,
  coalesce(lat.o, '{}'), coalesce(steps.o, '{}'), 1
FROM sums LEFT JOIN lat USING (probe_id, region, day) LEFT JOIN steps USING (probe_id, region, day) WHERE true
ON CONFLICT (probe_id, region, day_at) DO UPDATE SET
  total = excluded.total, up = excluded.up, degraded = excluded.degraded, down = excluded.down, maintenance = excluded.maintenance,
  monitoring = excluded.monitoring, latency_under_ms = excluded.latency_under_ms, latency_good = excluded.latency_good,
  latency = excluded.latency, step_failures = excluded.step_failures, built = 1${overwrite === "unbuilt" ? "\nWHERE rollups_daily.built = 0" : ""}`;
}

export interface DayRollupReport {
  /** (pair, day) rollups written. */
  built: number;
  rowsWritten: number;
}

/** The days the catch-up looks at: yesterday and the two days before. */
function daysToBuild(now: number): number[] {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return [today - DAY_MS, today - 2 * DAY_MS, today - 3 * DAY_MS];
}

const ROLL_UP_DAYS = buildDaysSql(
  `SELECT q.value ->> 0 AS p, q.value ->> 1 AS r, d.value AS day FROM json_each(?1) q, json_each(?2) d
    WHERE EXISTS (SELECT 1 FROM rollups_hourly h WHERE h.probe_id = q.value ->> 0 AND h.region = q.value ->> 1 AND h.hour_at >= d.value AND h.hour_at < d.value + ${DAY_MS})
      AND NOT EXISTS (SELECT 1 FROM rollups_daily x WHERE x.probe_id = q.value ->> 0 AND x.region = q.value ->> 1 AND x.day_at = d.value AND x.built = 1)
    LIMIT ?3`,
  "unbuilt",
);

const REBUILD_DAYS = buildDaysSql(
  `SELECT DISTINCT value ->> 0 AS p, value ->> 1 AS r, value ->> 2 AS day FROM json_each(?1)`,
  "always",
);

/** The statement that rebuilds these (pair, day) daily rollups from their hourly rollups as they are now. */
export function rebuildDaysStatement(
  db: D1Database,
  targets: readonly { probeId: string; region: string; dayAt: number }[],
): D1PreparedStatement {
  return db.prepare(REBUILD_DAYS).bind(JSON.stringify(targets.map((t) => [t.probeId, t.region, t.dayAt])));
}

/** The statement that builds up to `limit` (pair, day) rollups of the days to build at `now`. */
export function rollUpDaysStatement(
  db: D1Database,
  pairs: readonly { probeId: string; region: string }[],
  now: number,
  limit: number,
): D1PreparedStatement {
  return db
    .prepare(ROLL_UP_DAYS)
    .bind(JSON.stringify(pairs.map((p) => [p.probeId, p.region])), JSON.stringify(daysToBuild(now)), limit);
}
