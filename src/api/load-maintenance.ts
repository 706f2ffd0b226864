/**
 * Maintenance of public probes and its occurrences from 30 days back to 30 days ahead: what the
 * page, the feed and the Statuspage endpoints show. One D1 statement.
 */
import { windowsOf } from "../incidents/maintenance-windows.ts";
import type { Maintenance, MaintenanceWindow } from "../incidents/model.ts";
import { mapRead, type D1Read } from "../storage/d1-read.ts";
import { DAY_MS } from "../time.ts";
import type { AppDeps } from "./app-env.ts";

export const MAINTENANCE_RANGE_MS = 30 * DAY_MS;

export interface PublicMaintenance {
  maintenances: Maintenance[];
  /** Every occurrence in the range, with the maintenance it belongs to. */
  occurrences: { maintenance: Maintenance; window: MaintenanceWindow }[];
}

export async function loadPublicMaintenance(deps: Pick<AppDeps, "probes" | "incidents">, now: number): Promise<PublicMaintenance> {
  return publicMaintenanceOf(deps.probes, await deps.incidents.listMaintenances(), now);
}

/** The same, as a read to batch with others (see storage/d1-read.ts). */
export function publicMaintenanceRead(deps: Pick<AppDeps, "probes" | "incidents">, now: number): D1Read<PublicMaintenance> {
  return mapRead(deps.incidents.listMaintenancesRead(), (all) => publicMaintenanceOf(deps.probes, all, now));
}

function publicMaintenanceOf(probes: AppDeps["probes"], all: readonly Maintenance[], now: number): PublicMaintenance {
  const publicIds = new Set(probes.filter((p) => p.probe.public).map((p) => p.probe.id));
  const maintenances = all.filter((m) => m.probeIds.some((id) => publicIds.has(id)));
  const occurrences = maintenances.flatMap((maintenance) => windowsOf(maintenance, now - MAINTENANCE_RANGE_MS, now + MAINTENANCE_RANGE_MS).map((window) => ({ maintenance, window })));
  return { maintenances, occurrences };
}
