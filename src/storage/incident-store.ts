/**
 * Incidents, maintenance windows, per-probe alert state and the notification outbox on D1.
 * Writes that belong together (a state change, the incident it opens, the notices it causes)
 * are returned as statements so the caller puts them in one batch.
 */
import type { Incident, IncidentUpdate, Maintenance } from "../incidents/model.ts";
import type { OutboxItem } from "../incidents/outbox.ts";
import { readTogether, type D1Read } from "./d1-read.ts";
import { jsonChunks } from "./json-chunks.ts";

interface IncidentRow {
  id: string;
  kind: Incident["kind"];
  title: string;
  impact: Incident["impact"];
  status: Incident["status"];
  probe_ids: string;
  regions: string;
  started_at: number;
  resolved_at: number | null;
  failure: string | null;
  public: number;
  created_at: number;
  updated_at: number;
}

interface UpdateRow {
  incident_id: string;
  id: string;
  status: IncidentUpdate["status"];
  body: string;
  created_at: number;
}

interface MaintenanceRow {
  id: string;
  title: string;
  body: string;
  probe_ids: string;
  schedule: string;
  exclude_from_slo: number;
  created_at: number;
  updated_at: number;
  cancelled_at: number | null;
}


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

export interface IncidentFilter {
  unresolvedOnly?: boolean;
  publicOnly?: boolean;
  /** Incidents that started before this time (for paging back through history). */
  before?: number;
  limit: number;
}

function toIncident(row: IncidentRow, updates: readonly UpdateRow[]): Incident {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    impact: row.impact,
    status: row.status,
    probeIds: JSON.parse(row.probe_ids) as string[],
    regions: JSON.parse(row.regions) as string[],
    startedAt: row.started_at,
    resolvedAt: row.resolved_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    failure: row.failure ? (JSON.parse(row.failure) as Incident["failure"]) : null,
    public: row.public === 1,
    updates: updates
      .filter((u) => u.incident_id === row.id)
      .map((u) => ({ id: u.id, status: u.status, body: u.body, createdAt: u.created_at }))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)),
  };
}

function toMaintenance(row: MaintenanceRow): Maintenance {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    probeIds: JSON.parse(row.probe_ids) as string[],
    schedule: JSON.parse(row.schedule) as Maintenance["schedule"],
    excludeFromSlo: row.exclude_from_slo === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    cancelledAt: row.cancelled_at,
  };
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

