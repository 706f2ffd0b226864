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

/** D1 binds at most 100 parameters a statement. */
const IDS_PER_STATEMENT = 90;

export interface ProbeRegions {
  probeId: string;
  regions: readonly string[];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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
      ...chunks(remove, IDS_PER_STATEMENT).map((ids) => this.db.prepare(`DELETE FROM day_history WHERE probe_id IN (${ids.map(() => "?").join(", ")})`).bind(...ids)),
    ];
    if (statements.length) await this.db.batch(statements);
  }

  /**
   * The day totals of [from, to) for each probe, in one batch: the stored histories, and for
   * each probe the daily rollups after its history's newest day (the subquery reads that day in
   * the same transaction; all of them when the history is missing or merges other regions).
   */
  async days(probes: readonly ProbeRegions[], from: number, to: number): Promise<ReadReport<Map<string, DayTotals[]>>> {
    const wanted = probes.filter((p) => p.regions.length > 0);
    if (wanted.length === 0 || to <= from) return { value: new Map(), rowsRead: 0 };
    const historyStatements = chunks(wanted, IDS_PER_STATEMENT).map((group) =>
      this.db.prepare(`SELECT probe_id, regions, through_day, built_at, days FROM day_history WHERE probe_id IN (${group.map(() => "?").join(", ")})`).bind(...group.map((p) => p.probeId)),
    );
    const rollupStatements = wanted.map((p) => {
      // ?1 probe, ?2 its regions key, ?3 from, ?4 to, ?5 a day in ms, then the regions.
      const regions = p.regions.map((_, i) => `?${i + 6}`).join(", ");
      return this.db
        .prepare(
          `SELECT ${rollupColumns("day_at")} FROM rollups_daily
           WHERE probe_id = ?1 AND region IN (${regions}) AND day_at < ?4
             AND day_at >= max(?3, coalesce((SELECT through_day + ?5 FROM day_history WHERE probe_id = ?1 AND regions = ?2), ?3))
           ORDER BY region, day_at`,
        )
        .bind(p.probeId, regionsKey(p.regions), from, to, DAY_MS, ...p.regions);
    });
    const outcomes = await this.db.batch<HistoryRow | RollupRow>([...historyStatements, ...rollupStatements]);
    const histories = new Map<string, DayHistory>();
    for (const o of outcomes.slice(0, historyStatements.length)) {
      for (const row of o.results as HistoryRow[]) histories.set(row.probe_id, toHistory(row));
    }
    const value = new Map<string, DayTotals[]>();
    wanted.forEach((p, i) => {
      const daily: Rollup[] = (outcomes[historyStatements.length + i]!.results as RollupRow[]).map((row) => toRollup(row, "day"));
      value.set(p.probeId, mergeDays(histories.get(p.probeId), p.regions, daily, from, to));
    });
    return { value, rowsRead: outcomes.reduce((n, o) => n + (o.meta.rows_read ?? 0), 0) };
  }
}

function toHistory(row: HistoryRow): DayHistory {
  return { probeId: row.probe_id, regions: row.regions, throughDay: row.through_day, builtAt: row.built_at, days: decodeDays(row.days) };
}
