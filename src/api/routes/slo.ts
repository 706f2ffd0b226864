import { createRoute, z } from "@hono/zod-openapi";
import { REGIONS } from "../../probe/schema.ts";
import { loadSloReports } from "../../queries/slo.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { jsonResponse } from "../schemas/responses.ts";
import { problemResponses } from "../schemas/problem.ts";
import { SloReportSchema } from "../schemas/slo.ts";
import { ProbeIdSchema } from "../../probe/schema.ts";

const SloQuery = z.object({
  probe: ProbeIdSchema.optional().openapi({ example: "shop-checkout" }),
  group: z.string().min(1).max(80).optional().openapi({
    description: "A business capability: one report for the group, then one per probe",
    example: "Checkout",
  }),
  region: z.enum(REGIONS).optional().openapi({ description: "Only this region's runs" }),
  window: z
    .enum(["1h", "24h", "7d", "30d", "90d", "month"])
    .optional()
    .openapi({ description: "Default: each probe's own SLO window" }),
  budgeting: z.enum(["occurrences", "timeslices"]).default("occurrences"),
});

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["SLOs"],
  summary: "SLIs, error budgets, burn rates, alert state, forecasts and latency trends",
  description:
    "Per probe, per region (`region`), or per group (`group`: the group as a whole first, then each of its probes). Read from rollups with a fixed number of D1 queries whatever the history length. No data is reported both excluded and counted as bad.",
  request: { query: SloQuery },
  responses: {
    200: jsonResponse(
      z.object({ generatedAt: z.number(), reports: z.array(SloReportSchema) }).openapi("SloReports"),
      "The reports",
    ),
    ...problemResponses(400, 404),
  },
});

/** GET /api/v1/slo */
export const sloRoutes = createRouter().openapi(route, async (c) => {
  const query = c.req.valid("query");
  const all = c.env.deps.probes;
  const matching = all.filter(
    (p) =>
      (query.probe === undefined || p.probe.id === query.probe) &&
      (query.group === undefined || p.probe.group === query.group),
  );
  // With a region, only the probes that run there: the others have no SLO in it.
  const probes =
    query.region === undefined
      ? matching
      : matching.filter((p) => (p.probe.regions as readonly string[]).includes(query.region!));
  if (matching.length === 0) {
    const name = query.probe !== undefined ? "query.probe" : "query.group";
    throw new ProblemError(404, "Not Found", "No probe matches these filters.", [
      {
        name,
        reason: `known: ${[...new Set(all.map((p) => (name === "query.probe" ? p.probe.id : p.probe.group)))].join(", ")}`,
      },
    ]);
  }
  if (probes.length === 0) {
    const runsIn = [...new Set(matching.flatMap((p) => p.probe.regions))].join(", ");
    throw new ProblemError(
      400,
      "Bad Request",
      `No probe of this query runs in region ${query.region}, so it has no SLO there.`,
      [{ name: "query.region", reason: `one of the regions these probes run in: ${runsIn}` }],
    );
  }
  const { reports } = await loadSloReports(
    c.env.deps,
    { probes, region: query.region, window: query.window, budgeting: query.budgeting },
    query.group !== undefined ? { group: query.group } : {},
  );
  return c.json({ generatedAt: c.env.deps.now(), reports }, 200);
});