export class D1IncidentStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  /** Newest first, with their updates; two queries whatever the history length. */
  listIncidents(filter: IncidentFilter): Promise<Incident[]> {
    return readTogether(this.db, [this.listIncidentsRead(filter)]).then(([incidents]) => incidents);
  }

  /** The incidents and their updates in two statements of one batch (see d1-read.ts). */
  listIncidentsRead(filter: IncidentFilter): D1Read<Incident[]> {
    const conditions = ["1 = 1"];
    const params: unknown[] = [];
    if (filter.unresolvedOnly) conditions.push("status != 'resolved'");
    if (filter.publicOnly) conditions.push("public = 1");
    if (filter.before !== undefined) {
      conditions.push("started_at < ?");
      params.push(filter.before);
    }
    // The id breaks ties (incidents opened in one tick share started_at), so both statements
    // select the same incidents whatever plan each gets.
    const selected = `SELECT * FROM incidents WHERE ${conditions.join(" AND ")} ORDER BY started_at DESC, id DESC LIMIT ?`;
    return {
      statements: [
        this.db.prepare(selected).bind(...params, filter.limit),
        this.db.prepare(`SELECT * FROM incident_updates WHERE incident_id IN (SELECT id FROM (${selected}))`).bind(...params, filter.limit),
      ],
      decode: ([incidents, updates]) => (incidents!.results as IncidentRow[]).map((row) => toIncident(row, updates!.results as UpdateRow[])),
    };
  }

  async getIncident(id: string): Promise<Incident | null> {
    const [incident, updates] = await this.db.batch<IncidentRow | UpdateRow>([
      this.db.prepare("SELECT * FROM incidents WHERE id = ?").bind(id),
      this.db.prepare("SELECT * FROM incident_updates WHERE incident_id = ?").bind(id),
    ]);
    const row = incident?.results[0] as IncidentRow | undefined;
    return row ? toIncident(row, (updates?.results ?? []) as UpdateRow[]) : null;
  }

  /** Inserts an incident and its updates; an existing id is left as it is (idempotent). */
  insertIncidentStatements(incident: Incident): D1PreparedStatement[] {
    return [
      this.db
        .prepare(
          `INSERT INTO incidents (id, kind, title, impact, status, probe_ids, regions, started_at, resolved_at, failure, public, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        )
        .bind(
          incident.id,
          incident.kind,
          incident.title,
          incident.impact,
          incident.status,
          JSON.stringify(incident.probeIds),
          JSON.stringify(incident.regions),
          incident.startedAt,
          incident.resolvedAt,
          incident.failure ? JSON.stringify(incident.failure) : null,
          incident.public ? 1 : 0,
          incident.createdAt,
          incident.updatedAt,
        ),
      ...incident.updates.map((u) => this.insertUpdateStatement(incident.id, u)),
    ];
  }

  insertUpdateStatement(incidentId: string, update: IncidentUpdate): D1PreparedStatement {
    return this.db
      .prepare("INSERT INTO incident_updates (incident_id, id, status, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
      .bind(incidentId, update.id, update.status, update.body, update.createdAt);
  }

  /** Sets the status (and resolution time when resolved) after an update. */
  setStatusStatement(incidentId: string, status: Incident["status"], at: number): D1PreparedStatement {
    return this.db
      .prepare("UPDATE incidents SET status = ?1, resolved_at = CASE WHEN ?1 = 'resolved' THEN coalesce(resolved_at, ?2) ELSE NULL END, updated_at = ?2 WHERE id = ?3")
      .bind(status, at, incidentId);
  }

  /** `public` comes with `probeIds`: who may see an incident follows from the probes it names. */
  async patchIncident(id: string, patch: { title?: string | undefined; impact?: Incident["impact"] | undefined; probeIds?: { ids: string[]; public: boolean } | undefined }, at: number): Promise<void> {
    await this.db
      .prepare("UPDATE incidents SET title = coalesce(?, title), impact = coalesce(?, impact), probe_ids = coalesce(?, probe_ids), public = coalesce(?, public), updated_at = ? WHERE id = ?")
      .bind(patch.title ?? null, patch.impact ?? null, patch.probeIds ? JSON.stringify(patch.probeIds.ids) : null, patch.probeIds ? (patch.probeIds.public ? 1 : 0) : null, at, id)
      .run();
  }

  /** Runs the statements in one batch; the rows written, as D1 reports them. */
  async run(statements: readonly D1PreparedStatement[]): Promise<{ rowsWritten: number }> {
    if (statements.length === 0) return { rowsWritten: 0 };
    const results = await this.db.batch([...statements]);
    return { rowsWritten: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0) };
  }

  // Many rows per statement: a list travels as one JSON parameter (json-chunks.ts), so a tick
  // that opens a thousand incidents writes them in a few statements, not thousands.

  /** Inserts incidents and their updates; existing ids are left as they are (idempotent). */
  insertIncidentsStatements(incidents: readonly Incident[]): D1PreparedStatement[] {
    const rows = incidents.map((i) => ({
      id: i.id,
      kind: i.kind,
      title: i.title,
      impact: i.impact,
      status: i.status,
      // Nested JSON travels as text, so what is stored is byte for byte what JSON.stringify made.
      probeIds: JSON.stringify(i.probeIds),
      regions: JSON.stringify(i.regions),
      startedAt: i.startedAt,
      resolvedAt: i.resolvedAt,
      failure: i.failure ? JSON.stringify(i.failure) : null,
      public: i.public ? 1 : 0,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
    }));
    const field = (name: string) => `json_extract(value, '$.${name}')`;
    return [
      ...jsonChunks(rows).map((chunk) =>
        this.db
          .prepare(
            `INSERT INTO incidents (id, kind, title, impact, status, probe_ids, regions, started_at, resolved_at, failure, public, created_at, updated_at)
             SELECT ${["id", "kind", "title", "impact", "status", "probeIds", "regions", "startedAt", "resolvedAt", "failure", "public", "createdAt", "updatedAt"].map(field).join(", ")}
             FROM json_each(?1) WHERE true ON CONFLICT (id) DO NOTHING`,
          )
          .bind(chunk),
      ),
      ...this.insertUpdatesStatements(incidents.flatMap((i) => i.updates.map((update) => ({ incidentId: i.id, update })))),
    ];
  }

  insertUpdatesStatements(updates: readonly { incidentId: string; update: IncidentUpdate }[]): D1PreparedStatement[] {
    const rows = updates.map(({ incidentId, update }) => ({ incidentId, id: update.id, status: update.status, body: update.body, createdAt: update.createdAt }));
    return jsonChunks(rows).map((chunk) =>
      this.db
        .prepare(
          `INSERT INTO incident_updates (incident_id, id, status, body, created_at)
           SELECT json_extract(value, '$.incidentId'), json_extract(value, '$.id'), json_extract(value, '$.status'), json_extract(value, '$.body'), json_extract(value, '$.createdAt')
           FROM json_each(?1) WHERE true ON CONFLICT DO NOTHING`,
        )
        .bind(chunk),
    );
  }

  /** Marks incidents resolved (keeping an earlier resolution time), as setStatusStatement does for one. */
  resolveIncidentsStatements(resolutions: readonly { incidentId: string; at: number }[]): D1PreparedStatement[] {
    return jsonChunks(resolutions).map((chunk) =>
      this.db
        .prepare(
          `WITH resolved AS (SELECT json_extract(value, '$.incidentId') AS id, json_extract(value, '$.at') AS at FROM json_each(?1))
           UPDATE incidents SET status = 'resolved',
             resolved_at = coalesce(resolved_at, (SELECT at FROM resolved WHERE resolved.id = incidents.id)),
             updated_at = (SELECT at FROM resolved WHERE resolved.id = incidents.id)
           WHERE id IN (SELECT id FROM resolved)`,
        )
        .bind(chunk),
    );
  }

  // Maintenance windows

  listMaintenances(options: { includeCancelled?: boolean } = {}): Promise<Maintenance[]> {
    return readTogether(this.db, [this.listMaintenancesRead(options)]).then(([maintenances]) => maintenances);
  }

  listMaintenancesRead(options: { includeCancelled?: boolean } = {}): D1Read<Maintenance[]> {
    const statement = this.db.prepare(`SELECT * FROM maintenances ${options.includeCancelled ? "" : "WHERE cancelled_at IS NULL"} ORDER BY created_at DESC LIMIT 500`);
    return { statements: [statement], decode: ([result]) => (result!.results as MaintenanceRow[]).map(toMaintenance) };
  }

  async getMaintenance(id: string): Promise<Maintenance | null> {
    const row = await this.db.prepare("SELECT * FROM maintenances WHERE id = ?").bind(id).first<MaintenanceRow>();
    return row ? toMaintenance(row) : null;
  }

  async insertMaintenance(m: Maintenance): Promise<void> {
    await this.db
      .prepare("INSERT INTO maintenances (id, title, body, probe_ids, schedule, exclude_from_slo, created_at, updated_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(m.id, m.title, m.body, JSON.stringify(m.probeIds), JSON.stringify(m.schedule), m.excludeFromSlo ? 1 : 0, m.createdAt, m.updatedAt, m.cancelledAt)
      .run();
  }

  async cancelMaintenance(id: string, at: number): Promise<boolean> {
    const result = await this.db.prepare("UPDATE maintenances SET cancelled_at = ?, updated_at = ? WHERE id = ? AND cancelled_at IS NULL").bind(at, at, id).run();
    return (result.meta.changes ?? 0) > 0;
  }

  // Probe alert state

  /** The states of these keys, in one statement whatever their number (the ids are one JSON parameter). */
  async probeStates(probeIds: readonly string[]): Promise<Map<string, { lastSlot: number; state: unknown }>> {
    if (probeIds.length === 0) return new Map();
    const rows = (
      await this.db
        .prepare("SELECT probe_id, last_slot, state FROM probe_states WHERE probe_id IN (SELECT value FROM json_each(?1))")
        .bind(JSON.stringify(probeIds))
        .all<{ probe_id: string; last_slot: number; state: string }>()
    ).results;
    return new Map(rows.map((r) => [r.probe_id, { lastSlot: r.last_slot, state: JSON.parse(r.state) as unknown }]));
  }

  /** saveProbeStateStatement for many keys, with the same guard on last_slot for each. */
  saveProbeStatesStatements(states: readonly { key: string; slotAt: number; state: unknown }[], at: number): D1PreparedStatement[] {
    const rows = states.map((s) => ({ key: s.key, slotAt: s.slotAt, state: JSON.stringify(s.state) }));
    return jsonChunks(rows).map((chunk) =>
      this.db
        .prepare(
          `INSERT INTO probe_states (probe_id, last_slot, state, updated_at)
           SELECT json_extract(value, '$.key'), json_extract(value, '$.slotAt'), json_extract(value, '$.state'), ?2 FROM json_each(?1) WHERE true
           ON CONFLICT (probe_id) DO UPDATE SET last_slot = excluded.last_slot, state = excluded.state, updated_at = excluded.updated_at
           WHERE probe_states.last_slot < excluded.last_slot`,
        )
        .bind(chunk, at),
    );
  }

  /**
   * Advances a probe's state only if no later tick did already: replays and late duplicates
   * change nothing, and of two parallel replays exactly one wins.
   */
  saveProbeStateStatement(probeId: string, slotAt: number, state: unknown, at: number): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO probe_states (probe_id, last_slot, state, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (probe_id) DO UPDATE SET last_slot = excluded.last_slot, state = excluded.state, updated_at = excluded.updated_at
         WHERE probe_states.last_slot < excluded.last_slot`,
      )
      .bind(probeId, slotAt, JSON.stringify(state), at);
  }

  // Outbox

  enqueueStatement(item: { id: string; channel: string; payload: unknown; at: number }): D1PreparedStatement {
    return this.db
      .prepare("INSERT INTO outbox (id, channel, payload, status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (id) DO NOTHING")
      .bind(item.id, item.channel, JSON.stringify(item.payload), item.at, item.at);
  }

  /** enqueueStatement for many notices. */
  enqueueStatements(items: readonly { id: string; channel: string; payload: unknown; at: number }[]): D1PreparedStatement[] {
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
    const rows = (await this.db.prepare("SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").bind(now, limit).all<OutboxRow>()).results;
    return rows.map(toOutboxItem);
  }

  async listOutbox(filter: { status?: OutboxItem["status"] | undefined; limit: number }): Promise<OutboxItem[]> {
    const rows = filter.status
      ? (await this.db.prepare("SELECT * FROM outbox WHERE status = ? ORDER BY created_at DESC LIMIT ?").bind(filter.status, filter.limit).all<OutboxRow>()).results
      : (await this.db.prepare("SELECT * FROM outbox ORDER BY created_at DESC LIMIT ?").bind(filter.limit).all<OutboxRow>()).results;
    return rows.map(toOutboxItem);
  }

  /**
   * Records a delivery attempt. Only a still-pending item changes, so two workers delivering
   * the same item cannot both count it delivered.
   */
  async recordAttempt(id: string, outcome: { status: OutboxItem["status"]; attempts: number; nextAttemptAt: number; error: string | null; at: number }): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ? AND status = 'pending'")
      .bind(outcome.status, outcome.attempts, outcome.nextAttemptAt, outcome.error, outcome.status, outcome.at, id)
      .run();
    return (result.meta.changes ?? 0) > 0;
  }

  /** Claims a pending item for one delivery attempt (so parallel ticks do not send it twice). */
  async claim(id: string, attempts: number, leaseUntil: number): Promise<boolean> {
    const result = await this.db.prepare("UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending' AND attempts = ?").bind(attempts + 1, leaseUntil, id, attempts).run();
    return (result.meta.changes ?? 0) > 0;
  }
}

/** The incident store's public methods: what routes and reads use, so a scoped view (api/visibility.ts) can stand in for it. */
export type IncidentStore = { [K in keyof D1IncidentStore]: D1IncidentStore[K] };
