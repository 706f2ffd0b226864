/**
 * Response shapes of Atlassian Statuspage's public API v2 (the `/api/v2/*.json` read endpoints),
 * field for field, so existing aggregators, widgets and status-page readers parse Afterlife as
 * they parse any Statuspage page. Nothing here is Afterlife-specific: the mapping from the
 * overview is in mapping.ts, the routes are in routes.ts.
 */
import { z } from "@hono/zod-openapi";

/** ISO 8601 with milliseconds and Z, as Date.prototype.toISOString writes it. */
const timestamp = () => z.iso.datetime().openapi({ example: "2026-11-26T10:00:00.000Z" });
const statuspageId = () => z.string().openapi({ example: "a1b2c3d4e5f6" });

export const ComponentStatusSchema = z
  .enum(["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"])
  .openapi("StatuspageComponentStatus");
export type ComponentStatus = z.infer<typeof ComponentStatusSchema>;

export const IndicatorSchema = z.enum(["none", "minor", "major", "critical"]).openapi("StatuspageIndicator");

const PageSchema = z
  .object({
    id: statuspageId(),
    name: z.string().openapi({ example: "Afterlife status" }),
    url: z.url().openapi({ example: "https://status.example.com" }),
    time_zone: z.string().openapi({ example: "Etc/UTC" }),
    updated_at: timestamp().openapi({
      description: "Start of the newest run behind this page, or the time of the request when there is none",
    }),
  })
  .openapi("StatuspagePage");
export type Page = z.infer<typeof PageSchema>;

const PageStatusSchema = z
  .object({
    indicator: IndicatorSchema,
    description: z.string().openapi({ example: "All Systems Operational" }),
  })
  .openapi("StatuspageStatus");
export type PageStatus = z.infer<typeof PageStatusSchema>;

const ComponentSchema = z
  .object({
    id: statuspageId(),
    name: z.string().openapi({ example: "Checkout journey" }),
    status: ComponentStatusSchema,
    created_at: timestamp(),
    updated_at: timestamp(),
    position: z
      .number()
      .int()
      .openapi({ description: "1-based order among the page's groups, or within the component's group" }),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z.iso.date().nullable().openapi({ description: "Statuspage's uptime start date; always null here" }),
    group_id: z
      .string()
      .nullable()
      .openapi({ description: "The id of the group component this component belongs to; null for groups" }),
    page_id: statuspageId(),
    group: z.boolean().openapi({ description: "True for a group component (a business capability)" }),
    only_show_if_degraded: z.boolean(),
    components: z
      .array(z.string())
      .optional()
      .openapi({ description: "Group components only: the ids of the components in the group" }),
  })
  .openapi("StatuspageComponent");
export type Component = z.infer<typeof ComponentSchema>;

const AffectedComponentSchema = z
  .object({
    code: statuspageId(),
    name: z.string(),
    old_status: ComponentStatusSchema,
    new_status: ComponentStatusSchema,
  })
  .openapi("StatuspageAffectedComponent");

const IncidentStatusSchema = z
  .enum(["investigating", "identified", "monitoring", "resolved", "postmortem"])
  .openapi("StatuspageIncidentStatus");
const MaintenanceStatusSchema = z
  .enum(["scheduled", "in_progress", "verifying", "completed"])
  .openapi("StatuspageMaintenanceStatus");
const ImpactSchema = z.enum(["none", "minor", "major", "critical", "maintenance"]).openapi("StatuspageImpact");

function updateSchema<S extends z.ZodType>(status: S) {
  return z.object({
    id: statuspageId(),
    status,
    body: z.string(),
    incident_id: statuspageId(),
    created_at: timestamp(),
    updated_at: timestamp(),
    display_at: timestamp(),
    affected_components: z.array(AffectedComponentSchema).nullable(),
    deliver_notifications: z.boolean(),
    custom_tweet: z.string().nullable(),
    tweet_id: z.string().nullable(),
  });
}

const IncidentUpdateSchema = updateSchema(IncidentStatusSchema).openapi("StatuspageIncidentUpdate");
const MaintenanceUpdateSchema = updateSchema(MaintenanceStatusSchema).openapi("StatuspageMaintenanceUpdate");

const incidentFields = {
  id: statuspageId(),
  name: z.string(),
  created_at: timestamp(),
  updated_at: timestamp(),
  monitoring_at: timestamp().nullable(),
  resolved_at: timestamp().nullable(),
  impact: ImpactSchema,
  shortlink: z.url(),
  started_at: timestamp(),
  page_id: statuspageId(),
  components: z.array(ComponentSchema),
};

const IncidentSchema = z
  .object({ ...incidentFields, status: IncidentStatusSchema, incident_updates: z.array(IncidentUpdateSchema) })
  .openapi("StatuspageIncident");
export type Incident = z.infer<typeof IncidentSchema>;

const ScheduledMaintenanceSchema = z
  .object({
    ...incidentFields,
    status: MaintenanceStatusSchema,
    incident_updates: z.array(MaintenanceUpdateSchema),
    scheduled_for: timestamp(),
    scheduled_until: timestamp(),
  })
  .openapi("StatuspageScheduledMaintenance");
export type ScheduledMaintenance = z.infer<typeof ScheduledMaintenanceSchema>;

export const SummaryResponseSchema = z
  .object({
    page: PageSchema,
    components: z.array(ComponentSchema),
    incidents: z.array(IncidentSchema).openapi({ description: "Unresolved incidents" }),
    scheduled_maintenances: z
      .array(ScheduledMaintenanceSchema)
      .openapi({ description: "Upcoming and in-progress maintenances" }),
    status: PageStatusSchema,
  })
  .openapi("StatuspageSummary");
export type SummaryResponse = z.infer<typeof SummaryResponseSchema>;

export const StatusResponseSchema = z
  .object({ page: PageSchema, status: PageStatusSchema })
  .openapi("StatuspageStatusResponse");
export type StatusResponse = z.infer<typeof StatusResponseSchema>;

export const ComponentsResponseSchema = z
  .object({ page: PageSchema, components: z.array(ComponentSchema) })
  .openapi("StatuspageComponents");
export type ComponentsResponse = z.infer<typeof ComponentsResponseSchema>;

export const IncidentsResponseSchema = z
  .object({ page: PageSchema, incidents: z.array(IncidentSchema) })
  .openapi("StatuspageIncidents");
export type IncidentsResponse = z.infer<typeof IncidentsResponseSchema>;

export const ScheduledMaintenancesResponseSchema = z
  .object({ page: PageSchema, scheduled_maintenances: z.array(ScheduledMaintenanceSchema) })
  .openapi("StatuspageScheduledMaintenances");
export type ScheduledMaintenancesResponse = z.infer<typeof ScheduledMaintenancesResponseSchema>;
