import { Hono } from "hono";
import type { AppEnv } from "../api/app-env.ts";
import { loadOverview } from "../api/load-overview.ts";
import { StatusPage } from "./status-page.tsx";

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="13" fill="none" stroke="#106b2e" stroke-width="4"/><path d="M10 16l4 4 8-8" fill="none" stroke="#106b2e" stroke-width="4"/></svg>`;

/** The public status page. Server-rendered; works without JavaScript. */
export const pageRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const overview = await loadOverview(c.env.deps);
    return c.html(<StatusPage overview={overview} title="Afterlife status" nonce={c.get("secureHeadersNonce")} />);
  })
  .get("/favicon.svg", (c) => c.body(FAVICON, 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" }));
