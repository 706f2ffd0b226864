import { createRoute, z } from "@hono/zod-openapi";
import { loadOverview } from "../api/load-overview.ts";
import { createRouter } from "../api/router.ts";
import { ApiReference, type OpenApiDocument } from "./api-reference.tsx";
import { StatusPage } from "./status-page.tsx";

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="13" fill="none" stroke="#106b2e" stroke-width="4"/><path d="M10 16l4 4 8-8" fill="none" stroke="#106b2e" stroke-width="4"/></svg>`;

const html = (description: string) => ({ 200: { description, content: { "text/html": { schema: z.string() } } } });

const statusPage = createRoute({ method: "get", path: "/", tags: ["Pages"], summary: "The public status page (server-rendered, works without JavaScript)", responses: html("The status page") });
const favicon = createRoute({
  method: "get",
  path: "/favicon.svg",
  tags: ["Pages"],
  summary: "The page's icon",
  responses: { 200: { description: "An SVG icon", content: { "image/svg+xml": { schema: z.string() } } } },
});
const reference = createRoute({ method: "get", path: "/api/docs", tags: ["Pages"], summary: "This API reference, as a page", responses: html("The API reference") });

/** The pages. `document` gives the OpenAPI document of the whole app for the reference page. */
export function pageRoutes(document: () => OpenApiDocument) {
  return createRouter()
    .openapi(statusPage, async (c) => {
      const overview = await loadOverview(c.env.deps);
      return c.html(<StatusPage overview={overview} title="Afterlife status" nonce={c.get("secureHeadersNonce")} />, 200);
    })
    .openapi(favicon, (c) => c.body(FAVICON, 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" }))
    .openapi(reference, (c) => c.html(<ApiReference doc={document()} nonce={c.get("secureHeadersNonce")} />, 200));
}
