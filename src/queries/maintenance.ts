/**
 * Maintenance of public probes and its occurrences from 30 days back to 30 days ahead: what the
 * page, the feed and the Statuspage endpoints show. One D1 statement.
 */
import { maintenanceWindowsOf } from "../incidents/maintenance-windows.ts";
import {
  MAX_MAINTENANCE_AT,
  MIN_MAINTENANCE_AT,
  type Maintenance,
  type MaintenanceWindow,
} from "../incidents/model.ts";
import { mapRead, type D1Read } from "../storage/d1-read.ts";
import { DAY_MS } from "../time.ts";
import { boundedOccurrences } from "./occurrence-budget.ts";
import type { ReadDeps } from "./read-deps.ts";

const MAINTENANCE_RANGE_MS = 30 * DAY_MS;

export interface PublicMaintenance {
  maintenances: Maintenance[];
  /** Every occurrence in the range, with the maintenance it belongs to. */
  occurrences: { maintenance: Maintenance; window: MaintenanceWindow }[];
}

export async function loadPublicMaintenance(
  deps: Pick<ReadDeps, "probes" | "maintenances">,
  now: number,
): Promise<PublicMaintenance> {
  return publicMaintenanceOf(deps.probes, await deps.maintenances.listMaintenances(), now);
}

/** The same, as a read to batch with others (see storage/d1-read.ts). */
export function publicMaintenanceRead(
  deps: Pick<ReadDeps, "probes" | "maintenances">,
  now: number,
): D1Read<PublicMaintenance> {
  return mapRead(deps.maintenances.listMaintenancesRead(), (all) => publicMaintenanceOf(deps.probes, all, now));
}

/** Rows stored before the schema limited dates may hold ones no output can print: left out. */
function datesInRange(m: Maintenance): boolean {
  const inRange = (at: number) => at >= MIN_MAINTENANCE_AT && at <= MAX_MAINTENANCE_AT;
  return m.schedule.kind !== "once" || (inRange(m.schedule.startsAt) && inRange(m.schedule.endsAt));
}

function publicMaintenanceOf(probes: ReadDeps["probes"], all: readonly Maintenance[], now: number): PublicMaintenance {
  const publicIds = new Set(probes.filter((p) => p.probe.public).map((p) => p.probe.id));
  const maintenances = all.filter((m) => m.probeIds.some((id) => publicIds.has(id)) && datesInRange(m));
  // Bounded (occurrence-budget.ts): what a write token schedules cannot make the page enormous.
  const occurrences = boundedOccurrences(
    maintenances.map((maintenance) => ({
      maintenance,
      windows: maintenanceWindowsOf(maintenance, now - MAINTENANCE_RANGE_MS, now + MAINTENANCE_RANGE_MS),
    })),
    now,
  );
  return { maintenances, occurrences };
}
