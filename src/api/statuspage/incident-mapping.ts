/**
 * Afterlife incidents as Statuspage v2 incident objects. Pure. Affected components are the
 * incident's probes (and their groups) as the components endpoint lists them.
 */
import type { Incident, Maintenance, MaintenanceWindow } from "../../incidents/model.ts";
import { incidentId, probeComponentId, statuspageId } from "./ids.ts";
import type { Component, Incident as StatuspageIncident, Page, ScheduledMaintenance } from "./schemas.ts";

const iso = (ms: number): string => new Date(ms).toISOString();

export function toStatuspageIncident(
  incident: Incident,
  page: Page,
  components: readonly Component[],
): StatuspageIncident {
  const id = incidentId(incident.id);
  const affectedIds = new Set(incident.probeIds.map(probeComponentId));
  const affected = components.filter((c) => affectedIds.has(c.id));
  const groups = components.filter((c) => c.group && affected.some((a) => a.group_id === c.id));
  // Statuspage lists updates newest first.
  const updates = [...incident.updates].sort((a, b) => b.createdAt - a.createdAt);
  const monitoring = updates.filter((u) => u.status === "monitoring").at(-1);
  return {
    id,
    name: incident.title,
    status: incident.status,
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    monitoring_at: monitoring ? iso(monitoring.createdAt) : null,
    resolved_at: incident.resolvedAt === null ? null : iso(incident.resolvedAt),
    impact: incident.impact,
    shortlink: `${page.url}/history#${encodeURIComponent(incident.id)}`,
    started_at: iso(incident.startedAt),
    page_id: page.id,
    incident_updates: updates.map((u) => ({
      id: statuspageId(`update:${incident.id}:${u.id}`),
      status: u.status,
      body: u.body,
      incident_id: id,
      created_at: iso(u.createdAt),
      updated_at: iso(u.createdAt),
      display_at: iso(u.createdAt),
      affected_components: null,
      deliver_notifications: false,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: [...groups, ...affected],
  };
}

type MaintenancePhase = "scheduled" | "in_progress" | "completed";

/** One occurrence of a maintenance as a Statuspage scheduled maintenance. */
export function toStatuspageMaintenance(
  maintenance: Maintenance,
  window: MaintenanceWindow,
  page: Page,
  components: readonly Component[],
  now: number,
): ScheduledMaintenance {
  const id = statuspageId(`maintenance:${maintenance.id}:${window.startsAt}`);
  const status: MaintenancePhase =
    now < window.startsAt ? "scheduled" : now < window.endsAt ? "in_progress" : "completed";
  const affectedIds = new Set(maintenance.probeIds.map(probeComponentId));
  const affected = components.filter((c) => affectedIds.has(c.id));
  const groups = components.filter((c) => c.group && affected.some((a) => a.group_id === c.id));
  const at = iso(Math.min(now, window.startsAt));
  return {
    id,
    name: maintenance.title,
    status,
    created_at: iso(maintenance.createdAt),
    updated_at: iso(maintenance.updatedAt),
    monitoring_at: null,
    resolved_at: status === "completed" ? iso(window.endsAt) : null,
    impact: "maintenance",
    shortlink: `${page.url}/#maintenance-${encodeURIComponent(maintenance.id)}`,
    started_at: iso(window.startsAt),
    page_id: page.id,
    incident_updates: [
      {
        id: statuspageId(`maintenance-update:${maintenance.id}:${window.startsAt}`),
        status,
        body: maintenance.body,
        incident_id: id,
        created_at: at,
        updated_at: at,
        display_at: at,
        affected_components: null,
        deliver_notifications: false,
        custom_tweet: null,
        tweet_id: null,
      },
    ],
    components: [...groups, ...affected],
    scheduled_for: iso(window.startsAt),
    scheduled_until: iso(window.endsAt),
  };
}
