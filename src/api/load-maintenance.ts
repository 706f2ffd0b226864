/**
 * Maintenance of public probes and its occurrences from 30 days back to 30 days ahead: what the
 * page, the feed and the Statuspage endpoints show. One D1 query.
 */
import { windowsOf } from "../incidents/maintenance-windows.ts";
import type { Maintenance, MaintenanceWindow } from "../incidents/model.ts";
import { DAY_MS } from "../time.ts";
import type { AppDeps } from "./app-env.ts";

export const MAINTENANCE_RANGE_MS = 30 * DAY_MS;

export interface PublicMaintenance {
  maintenances: Maintenance[];
  /** Every occurrence in the range, with the maintenance it belongs to. */
  occurrences: { maintenance: Maintenance; window: MaintenanceWindow }[];
}

export async function loadPublicMaintenance(deps: Pick<AppDeps, "probes" | "incidents">, now: number): Promise<PublicMaintenance> {
  const publicIds = new Set(deps.probes.filter((p) => p.probe.public).map((p) => p.probe.id));
  const maintenances = (await deps.incidents.listMaintenances()).filter((m) => m.probeIds.some((id) => publicIds.has(id)));
  const occurrences = maintenances.flatMap((maintenance) => windowsOf(maintenance, now - MAINTENANCE_RANGE_MS, now + MAINTENANCE_RANGE_MS).map((window) => ({ maintenance, window })));
  return { maintenances, occurrences };
}
