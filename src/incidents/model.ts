/**
 * Incidents and maintenance windows, as the API, the page, the feed and the Statuspage endpoints
 * see them. Schemas first; the types come from them.
 */
import { z } from "zod";
import { ProbeIdSchema } from "../probe/schema.ts";

const IMPACTS = ["none", "minor", "major", "critical"] as const;
const ImpactSchema = z.enum(IMPACTS);
export type Impact = z.infer<typeof ImpactSchema>;

const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
const IncidentStatusSchema = z.enum(INCIDENT_STATUSES);
export type IncidentStatus = z.infer<typeof IncidentStatusSchema>;

/**
 * Bidirectional formatting characters (embeddings, overrides, isolates, marks): they reorder
 * what readers see (U+202E turns "gnp.exe" into "exe.png"), so text would not say what it shows.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Plain text only: markup is never interpreted, and every output escapes it. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), "plain text without control characters")
    .refine(
      (s) => !BIDI_CONTROLS.test(s),
      "plain text without bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C); remove them",
    );

const IncidentUpdateSchema = z.object({
  id: z.string(),
  status: IncidentStatusSchema,
  body: z.string(),
  createdAt: z.number(),
});
export type IncidentUpdate = z.infer<typeof IncidentUpdateSchema>;

export const IncidentSchema = z.object({
  id: z.string(),
  kind: z.enum(["automatic", "manual"]),
  title: z.string(),
  impact: ImpactSchema,
  status: IncidentStatusSchema,
  /** Affected probes (components); groups follow from them. */
  probeIds: z.array(z.string()),
  regions: z.array(z.string()),
  startedAt: z.number(),
  resolvedAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Automatic incidents: the failing step and class, and the run whose evidence shows it. */
  failure: z
    .object({
      step: z.string(),
      class: z.string(),
      message: z.string(),
      runId: z.string(),
      statusCode: z.number().int().optional(),
    })
    .nullable(),
  /** Private incidents (of private probes) never reach the page, the feed or the public API. */
  public: z.boolean(),
  updates: z.array(IncidentUpdateSchema),
});
export type Incident = z.infer<typeof IncidentSchema>;

/** Body of POST /api/v1/incidents. */
export const NewIncidentSchema = z.strictObject({
  title: text(200),
  impact: ImpactSchema.default("minor"),
  status: IncidentStatusSchema.default("investigating"),
  probeIds: z.array(ProbeIdSchema).min(1, "at least one affected probe").max(100),
  body: text(5000),
});

/** Body of POST /api/v1/incidents/{id}/updates. */
export const NewIncidentUpdateSchema = z.strictObject({
  status: IncidentStatusSchema,
  body: text(5000),
});

/** Body of PATCH /api/v1/incidents/{id}. */
export const IncidentPatchSchema = z.strictObject({
  title: text(200).optional(),
  impact: ImpactSchema.optional(),
  probeIds: z.array(ProbeIdSchema).min(1).max(100).optional(),
});

/** Dates a maintenance may name: 2000 to 2100 (epoch ms). Outside, a date cannot even be printed. */
export const MIN_MAINTENANCE_AT = Date.UTC(2000, 0, 1);
export const MAX_MAINTENANCE_AT = Date.UTC(2100, 0, 1);
/** A one-off window lasts at most a year; longer is not maintenance. */
export const MAX_ONCE_DURATION_MS = 366 * 24 * 60 * 60 * 1000;

const maintenanceAt = z
  .number()
  .int()
  .min(MIN_MAINTENANCE_AT, `epoch milliseconds from ${new Date(MIN_MAINTENANCE_AT).toISOString()}`)
  .max(MAX_MAINTENANCE_AT, `epoch milliseconds before ${new Date(MAX_MAINTENANCE_AT).toISOString()}`);

const MaintenanceScheduleSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("once"), startsAt: maintenanceAt, endsAt: maintenanceAt }),
  z.strictObject({
    kind: z.literal("recurring"),
    /** Five-field cron of the start times, read in `timeZone`, e.g. "0 2 * * SUN". */
    cron: z.string().min(9).max(100),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    /** An IANA time zone, e.g. "Europe/Berlin". */
    timeZone: z.string().min(1).max(64),
  }),
]);
export type MaintenanceSchedule = z.infer<typeof MaintenanceScheduleSchema>;

export const MaintenanceSchema = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  probeIds: z.array(z.string()),
  schedule: MaintenanceScheduleSchema,
  /** Runs during the window are left out of SLOs (default true). */
  excludeFromSlo: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  cancelledAt: z.number().nullable(),
});
export type Maintenance = z.infer<typeof MaintenanceSchema>;

/** Body of POST /api/v1/maintenances. */
export const NewMaintenanceSchema = z.strictObject({
  title: text(200),
  body: text(5000),
  probeIds: z.array(ProbeIdSchema).min(1).max(100),
  schedule: MaintenanceScheduleSchema,
  excludeFromSlo: z.boolean().default(true),
});

/** A concrete occurrence of a maintenance window. */
export interface MaintenanceWindow {
  maintenanceId: string;
  startsAt: number;
  endsAt: number;
}
