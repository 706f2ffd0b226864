/**
 * D1 rows read by each read path, per (probe, region) pair and per probe, derived from the
 * statements the code runs (src/storage/d1-run-store.ts, day-history-store.ts, api/load-slo.ts,
 * page/load-page.ts). D1 counts a row for every row a statement steps through: the rows it
 * returns, the rows its subqueries seek (the `max(hour_at)` of a pair is one), and json_each's
 * rows (one per pair). The figures are the statements' shapes, not a benchmark, and should be
 * read as within a few rows per pair; `npm run bench:fleet` prints the measured rows read of the
 * same paths to compare.
 */
import { DAY_MS, HOUR_MS } from "../time.ts";
import { planGrains, resolveWindow } from "../slo/windows.ts";
import { HISTORY_DAYS } from "../status/day-totals.ts";

/** The SLO loader's extra hourly lookbacks (api/load-slo.ts): burn rates over 3 days, raw runs over 30 minutes. */
const BURN_LOOKBACK_HOURS = 72;
const RAW_LOOKBACK_HOURS = 1;
/** One row of json_each per pair, per statement that takes the pairs. */
const JSON_ROW = 1;

/**
 * Rows of one pair for one 30-day SLO report: the window's whole days from rollups_daily, its
 * partial days and the burn lookback from rollups_hourly, the last raw runs from the run blocks
 * (shared with the other probes of the bucket: at most one row per pair); the statements'
 * json_each rows. Noon is the average hour.
 */
export function sloRowsPerPair(): number {
  const now = Date.UTC(2026, 0, 15, 12);
  const span = resolveWindow("30d", now);
  const plan = planGrains(span.from, span.to);
  const dailyDays = plan.daily ? (plan.daily.to - plan.daily.from) / DAY_MS : 0;
  const partialHours = plan.hourly.reduce((n, s) => n + Math.ceil((s.to - s.from) / HOUR_MS), 0);
  const statements = 5;
  return dailyDays + partialHours + BURN_LOOKBACK_HOURS + RAW_LOOKBACK_HOURS + statements * JSON_ROW;
}

export const READ_ROWS = {
  /**
   * Storing a new run: the UPSERT's json_each row and the hour row it looks up; evidence and
   * late-day statements are rare. Replays read the same and write nothing.
   */
  perRunWrite: 2,
  /**
   * `/`: today's daily rollup of each pair and its json_each row (yesterday's too in the hour
   * before it settles), each probe's day history, per (region, bucket) block key the blocks of
   * the last three hours (the newest runs) and the one not sealed yet with their json_each rows,
   * and a handful of incidents, updates and maintenance rows.
   */
  page: { perPair: 1 + JSON_ROW, perProbe: 1 + JSON_ROW, perBlockKey: 4 + 2 * JSON_ROW, fixed: 10 },
  /** `/api/v1/slo` for every probe, and each burn-alert evaluation (every 5 minutes): the same reads. */
  slo: { perPair: sloRowsPerPair(), perProbe: 0, perBlockKey: 2 + JSON_ROW, fixed: 0 },
  /** `/metrics`: the overview with each pair's newest run and newest evidence, and every probe's SLO report. */
  metrics: { perPair: sloRowsPerPair() + 2 * JSON_ROW + 2, perProbe: 0, perBlockKey: 5 + 2 * JSON_ROW, fixed: 10 },
  /** The incident step reads every probe's state once a tick. */
  incidentStepPerProbe: 1 + JSON_ROW,
  /** Retention visits each pair once an hour: the first expired row of each per-pair table. */
  retentionPerPairVisit: 3 + 3 * JSON_ROW,
  /** Sealing rebuilds a pair's day every hour from its hourly rollups (12 on average), plus the catch-up's checks once a day. */
  dayRollupPerPair: 24 * 12 + 3 + JSON_ROW,
  /** Rebuilding a probe's day history once a day: HISTORY_DAYS daily rollups per region. */
  dayHistoryPerPair: HISTORY_DAYS + 1,
} as const;

export interface ReadShape {
  perPair: number;
  perProbe: number;
  /** Per (region, bucket) of run_blocks the fleet fills (at most regions x BUCKETS). */
  perBlockKey: number;
  fixed: number;
}

export function rowsOf(shape: ReadShape, fleet: { pairs: number; probes: number; blockKeys: number }): number {
  return shape.perPair * fleet.pairs + shape.perProbe * fleet.probes + shape.perBlockKey * fleet.blockKeys + shape.fixed;
}
