/**
 * Heartbeats on D1 (migrations/0011_heartbeats.sql): the secret's hash and the newest ping of
 * each kind. A ping is one read (by id) and one write; the tick's stage is one read of every
 * heartbeat (ids as one JSON parameter) and one write (the judged instants as one JSON parameter).
 */
import type { HeartbeatPings } from "../heartbeats/judge.ts";

export type PingKind = "success" | "start" | "fail";

interface StoredHeartbeat extends HeartbeatPings {
  probeId: string;
  secretHash: string;
  judgedThrough: number | null;
}

interface HeartbeatRow {
  probe_id: string;
  secret_hash: string;
  last_success_at: number | null;
  last_start_at: number | null;
  last_fail_at: number | null;
  judged_through: number | null;
}

const COLUMNS = "probe_id, secret_hash, last_success_at, last_start_at, last_fail_at, judged_through";

function toHeartbeat(row: HeartbeatRow): StoredHeartbeat {
  return {
    probeId: row.probe_id,
    secretHash: row.secret_hash,
    lastSuccessAt: row.last_success_at,
    lastStartAt: row.last_start_at,
    lastFailAt: row.last_fail_at,
    judgedThrough: row.judged_through,
  };
}

const PING_COLUMN: Record<PingKind, string> = {
  success: "last_success_at",
  start: "last_start_at",
  fail: "last_fail_at",
};

export class D1HeartbeatStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async find(probeId: string): Promise<StoredHeartbeat | null> {
    const row = await this.db
      .prepare(`SELECT ${COLUMNS} FROM heartbeats WHERE probe_id = ?`)
      .bind(probeId)
      .first<HeartbeatRow>();
    return row ? toHeartbeat(row) : null;
  }

  /** Every heartbeat of these ids that has a secret (one statement). */
  async list(probeIds: readonly string[]): Promise<StoredHeartbeat[]> {
    if (probeIds.length === 0) return [];
    const { results } = await this.db
      .prepare(`SELECT ${COLUMNS} FROM heartbeats WHERE probe_id IN (SELECT value FROM json_each(?))`)
      .bind(JSON.stringify(probeIds))
      .all<HeartbeatRow>();
    return results.map(toHeartbeat);
  }

  /** Records a ping; only ever moves the column forward (a late duplicate changes nothing). */
  async recordPing(probeId: string, kind: PingKind, at: number): Promise<void> {
    const column = PING_COLUMN[kind];
    await this.db
      .prepare(`UPDATE heartbeats SET ${column} = max(coalesce(${column}, 0), ?) WHERE probe_id = ?`)
      .bind(at, probeId)
      .run();
  }

  /** Marks each heartbeat judged through its instant (never backwards): one statement. */
  judgedStatement(judged: readonly { probeId: string; through: number }[]): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE heartbeats SET judged_through = max(coalesce(judged_through, 0), j.value ->> '$[1]')
           FROM json_each(?) AS j WHERE heartbeats.probe_id = j.value ->> '$[0]'`,
      )
      .bind(JSON.stringify(judged.map((j) => [j.probeId, j.through])));
  }
}

/** SQL for the CLI (run through `wrangler d1 execute`): a new secret, or a rotated one (the pings are kept). */
export function setSecretSql(probeId: string, secretHash: string, at: number): string {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(probeId) || !/^[0-9a-f]{64}$/.test(secretHash))
    throw new Error("invalid heartbeat fields");
  return `INSERT INTO heartbeats (probe_id, secret_hash, secret_set_at) VALUES ('${probeId}', '${secretHash}', ${Math.floor(at)})
    ON CONFLICT (probe_id) DO UPDATE SET secret_hash = excluded.secret_hash, secret_set_at = excluded.secret_set_at`;
}
