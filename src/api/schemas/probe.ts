import { z } from "@hono/zod-openapi";
import type { LoadedProbe } from "../../probe/registry.ts";
import { isScriptStep, REGIONS, SloSchema } from "../../probe/schema.ts";
import { ProbeStateSchema, quorumOf, RegionStateSchema, type ProbeOverview } from "../../status/overview.ts";

export const ProbeSummarySchema = z
  .object({
    id: z.string().openapi({ example: "shop-checkout" }),
    name: z.string(),
    description: z.string(),
    group: z.string(),
    tags: z.array(z.string()),
    schedule: z.string().openapi({ example: "1m" }),
    regions: z.array(z.enum(REGIONS)),
    quorum: z.number().int(),
    version: z.string().openapi({ description: "Hash of the definition that runs now" }),
    file: z.string().openapi({ example: "probes/shop-checkout.ts" }),
    degradedAfterMs: z.number().nullable(),
    slo: SloSchema,
    steps: z.array(z.object({ name: z.string(), kind: z.enum(["http", "script"]), method: z.string().optional(), url: z.string().optional() })),
    state: ProbeStateSchema,
    regionStates: z.array(RegionStateSchema),
    lastRunAt: z.number().nullable(),
  })
  .openapi("Probe");
type ProbeSummary = z.infer<typeof ProbeSummarySchema>;

/** The public view of a probe: its definition without secrets (templates stay unresolved). */
export function toProbeSummary(loaded: LoadedProbe, overview: ProbeOverview): ProbeSummary {
  const { probe } = loaded;
  return {
    id: probe.id,
    name: probe.name,
    description: probe.description,
    group: probe.group,
    tags: probe.tags,
    schedule: probe.schedule,
    regions: probe.regions,
    quorum: quorumOf(loaded),
    version: loaded.version,
    file: loaded.file,
    degradedAfterMs: probe.degradedAfterMs ?? null,
    slo: probe.slo,
    steps: probe.steps.map((s) => (isScriptStep(s) ? { name: s.name, kind: "script" as const } : { name: s.name, kind: "http" as const, method: s.method, url: s.url })),
    state: overview.state,
    regionStates: overview.regions,
    lastRunAt: overview.lastRunAt,
  };
}
