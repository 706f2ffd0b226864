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
import { RECENT_DAYS } from "../storage/run-write.ts";
import { HISTORY_DAYS } from "../status/day-totals.ts";

/** The SLO loader's extra hourly lookbacks (api/load-slo.ts): burn rates over 3 days, raw runs over 30 minutes. */
const BURN_LOOKBACK_HOURS = 72;
const RAW_LOOKBACK_HOURS = 1;
/** One row of json_each per pair, per statement that takes the pairs. */
const JSON_ROW = 1;

/**
 * Rows of one pair for one 30-day SLO report: the window's older days from rollups_daily, its
 * recent days (RECENT_DAYS) and partial days from run_hours, the burn lookback and the last raw
 * runs from run_hours; three statements (rollupsRead) plus recentRunsRead. Noon is the average hour.
 */
export function sloRowsPerPair(): number {
  const now = Date.UTC(2026, 0, 15, 12);
  const span = resolveWindow("30d", now);
  const plan = planGrains(span.from, span.to);
  const recentFrom = Math.floor(now / DAY_MS) * DAY_MS - (RECENT_DAYS - 1) * DAY_MS;
  const dailyDays = plan.daily ? (plan.daily.to - plan.daily.from) / DAY_MS : 0;
  const recentWholeDays = plan.daily ? Math.max(0, (plan.daily.to - Math.max(plan.daily.from, recentFrom)) / DAY_MS) : 0;
  const partialHours = plan.hourly.reduce((n, s) => n + Math.ceil((s.to - s.from) / HOUR_MS), 0);
  const statements = 4;
  return dailyDays - recentWholeDays + recentWholeDays * 24 + partialHours + BURN_LOOKBACK_HOURS + RAW_LOOKBACK_HOURS + statements * JSON_ROW;
}

export const READ_ROWS = {
  /**
   * Storing a new run: the UPSERT's json_each row and the hour row it looks up; evidence and
   * late-day statements are rare. Replays read the same and write nothing.
   */
  perRunWrite: 2,
  /**
   * `/`: the newest hour row of each pair (its max(hour_at) seek and the row: latestStatesRead),
   * today's daily rollup of each pair, each probe's day history, and a handful of incidents,
   * updates and maintenance rows. The statements' shapes give 5 per pair; bench:fleet measured
   * 3,255 rows for 100 probes x 5 regions (D1 also counts the rows its joins step past), so the
   * planner uses 6 per pair.
   */
  page: { perPair: 6, perProbe: 1 + JSON_ROW, fixed: 10 },
  /** `/api/v1/slo` for every probe, and each burn-alert evaluation (every 5 minutes): the same reads. */
  slo: { perPair: sloRowsPerPair(), perProbe: 0, fixed: 0 },
  /** `/metrics`: the overview with each pair's newest run and newest evidence, and every probe's SLO report. */
  metrics: { perPair: sloRowsPerPair() + 2 * JSON_ROW + 4, perProbe: 0, fixed: 10 },
  /** The incident step reads every probe's state once a tick. */
  incidentStepPerProbe: 1 + JSON_ROW,
  /** Retention visits each pair once an hour: the 2 days of hour rows before the raw cut-off, and the first expired row of each table. */
  retentionPerPairVisit: 48 + 4 + 4 * JSON_ROW,
  /** Building a pair's daily rollup once a day: its 24 hour rows, the existence checks. */
  dayRollupPerPair: 24 + 3 + JSON_ROW,
  /** Rebuilding a probe's day history once a day: HISTORY_DAYS daily rollups per region. */
  dayHistoryPerPair: HISTORY_DAYS + 1,
} as const;

export interface ReadShape {
  perPair: number;
  perProbe: number;
  fixed: number;
}

export function rowsOf(shape: ReadShape, pairs: number, probes: number): number {
  return shape.perPair * pairs + shape.perProbe * probes + shape.fixed;
}
