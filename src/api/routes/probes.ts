import { createRoute, z } from "@hono/zod-openapi";
import { RunResultSchema } from "../../probe/result.ts";
import { REGIONS } from "../../probe/schema.ts";
import { isLoadedRunnable } from "../../probe/registry.ts";
import { writeGuard } from "../auth.ts";
import { loadOverview } from "../../queries/overview.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { jsonResponse } from "../schemas/responses.ts";
import { problemResponses } from "../schemas/problem.ts";
import { ProbeSummarySchema, toProbeSummary } from "../schemas/probe.ts";
import { ProbeIdSchema } from "../../probe/schema.ts";

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Probes"],
  summary: "Every probe with its current state and a summary of its definition",
  responses: {
    200: jsonResponse(z.object({ probes: z.array(ProbeSummarySchema) }).openapi("ProbeList"), "The probes"),
  },
});

const ProbeIdParam = z.object({
  id: ProbeIdSchema.openapi({ param: { name: "id", in: "path" }, example: "shop-checkout" }),
});

const runNow = createRoute({
  method: "post",
  path: "/{id}/run",
  tags: ["Probes"],
  summary: "Run a probe once, now, from one region (the result is returned, not stored)",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: {
    params: ProbeIdParam,
    query: z.object({
      region: z.enum(REGIONS).optional().openapi({ description: "Default: the probe's first region" }),
    }),
  },
  responses: { 200: jsonResponse(RunResultSchema, "The run"), ...problemResponses(400, 401, 403, 404, 429) },
});

const one = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Probes"],
  summary: "One probe with its current state per region",
  request: { params: ProbeIdParam },
  responses: { 200: jsonResponse(ProbeSummarySchema, "The probe"), ...problemResponses(400, 404) },
});

/** GET /api/v1/probes, GET /api/v1/probes/{id}, POST /api/v1/probes/{id}/run */
export const probeRoutes = createRouter()
  .openapi(list, async (c) => {
    const overview = await loadOverview(c.env.deps);
    const byId = new Map(overview.probes.map((p) => [p.id, p]));
    return c.json({ probes: c.env.deps.probes.map((p) => toProbeSummary(p, byId.get(p.probe.id)!)) }, 200);
  })
  .openapi(one, async (c) => {
    const { id } = c.req.valid("param");
    const loaded = c.env.deps.probes.find((p) => p.probe.id === id);
    if (!loaded) throw new ProblemError(404, "Not Found", `No probe with id '${id}'.`);
    const overview = await loadOverview({ ...c.env.deps, probes: [loaded] });
    return c.json(toProbeSummary(loaded, overview.probes[0]!), 200);
  })
  .openapi(runNow, async (c) => {
    const { id } = c.req.valid("param");
    const { region } = c.req.valid("query");
    const loaded = c.env.deps.probes.find((p) => p.probe.id === id);
    if (!loaded) throw new ProblemError(404, "Not Found", `No probe with id '${id}'.`);
    if (!isLoadedRunnable(loaded)) {
      throw new ProblemError(
        400,
        "Bad Request",
        `Probe '${id}' is a heartbeat: your software pings it (POST /hb/${id}); Afterlife cannot run it.`,
        [{ name: "path.id", reason: "the id of an HTTP or browser probe" }],
      );
    }
    if (region !== undefined && !loaded.probe.regions.includes(region)) {
      throw new ProblemError(400, "Bad Request", `Probe '${id}' does not run in ${region}.`, [
        { name: "query.region", reason: `one of ${loaded.probe.regions.join(", ")}` },
      ]);
    }
    return c.json(await c.env.deps.runNow(id, region ?? loaded.probe.regions[0]!), 200);
  });
