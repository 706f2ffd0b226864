import { createRoute, z } from "@hono/zod-openapi";
import { REGIONS } from "../../probe/schema.ts";
import { loadOverview } from "../../queries/overview.ts";
import { createRouter } from "../router.ts";
import { jsonResponse } from "../schemas/responses.ts";

const RegionSchema = z
  .object({
    region: z.enum(REGIONS),
    probes: z.number().int(),
    up: z.number().int(),
    degraded: z.number().int(),
    down: z.number().int(),
    noData: z.number().int().openapi({
      description: "Probes whose newest run here is missing or stale: the region may have stopped reporting",
    }),
    lastRunAt: z.number().nullable(),
  })
  .openapi("Region");

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Probes"],
  summary: "Probing regions: how many probes run there and in which state, and when the region last reported",
  responses: {
    200: jsonResponse(z.object({ regions: z.array(RegionSchema) }).openapi("RegionList"), "The regions in use"),
  },
});

/** GET /api/v1/regions */
export const regionRoutes = createRouter().openapi(route, async (c) => {
  const overview = await loadOverview(c.env.deps);
  const regions = REGIONS.flatMap((region) => {
    const states = overview.probes.flatMap((p) => p.regions.filter((r) => r.region === region));
    if (states.length === 0) return [];
    const count = (state: string) => states.filter((s) => s.state === state).length;
    const times = states.flatMap((s) => (s.lastRun ? [s.lastRun.startedAt] : []));
    return [
      {
        region,
        probes: states.length,
        up: count("up"),
        degraded: count("degraded"),
        down: count("down"),
        noData: count("no-data"),
        lastRunAt: times.length ? Math.max(...times) : null,
      },
    ];
  });
  return c.json({ regions }, 200);
});
