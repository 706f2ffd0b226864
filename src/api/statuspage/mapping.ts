/**
 * The overview as Statuspage API v2 objects. Pure: no I/O, no clock (the caller passes `now`).
 *
 * Format decisions (Statuspage has no notion of "no data", and no creation time exists here):
 * - Every group (business capability) is a group component; every probe is a component whose
 *   group_id is its group's id. A group's status is the worst of its probes' statuses.
 * - A probe with no data is "degraded_performance" with "No data" first in its description.
 *   "operational" would claim it is up (no data is never up), "major_outage" would be a false
 *   alarm; degraded_performance is the mildest status that still says "not known good", and
 *   matches the overview, where no data makes the whole network "degraded".
 * - The page status comes from the overall state of the public probes only, so it always agrees
 *   with the components a reader can see.
 * - Ids are 12 base-36 characters like Statuspage's, hashed from the page name, the probe id or
 *   the group name: stable across deploys and requests, and distinct for groups and probes.
 * - created_at is not recorded anywhere, so it is the Unix epoch: stable, and plainly not a
 *   real creation date. updated_at is the start of the newest run behind the status.
 */
import type { Incident } from "../../incidents/model.ts";
import type { PublicMaintenance } from "../../queries/maintenance.ts";
import type { OverallState, Overview, ProbeOverview, ProbeState } from "../../status/overview.ts";
import { STATE_ORDER, worstBy, type ComponentState } from "../../status/state-order.ts";
import { groupComponentId, pageId, probeComponentId } from "./ids.ts";
import { toStatuspageIncident, toStatuspageMaintenance } from "./incident-mapping.ts";
import type {
  Component,
  ComponentsResponse,
  ComponentStatus,
  IncidentsResponse,
  Page,
  PageStatus,
  ScheduledMaintenancesResponse,
  StatusResponse,
  SummaryResponse,
} from "./schemas.ts";

export const DEFAULT_PAGE_NAME = "Afterlife status";
const TIME_ZONE = "Etc/UTC";
/** Stands for "unknown": Afterlife does not record when a probe or group was created. */
export const UNKNOWN_CREATED_AT = new Date(0).toISOString();
export const NO_DATA_DESCRIPTION = "No data: no recent run from any region, so the current state is unknown.";

export interface PageContext {
  /** The page's name, e.g. "Afterlife status". */
  name: string;
  /** The status page's URL: the request's origin. */
  url: string;
  /** Epoch ms; page.updated_at when there is no run at all. */
  now: number;
}

const COMPONENT_STATUS: Record<ComponentState, ComponentStatus> = {
  up: "operational",
  maintenance: "under_maintenance",
  degraded: "degraded_performance",
  regional: "partial_outage",
  down: "major_outage",
  "no-data": "degraded_performance",
};

/** Total over ProbeState: the record type makes a new state a compile error until it is mapped. */
export function componentStatus(state: ProbeState): ComponentStatus {
  return COMPONENT_STATUS[state];
}

/** Statuspage's statuses in the order of the states they stand for (status/state-order.ts). */
const STATUS_ORDER: readonly ComponentStatus[] = [...new Set(STATE_ORDER.map((s) => COMPONENT_STATUS[s]))];

/** The worst of the statuses; operational for none. */
export function worstStatus(statuses: readonly ComponentStatus[]): ComponentStatus {
  return worstBy(STATUS_ORDER, statuses, "operational");
}

const PAGE_STATUS: Record<OverallState, PageStatus> = {
  operational: { indicator: "none", description: "All Systems Operational" },
  degraded: { indicator: "minor", description: "Minor Service Outage" },
  partial_outage: { indicator: "major", description: "Partial System Outage" },
  major_outage: { indicator: "critical", description: "Major Service Outage" },
  unknown: { indicator: "minor", description: "No data from the probe network" },
};

