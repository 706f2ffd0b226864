/**
 * The day_history table on D1: each probe's closed days, regions merged (see
 * status/day-totals.ts for what a day holds and when it is closed).
 */
import { decodeDays, encodeDays, mergeDays, regionsKey, type DayHistory, type DayTotals } from "../status/day-totals.ts";
import { DAY_MS } from "../time.ts";
import { rollupColumns, toRollup, type Rollup, type RollupRow } from "./rollup-rows.ts";
import type { ReadReport } from "./run-store.ts";

interface HistoryRow {
  probe_id: string;
  regions: string;
  through_day: number;
  built_at: number;
  days: string;
}

export interface ProbeRegions {
  probeId: string;
  regions: readonly string[];
}

export class D1DayHistoryStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  /** What each stored history covers, by probe id (the days themselves are not read). */
  async coverage(): Promise<Map<string, { regions: string; throughDay: number }>> {
    const { results } = await this.db.prepare("SELECT probe_id, regions, through_day FROM day_history").all<Omit<HistoryRow, "built_at" | "days">>();
    return new Map(results.map((r) => [r.probe_id, { regions: r.regions, throughDay: r.through_day }]));
  }

  /** Writes (or replaces) these histories, and deletes those of the given ids, in one batch. */
  async save(histories: readonly DayHistory[], remove: readonly string[] = []): Promise<void> {
    const statements = [
      ...histories.map((h) =>
        this.db
          .prepare(
            `INSERT INTO day_history (probe_id, regions, through_day, built_at, days) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (probe_id) DO UPDATE SET regions = excluded.regions, through_day = excluded.through_day, built_at = excluded.built_at, days = excluded.days`,
          )
          .bind(h.probeId, h.regions, h.throughDay, h.builtAt, encodeDays(h.days)),
      ),
      ...(remove.length ? [this.db.prepare("DELETE FROM day_history WHERE probe_id IN (SELECT value FROM json_each(?1))").bind(JSON.stringify(remove))] : []),
    ];
    if (statements.length) await this.db.batch(statements);
  }

  /**
   * The day totals of [from, to) for each probe, in one batch of two statements whatever the
   * number of probes: their stored histories, and the daily rollups of each (probe, region)
   * after the newest day of the probe's history (its subquery reads that day in the same
   * transaction; all of [from, to) when the history is missing or merges other regions). The
   * probes travel as one JSON parameter: D1 binds at most 100 values a statement.
   */
  async days(probes: readonly ProbeRegions[], from: number, to: number): Promise<ReadReport<Map<string, DayTotals[]>>> {
    const wanted = probes.filter((p) => p.regions.length > 0);
    if (wanted.length === 0 || to <= from) return { value: new Map(), rowsRead: 0 };
    const ids = JSON.stringify(wanted.map((p) => p.probeId));
    const pairs = JSON.stringify(wanted.flatMap((p) => p.regions.map((region) => [p.probeId, region, regionsKey(p.regions)])));
    const [historyRows, rollupRows] = await this.db.batch<HistoryRow | RollupRow>([
      this.db.prepare("SELECT probe_id, regions, through_day, built_at, days FROM day_history WHERE probe_id IN (SELECT value FROM json_each(?1))").bind(ids),
      this.db
        .prepare(
          `WITH pairs AS (SELECT json_extract(value, '$[0]') AS pair_probe, json_extract(value, '$[1]') AS pair_region, json_extract(value, '$[2]') AS pair_regions FROM json_each(?1))
           SELECT ${rollupColumns("day_at")} FROM pairs JOIN rollups_daily ON probe_id = pair_probe AND region = pair_region AND day_at < ?3
             AND day_at >= max(?2, coalesce((SELECT through_day + ?4 FROM day_history WHERE day_history.probe_id = pair_probe AND day_history.regions = pair_regions), ?2))`,
        )
        .bind(pairs, from, to, DAY_MS),
    ]);
    const histories = new Map((historyRows!.results as HistoryRow[]).map((row) => [row.probe_id, toHistory(row)]));
    const daily = new Map<string, Rollup[]>();
    for (const row of rollupRows!.results as RollupRow[]) {
      const list = daily.get(row.probe_id);
      const rollup = toRollup(row, "day");
      if (list) list.push(rollup);
      else daily.set(row.probe_id, [rollup]);
    }
    const value = new Map(wanted.map((p) => [p.probeId, mergeDays(histories.get(p.probeId), p.regions, daily.get(p.probeId) ?? [], from, to)]));
    return { value, rowsRead: (historyRows!.meta.rows_read ?? 0) + (rollupRows!.meta.rows_read ?? 0) };
  }
}

function toHistory(row: HistoryRow): DayHistory {
  return { probeId: row.probe_id, regions: row.regions, throughDay: row.through_day, builtAt: row.built_at, days: decodeDays(row.days) };
}
