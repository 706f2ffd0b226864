/** The notification outbox on D1 (the outbox table): notices enqueued with a step's batch, then delivered, retried or dead. */
import type { OutboxItem } from "../incidents/outbox.ts";
import { D1Store } from "./d1-store.ts";
import { jsonChunks } from "./json-chunks.ts";

interface OutboxRow {
  id: string;
  channel: string;
  payload: string;
  status: OutboxItem["status"];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

function toOutboxItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    channel: row.channel,
    payload: JSON.parse(row.payload) as unknown,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}

export class D1OutboxStore extends D1Store {
  enqueueStatement(item: { id: string; channel: string; payload: unknown; at: number }): D1PreparedStatement {
    return this.db
      .prepare(
        "INSERT INTO outbox (id, channel, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (id) DO NOTHING",
      )
      .bind(item.id, item.channel, JSON.stringify(item.payload), item.at, item.at);
  }

  /** enqueueStatement for many notices. */
  enqueueStatements(
    items: readonly { id: string; channel: string; payload: unknown; at: number }[],
  ): D1PreparedStatement[] {
    const rows = items.map((i) => ({ id: i.id, channel: i.channel, payload: JSON.stringify(i.payload), at: i.at }));
    return jsonChunks(rows).map((chunk) =>
      this.db
        .prepare(
          `INSERT INTO outbox (id, channel, payload, status, attempts, next_attempt_at, created_at)
           SELECT json_extract(value, '$.id'), json_extract(value, '$.channel'), json_extract(value, '$.payload'), 'pending', 0, json_extract(value, '$.at'), json_extract(value, '$.at')
           FROM json_each(?1) WHERE true ON CONFLICT (id) DO NOTHING`,
        )
        .bind(chunk),
    );
  }

  async dueOutbox(now: number, limit: number): Promise<OutboxItem[]> {
    const rows = (
      await this.db
        .prepare(
          "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
        )
        .bind(now, limit)
        .all<OutboxRow>()
    ).results;
    return rows.map(toOutboxItem);
  }

  async listOutbox(filter: { status?: OutboxItem["status"] | undefined; limit: number }): Promise<OutboxItem[]> {
    const rows = filter.status
      ? (
          await this.db
            .prepare("SELECT * FROM outbox WHERE status = ? ORDER BY created_at DESC LIMIT ?")
            .bind(filter.status, filter.limit)
            .all<OutboxRow>()
        ).results
      : (
          await this.db
            .prepare("SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?")
            .bind(filter.limit)
            .all<OutboxRow>()
        ).results;
    return rows.map(toOutboxItem);
  }

  /**
   * Records a delivery attempt. Only a still-pending item changes, so two workers delivering
   * the same item cannot both count it delivered.
   */
  async recordAttempt(
    id: string,
    outcome: {
      status: OutboxItem["status"];
      attempts: number;
      nextAttemptAt: number;
      error: string | null;
      at: number;
    },
  ): Promise<boolean> {
    const result = await this.db
      .prepare(
        "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ? AND status = 'pending'",
      )
      .bind(outcome.status, outcome.attempts, outcome.nextAttemptAt, outcome.error, outcome.status, outcome.at, id)
      .run();
    return (result.meta.changes ?? 0) > 0;
  }

  /** Claims a pending item for one delivery attempt (so parallel ticks do not send it twice). */
  async claim(id: string, attempts: number, leaseUntil: number): Promise<boolean> {
    const result = await this.db
      .prepare(
        "UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending' AND attempts = ?",
      )
      .bind(attempts + 1, leaseUntil, id, attempts)
      .run();
    return (result.meta.changes ?? 0) > 0;
  }
}

/** The outbox store's public methods, so a scoped view (api/visibility.ts) can stand in for it. */
export type OutboxStore = { [K in keyof D1OutboxStore]: D1OutboxStore[K] };
