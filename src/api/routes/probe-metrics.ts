import { createRoute, z } from "@hono/zod-openapi";
import { REGIONS } from "../../probe/schema.ts";
import { journeyMetricsRead, JourneyMetricsSchema, MAX_METRIC_HOURS } from "../../queries/journey-metrics.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { jsonResponse } from "../schemas/responses.ts";

const params = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9-]+$/, "a probe id such as 'shop-checkout'")
    .openapi({ param: { name: "id", in: "path" }, example: "shop-checkout" }),
});

const query = z.object({
  hours: z.coerce
    .number()
    .int("a whole number of hours")
    .min(1, "at least 1")
    .max(MAX_METRIC_HOURS, `at most ${MAX_METRIC_HOURS} (92 days, the hourly rollups' retention)`)
    .default(24)
    .openapi({ description: "Hours of hourly aggregates, the current one included (default 24)" }),
  region: z.enum(REGIONS).optional().openapi({ description: "Only this region's values" }),
});

const route = createRoute({
  method: "get",
  path: "/{id}/metrics",
  tags: ["Probes"],
  summary:
    "The journey metrics a probe records (extract.metric, ctx.metric): newest values, recent values and hourly aggregates",
  description:
    "Per metric: the newest value per region, every run's value of the last 6 hours, and count, sum, min, max, mean and last per hour (per region, and the regions merged). Two D1 queries.",
  request: { params, query },
  responses: { 200: jsonResponse(JourneyMetricsSchema, "The probe's journey metrics"), ...problemResponses(400, 404) },
});

/** GET /api/v1/probes/{id}/metrics */
export const probeMetricRoutes = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const { hours, region } = c.req.valid("query");
  const { deps } = c.env;
  // The scoped probe list: a private probe is not found by a public caller.
  const loaded = deps.probes.find((p) => p.probe.id === id);
  if (!loaded) throw new ProblemError(404, "Not Found", `No probe with id '${id}'.`);
  const regions: readonly string[] = loaded.probe.regions;
  if (region !== undefined && !regions.includes(region)) {
    throw new ProblemError(400, "Bad Request", `Probe '${id}' does not run in ${region}.`, [
      { name: "query.region", reason: `one of ${loaded.probe.regions.join(", ")}` },
    ]);
  }
  const [report] = await deps.store.read([journeyMetricsRead(deps.store, loaded, { now: deps.now(), hours, region })]);
  return c.json(report, 200);
});
