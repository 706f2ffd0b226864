/** The four stores of the incident side on one database: what a tick's incident stages take. */
import { D1IncidentStore } from "./incident-store.ts";
import { D1MaintenanceStore } from "./maintenance-store.ts";
import { D1OutboxStore } from "./outbox-store.ts";
import { D1ProbeStateStore } from "./probe-state-store.ts";

export function incidentStores(db: D1Database): {
  incidents: D1IncidentStore;
  maintenances: D1MaintenanceStore;
  probeStates: D1ProbeStateStore;
  outbox: D1OutboxStore;
} {
  return {
    incidents: new D1IncidentStore(db),
    maintenances: new D1MaintenanceStore(db),
    probeStates: new D1ProbeStateStore(db),
    outbox: new D1OutboxStore(db),
  };
}
