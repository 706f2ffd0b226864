/** Maintenance windows on D1 (the maintenances table). */
import type { Maintenance } from "../incidents/model.ts";
import { jsonObjectSql, readTogether, type D1Read } from "./d1-read.ts";
import { D1Store } from "./d1-store.ts";

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

/** Every column as a JSON object, for the packed read: the compiler keeps the list complete. */
const MAINTENANCE_JSON = jsonObjectSql(
  Object.keys({
    id: 1,
    title: 1,
    body: 1,
    probe_ids: 1,
    schedule: 1,
    exclude_from_slo: 1,
    created_at: 1,
    updated_at: 1,
    cancelled_at: 1,
  } satisfies Record<keyof MaintenanceRow, 1>),
  "m",
);

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

export class D1MaintenanceStore extends D1Store {
  listMaintenances(options: { includeCancelled?: boolean } = {}): Promise<Maintenance[]> {
    return readTogether(this.db, [this.listMaintenancesRead(options)]).then(([maintenances]) => maintenances);
  }

  listMaintenancesRead(options: { includeCancelled?: boolean } = {}): D1Read<Maintenance[]> {
    const selected = `SELECT * FROM maintenances ${options.includeCancelled ? "" : "WHERE cancelled_at IS NULL"} ORDER BY created_at DESC LIMIT 500`;
    return {
      statements: [this.db.prepare(selected)],
      decode: ([result]) => (result!.results as MaintenanceRow[]).map(toMaintenance),
      packed: {
        sql: `(SELECT json_group_array(${MAINTENANCE_JSON} ORDER BY m.created_at DESC) FROM (${selected}) m)`,
        params: [],
        decode: (rows) => ((rows ?? []) as MaintenanceRow[]).map(toMaintenance),
      },
    };
  }

  async getMaintenance(id: string): Promise<Maintenance | null> {
    const row = await this.db.prepare("SELECT * FROM maintenances WHERE id = ?").bind(id).first<MaintenanceRow>();
    return row ? toMaintenance(row) : null;
  }

  async insertMaintenance(m: Maintenance): Promise<void> {
    await this.db
      .prepare(
        "INSERT INTO maintenances (id, title, body, probe_ids, schedule, exclude_from_slo, created_at, updated_at, cancelled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .bind(
        m.id,
        m.title,
        m.body,
        JSON.stringify(m.probeIds),
        JSON.stringify(m.schedule),
        m.excludeFromSlo ? 1 : 0,
        m.createdAt,
        m.updatedAt,
        m.cancelledAt,
      )
      .run();
  }

  async cancelMaintenance(id: string, at: number): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE maintenances SET cancelled_at = ?, updated_at = ? WHERE id = ? AND cancelled_at IS NULL")
      .bind(at, at, id)
      .run();
    return (result.meta.changes ?? 0) > 0;
  }
}

/** The maintenance store's public methods, so a scoped view (api/visibility.ts) can stand in for it. */
export type MaintenanceStore = { [K in keyof D1MaintenanceStore]: D1MaintenanceStore[K] };
