import { Hono } from "hono";
import type { AppEnv } from "../api/app-env.ts";
import { loadOverview } from "../api/load-overview.ts";
import { StatusPage } from "./status-page.tsx";

/** The public status page. Server-rendered; works without JavaScript. */
export const pageRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const overview = await loadOverview(c.env.deps);
  return c.html(<StatusPage overview={overview} title="Afterlife status" nonce={c.get("secureHeadersNonce")} />);
});
