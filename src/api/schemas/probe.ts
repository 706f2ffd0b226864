import { z } from "@hono/zod-openapi";
import type { LoadedProbe } from "../../probe/registry.ts";
import { declaredSteps, HEARTBEAT_REGION, isScriptStep, REGIONS, SloSchema } from "../../probe/schema.ts";
import { ProbeStateSchema, quorumOf, RegionStateSchema, type ProbeOverview } from "../../status/overview.ts";

export const ProbeSummarySchema = z
  .object({
    id: z.string().openapi({ example: "shop-checkout" }),
    kind: z.enum(["http", "heartbeat", "browser"]).openapi({
      description:
        "http: Afterlife runs its steps; heartbeat: your software pings /hb/{id}; browser: Afterlife runs its journey in a real browser",
    }),
    name: z.string(),
    description: z.string(),
    group: z.string(),
    tags: z.array(z.string()),
    schedule: z.string().openapi({ example: "1m", description: "How often it runs; a heartbeat's period" }),
    regions: z
      .array(z.enum([...REGIONS, HEARTBEAT_REGION]))
      .openapi({ description: `A heartbeat's outcomes are stored under the region '${HEARTBEAT_REGION}'` }),
    quorum: z.number().int(),
    version: z.string().openapi({ description: "Hash of the definition that runs now" }),
    file: z.string().openapi({ example: "probes/shop-checkout.ts" }),
    degradedAfterMs: z.number().nullable(),
    slo: SloSchema,
    steps: z.array(
      z.object({
        name: z.string(),
        kind: z.enum(["http", "script"]),
        method: z.string().optional(),
        url: z.string().optional(),
      }),
    ),
    state: ProbeStateSchema,
    regionStates: z.array(RegionStateSchema),
    lastRunAt: z.number().nullable(),
    heartbeat: z
      .object({ period: z.string(), grace: z.string() })
      .nullable()
      .openapi({ description: "A heartbeat's expected period and grace; null for other kinds" }),
  })
  .openapi("Probe");
type ProbeSummary = z.infer<typeof ProbeSummarySchema>;

/** The public view of a probe: its definition without secrets (templates stay unresolved). */
export function toProbeSummary(loaded: LoadedProbe, overview: ProbeOverview): ProbeSummary {
  const { probe } = loaded;
  return {
    id: probe.id,
    kind: probe.kind,
    name: probe.name,
    description: probe.description,
    group: probe.group,
    tags: probe.tags,
    schedule: probe.kind === "heartbeat" ? probe.period : probe.schedule,
    regions: [...probe.regions],
    quorum: quorumOf(loaded),
    version: loaded.version,
    file: loaded.file,
    degradedAfterMs: probe.kind === "heartbeat" ? null : (probe.degradedAfterMs ?? null),
    slo: probe.slo,
    steps: declaredSteps(probe).map((s) =>
      isScriptStep(s)
        ? { name: s.name, kind: "script" as const }
        : { name: s.name, kind: "http" as const, method: s.method, url: s.url },
    ),
    state: overview.state,
    regionStates: overview.regions,
    lastRunAt: overview.lastRunAt,
    heartbeat: probe.kind === "heartbeat" ? { period: probe.period, grace: probe.grace } : null,
  };
}
