/**
 * D1 rows read by each read path, per (probe, region) pair and per probe, derived from the
 * statements the code runs (src/storage/d1-run-store.ts, day-history-store.ts, queries/slo.ts,
 * queries/page.ts). D1 counts a row for every row a statement steps through: the rows it
 * returns, the rows its subqueries seek (the `max(hour_at)` of a pair is one), and json_each's
 * rows (one per pair). The figures are the statements' shapes, not a benchmark, and should be
 * read as within a few rows per pair; `npm run bench:fleet` prints the measured rows read of the
 * same paths to compare.
 */
import { DAY_MS, HOUR_MS } from "../time.ts";
import { planReads } from "../slo/report-plan.ts";
import { HISTORY_DAYS } from "../status/day-totals.ts";
import { hypotheticalFleet } from "./hypothetical-fleet.ts";

/** One row of json_each per pair, per statement that takes the pairs. */
const JSON_ROW = 1;

/** The read plan of a default probe's 30-day SLO report (slo/report-plan.ts), at 12:30, the average minute. */
function defaultPlan() {
  const now = Date.UTC(2026, 0, 15, 12, 30);
  return planReads({
    probe: hypotheticalFleet(1, 1, "1m")[0]!,
    windows: ["30d"],
    budgeting: "occurrences",
    now,
    rawRetentionMs: 14 * DAY_MS,
  });
}

/**
 * Rows of one pair for one 30-day SLO report, as its plan reads them: the whole days from
 * rollups_daily, the partial days and the 3-day burn lookbacks from rollups_hourly, its first
 * run, and the statements' json_each rows. The minute entries of the hours where a span starts
 * or ends are per block key (sloMinuteRowsPerBlockKey): a bucket's probes share them.
 */
function sloRowsPerPair(): number {
  const plan = defaultPlan();
  const days = plan.daySpan ? (plan.daySpan.to - plan.daySpan.from) / DAY_MS : 0;
  const hours = plan.hourSpans.reduce((n, s) => n + Math.ceil((s.to - s.from) / HOUR_MS), 0);
  const firstRun = 1;
  const statements = 6;
  return days + hours + firstRun + statements * JSON_ROW;
}

/** Block rows the SLO report's minute entries read per (region, bucket): one per planned hour. */
function sloMinuteRowsPerBlockKey(): number {
  return defaultPlan().minuteHours.size;
}

export const READ_ROWS = {
  /**
   * Storing a new run: the UPSERT's json_each row and the hour row it looks up, and the pair's
   * first-run row its upsert checks; evidence and late-day statements are rare. Replays read the
   * same and write nothing.
   */
  perRunWrite: 3,
  /** `/`: the status board's one row and a handful of incidents, updates and maintenance rows, whatever the fleet. */
  page: { perPair: 0, perProbe: 0, perBlockKey: 0, fixed: 11 },
  /**
   * The status board, built by every tick (page/status-board.ts): today's daily rollup of each
   * pair and its json_each row (yesterday's too in the hour before it settles), each probe's day
   * history, per (region, bucket) block key the blocks of the last three hours (the newest runs)
   * and the one not sealed yet with their json_each rows.
   */
  statusBoard: { perPair: 1 + JSON_ROW, perProbe: 1 + JSON_ROW, perBlockKey: 4 + 2 * JSON_ROW, fixed: 0 },
  /** `/api/v1/slo` for every probe, and each burn-alert evaluation (every 5 minutes): the same reads. */
  slo: { perPair: sloRowsPerPair(), perProbe: 0, perBlockKey: sloMinuteRowsPerBlockKey() + 1 + JSON_ROW, fixed: 0 },
  /** `/metrics`: the overview with each pair's newest run and newest evidence, and every probe's SLO report. */
  metrics: {
    perPair: sloRowsPerPair() + 2 * JSON_ROW + 2,
    perProbe: 0,
    perBlockKey: sloMinuteRowsPerBlockKey() + 4 + 2 * JSON_ROW,
    fixed: 10,
  },
  /** The incident step reads every probe's state once a tick. */
  incidentStepPerProbe: 1 + JSON_ROW,
  /** Retention visits each pair once an hour: the first expired row of each per-pair table. */
  retentionPerPairVisit: 3 + 3 * JSON_ROW,
  /** Sealing rebuilds a pair's day every hour from its hourly rollups (12 on average), plus the catch-up's checks once a day. */
  dayRollupPerPair: 24 * 12 + 3 + JSON_ROW,
  /** Rebuilding a probe's day history once a day: HISTORY_DAYS daily rollups per region. */
  dayHistoryPerPair: HISTORY_DAYS + 1,
} as const;

interface ReadShape {
  perPair: number;
  perProbe: number;
  /** Per (region, bucket) of run_blocks the fleet fills (at most regions x BUCKETS). */
  perBlockKey: number;
  fixed: number;
}

export function rowsOf(shape: ReadShape, fleet: { pairs: number; probes: number; blockKeys: number }): number {
  return (
    shape.perPair * fleet.pairs + shape.perProbe * fleet.probes + shape.perBlockKey * fleet.blockKeys + shape.fixed
  );
}
