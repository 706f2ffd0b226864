/**
 * Atlassian Statuspage API v2 read endpoints (mounted at /api/v2), so aggregators and widgets
 * written for Statuspage read Afterlife unchanged. Private probes never appear, and do not
 * count towards the page status.
 */
import { createRoute, type z } from "@hono/zod-openapi";
import type { AppDeps } from "../app-env.ts";
import { loadOverview } from "../../queries/overview.ts";
import { createRouter } from "../router.ts";
import type { Overview } from "../../status/overview.ts";
import { loadPublicMaintenance } from "../../queries/maintenance.ts";
import {
  DEFAULT_PAGE_NAME,
  toComponentsResponse,
  type MaintenanceOccurrence,
  toIncidents,
  toScheduledMaintenances,
  toStatus,
  toSummary,
  type PageContext,
} from "./mapping.ts";
import {
  ComponentsResponseSchema,
  IncidentsResponseSchema,
  ScheduledMaintenancesResponseSchema,
  StatusResponseSchema,
  SummaryResponseSchema,
} from "./schemas.ts";

const TAG = "Statuspage compatible";

const MAPPING = [
  "Probe states map to component statuses: up → operational, degraded → degraded_performance, regional → partial_outage, down → major_outage,",
  'no data → degraded_performance with a description starting "No data" (Statuspage has no unknown status; no data is never shown as up).',
  "Each group (business capability) is a group component whose status is the worst of its probes.",
].join(" ");

function route<S extends z.ZodType>(path: string, summary: string, description: string, schema: S) {
  return createRoute({
    method: "get",
    path,
    tags: [TAG],
    summary,
    description,
    responses: { 200: { description: "The Statuspage v2 response", content: { "application/json": { schema } } } },
  });
}

const summary = route(
  "/summary.json",
  "Statuspage v2 summary: page, components, unresolved incidents, upcoming and active maintenances, status",
  `The same shape as Statuspage's GET /api/v2/summary.json. ${MAPPING}`,
  SummaryResponseSchema,
);
const status = route(
  "/status.json",
  "Statuspage v2 status: the page's indicator and description",
  "indicator none (All Systems Operational), minor (Minor Service Outage, or No data from the probe network), major (Partial System Outage: some probes down), critical (Major Service Outage: every probe down).",
  StatusResponseSchema,
);
const components = route(
  "/components.json",
  "Statuspage v2 components: one group per business capability, one component per public probe",
  MAPPING,
  ComponentsResponseSchema,
);
const NO_INCIDENTS =
  "Automatic incidents (from confirmed failures) and manual ones (from the write API), public probes only.";
const incidents = route(
  "/incidents.json",
  "Statuspage v2 incidents: the most recent incidents",
  NO_INCIDENTS,
  IncidentsResponseSchema,
);
const unresolved = route(
  "/incidents/unresolved.json",
  "Statuspage v2 unresolved incidents",
  NO_INCIDENTS,
  IncidentsResponseSchema,
);
const NO_MAINTENANCES =
  "Occurrences of scheduled maintenance (one-off or recurring) of public probes: scheduled, in_progress or completed.";
const maintenances = route(
  "/scheduled-maintenances.json",
  "Statuspage v2 scheduled maintenances: the most recent ones",
  NO_MAINTENANCES,
  ScheduledMaintenancesResponseSchema,
);
const upcoming = route(
  "/scheduled-maintenances/upcoming.json",
  "Statuspage v2 upcoming scheduled maintenances",
  NO_MAINTENANCES,
  ScheduledMaintenancesResponseSchema,
);
const active = route(
  "/scheduled-maintenances/active.json",
  "Statuspage v2 in-progress scheduled maintenances",
  NO_MAINTENANCES,
  ScheduledMaintenancesResponseSchema,
);

/** The overview of public probes only: private ones are neither shown nor counted in the page status. */
export function loadPublicOverview(deps: AppDeps): Promise<Overview> {
  return loadOverview({ ...deps, probes: deps.probes.filter((p) => p.probe.public) });
}

/**
 * Maintenance occurrences of public probes from 30 days back to 30 days ahead, newest first:
 * `upcoming` not started yet, `active` in progress, `summary` both.
 */
async function publicMaintenances(
  deps: AppDeps,
  which: "all" | "upcoming" | "active" | "summary",
): Promise<MaintenanceOccurrence[]> {
  const now = deps.now();
  const { occurrences } = await loadPublicMaintenance(deps, now);
  return occurrences
    .filter(({ window }) => {
      const upcoming = window.startsAt > now;
      const active = window.startsAt <= now && now < window.endsAt;
      return (
        which === "all" ||
        (which === "upcoming" && upcoming) ||
        (which === "active" && active) ||
        (which === "summary" && (upcoming || active))
      );
    })
    .sort((a, b) => b.window.startsAt - a.window.startsAt);
}

/** Statuspage returns the 50 most recent incidents. */
function publicIncidents(deps: AppDeps, unresolvedOnly: boolean) {
  return deps.incidents.listIncidents({ publicOnly: true, unresolvedOnly, limit: 50 });
}

interface StatuspageOptions {
  /** The page's name; its id is derived from it. */
  pageName?: string;
}

/** GET /api/v2/{summary,status,components,incidents,...}.json */
export function createStatuspageRoutes(options: StatuspageOptions = {}) {
  const name = options.pageName ?? DEFAULT_PAGE_NAME;
  const context = (deps: AppDeps, url: string): PageContext => ({ name, url: new URL(url).origin, now: deps.now() });
  const load = async (deps: AppDeps, url: string) => [await loadPublicOverview(deps), context(deps, url)] as const;
  return createRouter()
    .openapi(summary, async (c) =>
      c.json(
        toSummary(
          ...(await load(c.env.deps, c.req.url)),
          await publicIncidents(c.env.deps, true),
          await publicMaintenances(c.env.deps, "summary"),
        ),
        200,
      ),
    )
    .openapi(status, async (c) => c.json(toStatus(...(await load(c.env.deps, c.req.url))), 200))
    .openapi(components, async (c) => c.json(toComponentsResponse(...(await load(c.env.deps, c.req.url))), 200))
    .openapi(incidents, async (c) =>
      c.json(toIncidents(...(await load(c.env.deps, c.req.url)), await publicIncidents(c.env.deps, false)), 200),
    )
    .openapi(unresolved, async (c) =>
      c.json(toIncidents(...(await load(c.env.deps, c.req.url)), await publicIncidents(c.env.deps, true)), 200),
    )
    .openapi(maintenances, async (c) =>
      c.json(
        toScheduledMaintenances(...(await load(c.env.deps, c.req.url)), await publicMaintenances(c.env.deps, "all")),
        200,
      ),
    )
    .openapi(upcoming, async (c) =>
      c.json(
        toScheduledMaintenances(
          ...(await load(c.env.deps, c.req.url)),
          await publicMaintenances(c.env.deps, "upcoming"),
        ),
        200,
      ),
    )
    .openapi(active, async (c) =>
      c.json(
        toScheduledMaintenances(...(await load(c.env.deps, c.req.url)), await publicMaintenances(c.env.deps, "active")),
        200,
      ),
    );
}

export const statuspageRoutes = createStatuspageRoutes();
