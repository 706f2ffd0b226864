import { createRoute, z } from "@hono/zod-openapi";
import type { LoadedProbe } from "../../probe/registry.ts";
import { latencyBadge, statusBadge, uptimeBadge, type BadgeContent } from "./badge-content.ts";
import { shieldsEndpoint } from "./badge-endpoint.ts";
import { renderBadge } from "./badge-svg.ts";
import type { AppDeps } from "../app-env.ts";
import { worstState } from "../../status/state-order.ts";
import { loadOverview } from "../../queries/overview.ts";
import { loadSloReports } from "../../queries/slo.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { ProbeIdSchema } from "../../probe/schema.ts";

const Metric = z.enum(["status", "uptime", "latency"]).openapi({
  param: { name: "metric", in: "path" },
  description: "status, uptime (availability over `window`) or latency (p95 over `window`)",
});
const BadgeQuery = z.object({
  window: z.enum(["24h", "7d", "30d", "90d"]).default("30d"),
  format: z
    .enum(["svg", "json"])
    .default("svg")
    .openapi({ description: "svg, or json for a shields.io endpoint badge" }),
});

const badgeResponses = {
  200: {
    description: "An SVG badge, or shields.io endpoint JSON",
    content: {
      "image/svg+xml": { schema: z.string() },
      "application/json": {
        schema: z
          .object({
            schemaVersion: z.literal(1),
            label: z.string(),
            message: z.string(),
            color: z.string(),
            isError: z.boolean().optional(),
          })
          .openapi("ShieldsEndpoint"),
      },
    },
  },
  ...problemResponses(400, 404),
};

const probeBadge = createRoute({
  method: "get",
  path: "/probes/{id}/{metric}",
  tags: ["Badges"],
  summary: "A badge for one probe",
  request: {
    params: z.object({ id: ProbeIdSchema.openapi({ param: { name: "id", in: "path" } }), metric: Metric }),
    query: BadgeQuery,
  },
  responses: badgeResponses,
});

const groupBadge = createRoute({
  method: "get",
  path: "/groups/{group}/{metric}",
  tags: ["Badges"],
  summary: "A badge for a group (business capability)",
  request: {
    params: z.object({
      group: z
        .string()
        .min(1)
        .max(80)
        .openapi({ param: { name: "group", in: "path" }, example: "Checkout" }),
      metric: Metric,
    }),
    query: BadgeQuery,
  },
  responses: badgeResponses,
});

async function badgeContent(
  deps: AppDeps,
  probes: readonly LoadedProbe[],
  metric: "status" | "uptime" | "latency",
  window: "24h" | "7d" | "30d" | "90d",
  group?: string,
): Promise<BadgeContent> {
  if (metric === "status") {
    const overview = await loadOverview({ ...deps, probes });
    // A group is as bad as its worst probe; one probe's state is its quorum verdict.
    return statusBadge(worstState(overview.probes.map((p) => p.state)));
  }
  const { reports } = await loadSloReports(
    deps,
    { probes, window },
    { detail: "alerting", ...(group !== undefined ? { group } : {}) },
  );
  const report = reports[0]!;
  return metric === "uptime"
    ? uptimeBadge(report.availability.sli.excluded.value, window)
    : latencyBadge(report.percentiles.p95);
}

function respond(content: BadgeContent, format: "svg" | "json"): Response {
  const headers = { "cache-control": "public, max-age=60, stale-while-revalidate=300" };
  if (format === "json") return Response.json(shieldsEndpoint(content), { headers });
  return new Response(renderBadge(content), {
    headers: { ...headers, "content-type": "image/svg+xml; charset=utf-8" },
  });
}

/** GET /api/v1/badges/probes/{id}/{metric}, GET /api/v1/badges/groups/{group}/{metric} */
export const badgeRoutes = createRouter()
  .openapi(probeBadge, async (c) => {
    const { id, metric } = c.req.valid("param");
    const { window, format } = c.req.valid("query");
    const probe = c.env.deps.probes.find((p) => p.probe.id === id && p.probe.public);
    if (!probe) throw new ProblemError(404, "Not Found", `No public probe with id '${id}'.`);
    return respond(await badgeContent(c.env.deps, [probe], metric, window), format) as never;
  })
  .openapi(groupBadge, async (c) => {
    const { group, metric } = c.req.valid("param");
    const { window, format } = c.req.valid("query");
    const probes = c.env.deps.probes.filter((p) => p.probe.group === group && p.probe.public);
    if (probes.length === 0) throw new ProblemError(404, "Not Found", `No public probe in group '${group}'.`);
    return respond(await badgeContent(c.env.deps, probes, metric, window, group), format) as never;
  });
