/**
 * Incidents and their updates on D1 (the incidents and incident_updates tables). Writes that
 * belong together (a state change, the incident it opens, the notices it causes) are returned
 * as statements so the caller puts them in one batch (D1Store.run); the other stores of the
 * incident step are maintenance-store.ts, probe-state-store.ts and outbox-store.ts.
 */
import type { Incident, IncidentUpdate } from "../incidents/model.ts";
import { jsonObjectSql, readTogether, type D1Read } from "./d1-read.ts";
import { D1Store } from "./d1-store.ts";
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

/** Every column of each table as a JSON object, for the packed read: the compiler keeps the lists complete. */
const INCIDENT_JSON = jsonObjectSql(
  Object.keys({
    id: 1,
    kind: 1,
    title: 1,
    impact: 1,
    status: 1,
    probe_ids: 1,
    regions: 1,
    started_at: 1,
    resolved_at: 1,
    failure: 1,
    public: 1,
    created_at: 1,
    updated_at: 1,
  } satisfies Record<keyof IncidentRow, 1>),
  "i",
);
const UPDATE_JSON = jsonObjectSql(
  Object.keys({
    incident_id: 1,
    id: 1,
    status: 1,
    body: 1,
    created_at: 1,
  } satisfies Record<keyof UpdateRow, 1>),
  "u",
);

interface IncidentFilter {
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

export class D1IncidentStore extends D1Store {
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
    // Packed: each incident's row with its updates' rows, as one JSON array in selection order.
    const updates = `json((SELECT json_group_array(${UPDATE_JSON}) FROM incident_updates u WHERE u.incident_id = i.id))`;
    const packed = `(SELECT json_group_array(json_insert(${INCIDENT_JSON}, '$.updates', ${updates}) ORDER BY i.started_at DESC, i.id DESC) FROM (${selected}) i)`;
    return {
      statements: [
        this.db.prepare(selected).bind(...params, filter.limit),
        this.db
          .prepare(`SELECT * FROM incident_updates WHERE incident_id IN (SELECT id FROM (${selected}))`)
          .bind(...params, filter.limit),
      ],
      decode: ([incidents, updates]) =>
        (incidents!.results as IncidentRow[]).map((row) => toIncident(row, updates!.results as UpdateRow[])),
      packed: {
        sql: packed,
        params: [...params, filter.limit],
        decode: (rows) =>
          ((rows ?? []) as (IncidentRow & { updates: UpdateRow[] })[]).map((row) => toIncident(row, row.updates)),
      },
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
      .prepare(
        "INSERT INTO incident_updates (incident_id, id, status, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      )
      .bind(incidentId, update.id, update.status, update.body, update.createdAt);
  }

  /** Sets the status (and resolution time when resolved) after an update. */
  setStatusStatement(incidentId: string, status: Incident["status"], at: number): D1PreparedStatement {
    return this.db
      .prepare(
        "UPDATE incidents SET status = ?1, resolved_at = CASE WHEN ?1 = 'resolved' THEN coalesce(resolved_at, ?2) ELSE NULL END, updated_at = ?2 WHERE id = ?3",
      )
      .bind(status, at, incidentId);
  }

  /** `public` comes with `probeIds`: who may see an incident follows from the probes it names. */
  async patchIncident(
    id: string,
    patch: {
      title?: string | undefined;
      impact?: Incident["impact"] | undefined;
      probeIds?: { ids: string[]; public: boolean } | undefined;
    },
    at: number,
  ): Promise<void> {
    await this.db
      .prepare(
        "UPDATE incidents SET title = coalesce(?, title), impact = coalesce(?, impact), probe_ids = coalesce(?, probe_ids), public = coalesce(?, public), updated_at = ? WHERE id = ?",
      )
      .bind(
        patch.title ?? null,
        patch.impact ?? null,
        patch.probeIds ? JSON.stringify(patch.probeIds.ids) : null,
        patch.probeIds ? (patch.probeIds.public ? 1 : 0) : null,
        at,
        id,
      )
      .run();
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
      ...this.insertUpdatesStatements(
        incidents.flatMap((i) => i.updates.map((update) => ({ incidentId: i.id, update }))),
      ),
    ];
  }

  insertUpdatesStatements(updates: readonly { incidentId: string; update: IncidentUpdate }[]): D1PreparedStatement[] {
    const rows = updates.map(({ incidentId, update }) => ({
      incidentId,
      id: update.id,
      status: update.status,
      body: update.body,
      createdAt: update.createdAt,
    }));
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
}

/** The incident store's public methods: what routes and reads use, so a scoped view (api/visibility.ts) can stand in for it. */
export type IncidentStore = { [K in keyof D1IncidentStore]: D1IncidentStore[K] };
