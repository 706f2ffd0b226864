/**
 * Incidents and maintenance as the page shows them: public ones touching a shown probe, with only
 * the shown probes named. Pure: built from what the loaders read (src/queries/page.ts), with `now`
 * passed in.
 */
import type {
  Impact,
  Incident,
  IncidentStatus,
  IncidentUpdate,
  Maintenance,
  MaintenanceWindow,
} from "../incidents/model.ts";

/** Incidents and maintenance as their store gives them; the page filters and shapes them. */
export interface Notices {
  incidents: readonly Incident[];
  maintenances: readonly Maintenance[];
  /** Occurrences of the maintenances around now: active and upcoming ones (and recent past ones for the feed). */
  windows: readonly MaintenanceWindow[];
}

export const NO_NOTICES: Notices = Object.freeze({ incidents: [], maintenances: [], windows: [] });

export interface IncidentView {
  id: string;
  title: string;
  impact: Impact;
  status: IncidentStatus;
  startedAt: number;
  resolvedAt: number | null;
  updatedAt: number;
  /** Names of the affected probes the page shows (private ones are left out). */
  components: string[];
  /** Their ids. */
  probeIds: string[];
  /** Newest first. */
  updates: IncidentUpdate[];
}

export interface MaintenanceView {
  id: string;
  title: string;
  body: string;
  startsAt: number;
  endsAt: number;
  components: string[];
  updatedAt: number;
}

export const IMPACT_RANK: Record<Impact, number> = { none: 0, minor: 1, major: 2, critical: 3 };

function namesOf(ids: readonly string[], names: ReadonlyMap<string, string>): string[] {
  return ids.flatMap((id) => {
    const name = names.get(id);
    return name === undefined ? [] : [name];
  });
}

/** Public incidents touching at least one shown probe, newest first, with only the shown probes named. */
export function incidentViews(incidents: readonly Incident[], names: ReadonlyMap<string, string>): IncidentView[] {
  return incidents
    .filter((i) => i.public && i.probeIds.some((id) => names.has(id)))
    .map((i) => ({
      id: i.id,
      title: i.title,
      impact: i.impact,
      status: i.status,
      startedAt: i.startedAt,
      resolvedAt: i.resolvedAt,
      updatedAt: i.updatedAt,
      components: namesOf(i.probeIds, names),
      probeIds: i.probeIds.filter((id) => names.has(id)),
      updates: [...i.updates].sort((a, b) => b.createdAt - a.createdAt),
    }))
    .sort((a, b) => b.startedAt - a.startedAt);
}

/** Occurrences of maintenances that are not cancelled and touch a shown probe, soonest first. */
function maintenanceViews(notices: Notices, names: ReadonlyMap<string, string>): MaintenanceView[] {
  const byId = new Map(notices.maintenances.map((m) => [m.id, m]));
  return notices.windows
    .flatMap((w) => {
      const m = byId.get(w.maintenanceId);
      if (!m || m.cancelledAt !== null || !m.probeIds.some((id) => names.has(id))) return [];
      return [
        {
          id: m.id,
          title: m.title,
          body: m.body,
          startsAt: w.startsAt,
          endsAt: w.endsAt,
          components: namesOf(m.probeIds, names),
          updatedAt: m.updatedAt,
        },
      ];
    })
    .sort((a, b) => a.startsAt - b.startsAt);
}

export interface NoticesView {
  activeIncidents: IncidentView[];
  activeMaintenance: MaintenanceView[];
  /** The next occurrence of each maintenance that has not started yet. */
  upcomingMaintenance: MaintenanceView[];
}

export function noticesView(notices: Notices, names: ReadonlyMap<string, string>, now: number): NoticesView {
  const windows = maintenanceViews(notices, names);
  const seen = new Set<string>();
  const upcoming = windows.filter((w) => {
    if (w.startsAt <= now || seen.has(w.id)) return false;
    seen.add(w.id);
    return true;
  });
  return {
    activeIncidents: incidentViews(notices.incidents, names).filter(
      (i) => i.resolvedAt === null && i.status !== "resolved",
    ),
    activeMaintenance: windows.filter((w) => w.startsAt <= now && now < w.endsAt),
    upcomingMaintenance: upcoming,
  };
}

/** Probe ids under an active maintenance window now. */
export function underMaintenance(notices: Notices, now: number): Set<string> {
  const byId = new Map(notices.maintenances.map((m) => [m.id, m]));
  const ids = new Set<string>();
  for (const w of notices.windows) {
    const m = byId.get(w.maintenanceId);
    if (m && m.cancelledAt === null && w.startsAt <= now && now < w.endsAt) for (const id of m.probeIds) ids.add(id);
  }
  return ids;
}
