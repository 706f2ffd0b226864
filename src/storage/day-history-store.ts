/**
 * The day_history table on D1: each probe's closed days, regions merged (see
 * status/day-totals.ts for what a day holds and when it is closed).
 */
import {
  decodeDays,
  encodeDays,
  mergeDays,
  regionsKey,
  settledThrough,
  type DayHistory,
  type DayTotals,
} from "../status/day-totals.ts";
import { DAY_MS } from "../time.ts";
import { byProbeId, type Rollup } from "./rollup-rows.ts";
import { knownRead, readTogether, type D1Read } from "./d1-read.ts";
import { dayRollupsRead } from "./rollup-reads.ts";

interface HistoryRow {
  probe_id: string;
  regions: string;
  through_day: number;
  built_at: number;
  days: string;
}

/** The status_board row: the page layer gives it meaning (page/status-board.ts). */
interface BoardRow {
  built_at: number;
  /** The stored JSON text; read packed, its value already parsed (null when the text is not JSON). */
  board: unknown;
}

interface ProbeRegions {
  probeId: string;
  regions: readonly string[];
}

export class D1DayHistoryStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  /**
   * What each stored history covers, by probe id. A row whose days cannot be read is left out,
   * as if missing, so the refresh rebuilds it.
   */
  async coverage(): Promise<Map<string, { regions: string; throughDay: number }>> {
    const { results } = await this.db
      .prepare("SELECT probe_id, regions, through_day, built_at, days FROM day_history")
      .all<HistoryRow>();
    return new Map(
      results
        .flatMap((row) => readableHistory(row))
        .map(([id, h]) => [id, { regions: h.regions, throughDay: h.throughDay }]),
    );
  }

  /** Writes (or replaces) these histories, and deletes those of the given ids, in one batch. */
  async save(histories: readonly DayHistory[], remove: readonly string[] = []): Promise<void> {
    // One statement for every history, as one JSON parameter.
    const statements = [
      ...(histories.length
        ? [
            this.db
              .prepare(
                `INSERT INTO day_history (probe_id, regions, through_day, built_at, days)
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?1) WHERE true
                 ON CONFLICT (probe_id) DO UPDATE SET regions = excluded.regions, through_day = excluded.through_day, built_at = excluded.built_at, days = excluded.days`,
              )
              .bind(
                JSON.stringify(
                  histories.map((h) => [h.probeId, h.regions, h.throughDay, h.builtAt, encodeDays(h.days)]),
                ),
              ),
          ]
        : []),
      ...(remove.length
        ? [
            this.db
              .prepare("DELETE FROM day_history WHERE probe_id IN (SELECT value FROM json_each(?1))")
              .bind(JSON.stringify(remove)),
          ]
        : []),
    ];
    if (statements.length) await this.db.batch(statements);
  }

  /** The stored status board's row (page/status-board.ts decodes it), or null: one statement. */
  boardRead(): D1Read<BoardRow | null> {
    return {
      statements: [this.db.prepare("SELECT built_at, board FROM status_board WHERE id = 'public'")],
      decode: ([result]) => (result!.results[0] as BoardRow | undefined) ?? null,
      packed: {
        // The board as JSON inside the packed JSON, so it is parsed once with the rest.
        sql: "(SELECT json_object('built_at', built_at, 'board', CASE WHEN json_valid(board) THEN json(board) END) FROM status_board WHERE id = 'public')",
        params: [],
        decode: (row) => (row as BoardRow | null) ?? null,
      },
    };
  }

  /** Replaces the status board: one row, one statement. */
  async saveBoard(row: { built_at: number; board: string }): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO status_board (id, built_at, board) VALUES ('public', ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET built_at = excluded.built_at, board = excluded.board`,
      )
      .bind(row.built_at, row.board)
      .run();
  }

  /**
   * The day totals of [from, to), two statements whatever the number of probes: the probes'
   * histories, and the daily rollups of the days no up-to-date history can hold yet (from the
   * day after the settled one: today, and yesterday in its first hour). Probes whose history is
   * missing, behind, or merges other regions are left `pending`, for completeDays.
   */
  daysRead(probes: readonly ProbeRegions[], from: number, to: number, now: number): D1Read<PartialDays> {
    const wanted = probes.filter((p) => p.regions.length > 0);
    if (wanted.length === 0 || to <= from) return knownRead({ days: new Map(), pending: [], now });
    const recentFrom = Math.max(from, settledThrough(now) + DAY_MS);
    const daily = dayRollupsRead(
      this.db,
      wanted.flatMap((p) => p.regions.map((region) => ({ probeId: p.probeId, region, from: recentFrom, to }))),
      now,
      { stepFailures: false },
    );
    const statements = [
      this.db
        .prepare(
          "SELECT probe_id, regions, through_day, built_at, days FROM day_history WHERE probe_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(JSON.stringify(wanted.map((p) => p.probeId))),
      ...daily.statements,
    ];
    return {
      statements,
      decode: ([historyRows, ...rollupResults]) => {
        const histories = new Map((historyRows!.results as HistoryRow[]).flatMap((row) => readableHistory(row)));
        const recent = byProbeId(daily.decode(rollupResults).rollups);
        const partial: PartialDays = { days: new Map(), pending: [], now };
        for (const p of wanted) {
          const stored = histories.get(p.probeId);
          const history = stored && stored.regions === regionsKey(p.regions) ? stored : undefined;
          const gapFrom = Math.max(from, history ? history.throughDay + DAY_MS : from);
          const daily = recent.get(p.probeId) ?? [];
          if (gapFrom < recentFrom)
            partial.pending.push({ probe: p, history, daily, gapFrom, gapTo: recentFrom, from, to });
          else partial.days.set(p.probeId, mergeDays(history, p.regions, daily, from, to));
        }
        return partial;
      },
    };
  }

  /** The pending probes' missing days read from the daily rollups (one more statement), merged in. */
  async completeDays(partial: PartialDays): Promise<Map<string, DayTotals[]>> {
    if (partial.pending.length === 0) return partial.days;
    const gapRead = dayRollupsRead(
      this.db,
      partial.pending.flatMap((q) =>
        q.probe.regions.map((region) => ({ probeId: q.probe.probeId, region, from: q.gapFrom, to: q.gapTo })),
      ),
      partial.now,
      { stepFailures: false },
    );
    const [gapDays] = await readTogether(this.db, [gapRead]);
    const gap = byProbeId(gapDays.rollups);
    const days = new Map(partial.days);
    for (const q of partial.pending)
      days.set(
        q.probe.probeId,
        mergeDays(q.history, q.probe.regions, [...(gap.get(q.probe.probeId) ?? []), ...q.daily], q.from, q.to),
      );
    return days;
  }
}

/** What daysRead leaves to completeDays: the probes without a usable, up-to-date history. */
interface PartialDays {
  days: Map<string, DayTotals[]>;
  /** The time the days were read at (which days come from the hour rows). */
  now: number;
  pending: {
    probe: ProbeRegions;
    history: DayHistory | undefined;
    daily: Rollup[];
    gapFrom: number;
    gapTo: number;
    from: number;
    to: number;
  }[];
}

/**
 * A stored history, or none when its row cannot be read: the page then reads those days from
 * the rollups (one more statement) instead of failing, and the refresh, which sees the row as
 * missing too, rewrites it.
 */
function readableHistory(row: HistoryRow): [string, DayHistory][] {
  try {
    return [[row.probe_id, toHistory(row)]];
  } catch (error) {
    console.error(JSON.stringify({ event: "day_history_unreadable", probe: row.probe_id, error: String(error) }));
    return [];
  }
}

function toHistory(row: HistoryRow): DayHistory {
  return {
    probeId: row.probe_id,
    regions: row.regions,
    throughDay: row.through_day,
    builtAt: row.built_at,
    days: decodeDays(row.days),
  };
}