/** Statuspage's indicator and wording for the overall state; total over OverallState. */
export function pageStatus(state: OverallState): PageStatus {
  return { ...PAGE_STATUS[state] };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function toPage(overview: Overview, context: PageContext): Page {
  return {
    id: pageId(context.name),
    name: context.name,
    url: context.url,
    time_zone: TIME_ZONE,
    updated_at: iso(overview.checkedAt ?? context.now),
  };
}

function probeDescription(probe: ProbeOverview): string | null {
  if (probe.state === "no-data")
    return probe.description ? `${NO_DATA_DESCRIPTION} ${probe.description}` : NO_DATA_DESCRIPTION;
  return probe.description || null;
}

/**
 * Group components and probe components, each group followed by its probes, groups in the order
 * their first probe appears. Callers pass an overview of public probes only.
 */
function toComponents(overview: Overview, page: Page): Component[] {
  const groups = new Map<string, ProbeOverview[]>();
  for (const probe of overview.probes) {
    const members = groups.get(probe.group);
    if (members) members.push(probe);
    else groups.set(probe.group, [probe]);
  }
  const updatedAt = (times: readonly (number | null)[]): string => {
    const known = times.filter((t): t is number => t !== null);
    return known.length ? iso(Math.max(...known)) : page.updated_at;
  };
  // Keys in Statuspage's order, so a diff against a real Statuspage response lines up.
  const component = (
    fields: Pick<
      Component,
      "id" | "name" | "status" | "updated_at" | "position" | "description" | "showcase" | "group_id" | "group"
    >,
  ): Component => ({
    id: fields.id,
    name: fields.name,
    status: fields.status,
    created_at: UNKNOWN_CREATED_AT,
    updated_at: fields.updated_at,
    position: fields.position,
    description: fields.description,
    showcase: fields.showcase,
    start_date: null,
    group_id: fields.group_id,
    page_id: page.id,
    group: fields.group,
    only_show_if_degraded: false,
  });
  return [...groups].flatMap(([group, probes], g): Component[] => {
    const groupId = groupComponentId(group);
    const children = probes.map((probe, i) =>
      component({
        id: probeComponentId(probe.id),
        name: probe.name,
        status: componentStatus(probe.state),
        updated_at: updatedAt([probe.lastRunAt]),
        position: i + 1,
        description: probeDescription(probe),
        showcase: true,
        group_id: groupId,
        group: false,
      }),
    );
    const parent: Component = {
      ...component({
        id: groupId,
        name: group,
        status: worstStatus(children.map((c) => c.status)),
        updated_at: updatedAt(probes.map((p) => p.lastRunAt)),
        position: g + 1,
        description: null,
        showcase: false,
        group_id: null,
        group: true,
      }),
      components: children.map((c) => c.id),
    };
    return [parent, ...children];
  });
}

export function toStatus(overview: Overview, context: PageContext): StatusResponse {
  return { page: toPage(overview, context), status: pageStatus(overview.state) };
}

export function toComponentsResponse(overview: Overview, context: PageContext): ComponentsResponse {
  const page = toPage(overview, context);
  return { page, components: toComponents(overview, page) };
}

/** Incidents (public only, newest first) with the components they affect. */
export function toIncidents(
  overview: Overview,
  context: PageContext,
  incidents: readonly Incident[] = [],
): IncidentsResponse {
  const page = toPage(overview, context);
  const components = toComponents(overview, page);
  return { page, incidents: incidents.map((i) => toStatuspageIncident(i, page, components)) };
}

/** Maintenance occurrences, newest first, with the components they affect. */
export function toScheduledMaintenances(
  overview: Overview,
  context: PageContext,
  maintenances: readonly MaintenanceOccurrence[] = [],
): ScheduledMaintenancesResponse {
  const page = toPage(overview, context);
  const components = toComponents(overview, page);
  return {
    page,
    scheduled_maintenances: maintenances.map((m) =>
      toStatuspageMaintenance(m.maintenance, m.window, page, components, context.now),
    ),
  };
}

export type MaintenanceOccurrence = PublicMaintenance["occurrences"][number];

/** `unresolved` are the incidents still open: the summary lists those only, as Statuspage does. */
export function toSummary(
  overview: Overview,
  context: PageContext,
  unresolved: readonly Incident[] = [],
  maintenances: readonly MaintenanceOccurrence[] = [],
): SummaryResponse {
  const page = toPage(overview, context);
  const components = toComponents(overview, page);
  return {
    page,
    components,
    incidents: unresolved.map((i) => toStatuspageIncident(i, page, components)),
    scheduled_maintenances: maintenances.map((m) =>
      toStatuspageMaintenance(m.maintenance, m.window, page, components, context.now),
    ),
    status: pageStatus(overview.state),
  };
}
