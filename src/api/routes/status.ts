import { createRoute } from "@hono/zod-openapi";
import { OverviewSchema } from "../../status/overview.ts";
import { loadOverview } from "../../queries/overview.ts";
import { createRouter } from "../router.ts";
import { jsonResponse } from "../schemas/responses.ts";

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Status"],
  summary: "Current state of every probe and of the whole network",
  description:
    "Each probe's state from the newest run in each of its regions. A region whose newest run is older than two intervals plus a minute has no data; it is never shown as up.",
  responses: { 200: jsonResponse(OverviewSchema.openapi("Overview"), "The overview") },
});

/** GET /api/v1/status */
export const statusRoutes = createRouter().openapi(route, async (c) => c.json(await loadOverview(c.env.deps), 200));
