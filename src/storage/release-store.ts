/**
 * Releases on D1 (migrations/0010_releases.sql). Every method is one statement whatever the
 * number of releases or probes: lists travel as one JSON parameter (json_each).
 */
import { JudgementSchema, MAX_WATCH_MINUTES, type Judgement, type Release } from "../releases/model.ts";
import { watchStart } from "../releases/watch-looks.ts";
import { DAY_MS, MINUTE_MS } from "../time.ts";
import { knownRead, type D1Read } from "./d1-read.ts";

interface ReleaseRow {
  id: string;
  version: string;
  probe_ids: string;
  url: string | null;
  description: string | null;
  released_at: number;
  created_at: number;
  watch_minutes: number;
  baseline_minutes: number;
  watch_until: number;
  final: number;
  judgement: string;
}

function toRelease(row: ReleaseRow): Release {
  return {
    id: row.id,
    version: row.version,
    probeIds: JSON.parse(row.probe_ids) as string[],
    url: row.url,
    description: row.description,
    releasedAt: row.released_at,
    createdAt: row.created_at,
    watchMinutes: row.watch_minutes,
    baselineMinutes: row.baseline_minutes,
    watchFrom: watchStart(row.released_at),
    watchUntil: row.watch_until,
    judgement: JudgementSchema.parse(JSON.parse(row.judgement)),
  };
}

/** How far back the watch's reads look for releases still being watched: the longest watch and a day of missed ticks. */
const ACTIVE_LOOKBACK_MS = MAX_WATCH_MINUTES * MINUTE_MS + DAY_MS;

/** Releases the watch stage judges per tick at most (the oldest first); more wait a minute. */
const MAX_JUDGED_PER_TICK = 20;

interface ReleaseListQuery {
  limit: number;
  /** Only releases of these probes (any of them); all when absent. */
  probeIds?: readonly string[] | undefined;
  /** Released in [from, to) (epoch ms), when given. */
  from?: number | undefined;
  to?: number | undefined;
}

/** What the API reads (visibility.ts scopes it for public callers). */
export interface ReleaseReader {
  get(id: string): Promise<Release | null>;
  listRead(query: ReleaseListQuery): D1Read<Release[]>;
}

export interface ReleaseWriter {
  insert(release: Release): Promise<void>;
}

export class D1ReleaseStore implements ReleaseReader, ReleaseWriter {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async insert(release: Release): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO releases (id, version, probe_ids, url, description, released_at, created_at, watch_minutes, baseline_minutes, watch_until, final, judgement)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        release.id,
        release.version,
        JSON.stringify(release.probeIds),
        release.url,
        release.description,
        release.releasedAt,
        release.createdAt,
        release.watchMinutes,
        release.baselineMinutes,
        release.watchUntil,
        release.judgement.final ? 1 : 0,
        JSON.stringify(release.judgement),
      )
      .run();
  }

  async get(id: string): Promise<Release | null> {
    const row = await this.db.prepare("SELECT * FROM releases WHERE id = ?").bind(id).first<ReleaseRow>();
    return row ? toRelease(row) : null;
  }

  /** Newest first. */
  listRead(query: ReleaseListQuery): D1Read<Release[]> {
    if (query.probeIds && query.probeIds.length === 0) return knownRead([]);
    const statement = this.db
      .prepare(
        `SELECT * FROM releases r
         WHERE r.released_at >= ?1 AND r.released_at < ?2
           AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(r.probe_ids) p WHERE p.value IN (SELECT value FROM json_each(?3))))
         ORDER BY r.released_at DESC, r.id LIMIT ?4`,
      )
      .bind(
        query.from ?? 0,
        query.to ?? Number.MAX_SAFE_INTEGER,
        query.probeIds ? JSON.stringify(query.probeIds) : null,
        query.limit,
      );
    return {
      statements: [statement],
      decode: ([result]) => (result!.results as unknown as ReleaseRow[]).map(toRelease),
    };
  }

  /** The probes whose release watch covers this slot: they run every minute, whatever their schedule. */
  async watchedProbeIds(slotAt: number): Promise<string[]> {
    const rows = await this.db
      .prepare(
        `SELECT DISTINCT p.value AS probe_id FROM releases r, json_each(r.probe_ids) p
         WHERE r.released_at > ?1 AND r.released_at <= ?2 AND r.watch_until > ?2 AND r.final = 0`,
      )
      .bind(slotAt - ACTIVE_LOOKBACK_MS, slotAt)
      .all<{ probe_id: string }>();
    return rows.results.map((r) => r.probe_id);
  }

  /** Releases still watched (not final) that went live before `asOf`, oldest first, at most `limit`. */
  async unfinished(asOf: number, limit = MAX_JUDGED_PER_TICK): Promise<Release[]> {
    const rows = await this.db
      .prepare(
        "SELECT * FROM releases WHERE released_at > ?1 AND released_at <= ?2 AND final = 0 ORDER BY released_at, id LIMIT ?3",
      )
      .bind(asOf - ACTIVE_LOOKBACK_MS, asOf, limit)
      .all<ReleaseRow>();
    return rows.results.map(toRelease);
  }

  /**
   * Stores each release's judgement of this slot, unless a newer slot judged it already or it
   * is final: a replayed or late tick changes nothing. One statement for all of them.
   */
  saveJudgementsStatement(items: readonly { id: string; judgement: Judgement }[], slotAt: number): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE releases SET judgement = j.value ->> 'judgement', final = j.value ->> 'final', judged_slot = ?2
         FROM (SELECT value FROM json_each(?1)) AS j
         WHERE releases.id = j.value ->> 'id' AND releases.final = 0 AND releases.judged_slot < ?2`,
      )
      .bind(
        JSON.stringify(
          items.map((i) => ({ id: i.id, judgement: JSON.stringify(i.judgement), final: i.judgement.final ? 1 : 0 })),
        ),
        slotAt,
      );
  }
}
