import { Hono } from "hono";
import type { AppEnv } from "../app-env.ts";
import { loadOverview } from "../load-overview.ts";

/** GET /api/v1/status: every probe with its current state per region and its last run. */
export const statusRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const overview = await loadOverview(c.env.deps);
  return c.json(overview);
});

