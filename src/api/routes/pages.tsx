/**
 * The pages, as documented OpenAPI routes: the status page, a page per component, the incident
 * history, the Atom feed, the stylesheet, the icon and the API reference. Each handler reads its
 * view model through queries/page.ts and renders it; none touches D1 itself.
 *
 * Headers: the app adds the CSP (the stylesheet from 'self', the one inline script by its
 * hash: no nonce, so a page's bytes are the same for every reader), HSTS, nosniff and the
 * referrer policy. The pages made from a view model carry a weak ETag of that view
 * (respondWithView) and PAGE_CACHE, so an incident's traffic spike is served from the edge cache
 * and revalidated with 304s; the other routes get the app's ETag of their bytes. The
 * stylesheet's URL carries its hash, so it is cached for a year.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { JSX } from "hono/jsx/jsx-runtime";
import type { AppDeps, AppEnv } from "../app-env.ts";
import { slotOf } from "../../schedule/plan.ts";
import { ifNoneMatch } from "../if-none-match.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { ApiReference, type OpenApiDocument } from "../../page/api-reference.tsx";
import { atomFeed } from "../../page/atom-feed.ts";
import { monthOf } from "../../page/format.ts";
import { HistoryPage } from "../../page/history-page.tsx";
import { renderDocument } from "../../page/layout.tsx";
import { loadNoticesPage, loadProbePage, loadStatusPage } from "../../queries/page.ts";
import { pageConfigOf } from "../../page/page-config.ts";
import { ProbePage } from "../../page/probe-page.tsx";
import { StatusPage } from "../../page/status-page.tsx";
import { STYLESHEET, STYLESHEET_PATH } from "../../page/styles.ts";
import { viewFingerprint } from "../../hash.ts";
import { historyMonths } from "../../page/history-view.ts";
import { incidentViews } from "../../page/notices-view.ts";
import { CHART_RANGES } from "../../page/probe-detail-view.ts";
import { ProbeIdSchema } from "../../probe/schema.ts";

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="13" fill="none" stroke="#106b2e" stroke-width="4"/><path d="M10 16l4 4 8-8" fill="none" stroke="#106b2e" stroke-width="4"/></svg>`;

/**
 * Pages: browsers keep a copy 15 s, then revalidate it (a 304 from the edge copy while the page
 * is the same); the edge cache (a shared cache: s-maxage) keeps it up to a minute, cut at the end
 * of the minute it was rendered in (edge-cache.ts), and serves it stale for a minute more while
 * a fresh copy renders.
 */
export const PAGE_CACHE = "public, max-age=15, s-maxage=60, stale-while-revalidate=60";
/** The stylesheet's URL changes with its content, so a copy never goes stale. */
export const ASSET_CACHE = "public, max-age=31536000, immutable";

const html = (description: string) => ({ 200: { description, content: { "text/html": { schema: z.string() } } } });
const notModified = {
  304: { description: "Not modified: the page's ETag (sent in If-None-Match) still matches what it shows" },
};

/** The view's key that the pages never print: the clock (they print what the view derived from it). */
const NOT_SHOWN = new Set(["now"]);

/**
 * A page from its view model. Its ETag is weak and made from the view's fingerprint, not from
 * the bytes: two views with the same fingerprint show the same page, so a reader whose copy
 * still matches gets a 304 before anything is rendered, and a page's bytes are never hashed. The
 * deployed version's id is in the fingerprint: a new release, with its new markup, is a new page.
 */
function respondWithView(c: Context<AppEnv>, view: object, page: () => JSX.Element) {
  const etag = `W/"${viewFingerprint([c.env.deps.version, view], NOT_SHOWN)}"`;
  if (ifNoneMatch(c.req.header("if-none-match"), etag)) return c.body(null, 304, { etag, "cache-control": PAGE_CACHE });
  return c.html(renderDocument(page()), 200, { etag, "cache-control": PAGE_CACHE });
}

/**
 * The deps with the clock at the start of the current minute: runs are stored per minute slot,
 * so a page as of the minute's start shows the same data, and it stays the same page (the same
 * ETag) for the whole minute instead of changing with every millisecond of its SLO windows.
 */
function asOfTheMinute(deps: AppDeps): AppDeps {
  const now = slotOf(deps.now());
  return { ...deps, now: () => now };
}

const statusPage = createRoute({
  method: "get",
  path: "/",
  tags: ["Pages"],
  summary: "The public status page (server-rendered, works without JavaScript)",
  description:
    "The overall state, active incidents and maintenance, and every public component with its 90-day bar (one segment per UTC day) and availability.",
  responses: { ...html("The status page"), ...notModified },
});

const ProbeIdParam = z.object({
  id: ProbeIdSchema.openapi({ param: { name: "id", in: "path" }, example: "shop-checkout" }),
});

const probePage = createRoute({
  method: "get",
  path: "/probes/{id}",
  tags: ["Pages"],
  summary: "A component's page: latency chart, regions, SLOs, recent failures and incidents",
  request: {
    params: ProbeIdParam,
    query: z.object({
      range: z.enum(CHART_RANGES).default("24h").openapi({ description: "The latency chart's range" }),
    }),
  },
  responses: { ...html("The component's page"), ...notModified, ...problemResponses(400, 404) },
});

const history = createRoute({
  method: "get",
  path: "/history",
  tags: ["Pages"],
  summary: "Past incidents by month, each with its timeline of updates",
  responses: { ...html("The incident history"), ...notModified },
});

const feed = createRoute({
  method: "get",
  path: "/feed.atom",
  tags: ["Pages"],
  summary: "An Atom feed of public incidents and maintenance",
  responses: { 200: { description: "An Atom 1.0 feed", content: { "application/atom+xml": { schema: z.string() } } } },
});

const stylesheet = createRoute({
  method: "get",
  path: STYLESHEET_PATH,
  tags: ["Pages"],
  summary: "The pages' stylesheet (its URL carries a content hash; cached for a year)",
  request: {
    query: z.object({
      v: z
        .string()
        .max(64)
        .optional()
        .openapi({ description: "Content hash, for cache busting; any value gets the current stylesheet" }),
    }),
  },
  responses: { 200: { description: "CSS", content: { "text/css": { schema: z.string() } } } },
});

const favicon = createRoute({
  method: "get",
  path: "/favicon.svg",
  tags: ["Pages"],
  summary: "The page's icon",
  responses: { 200: { description: "An SVG icon", content: { "image/svg+xml": { schema: z.string() } } } },
});
const reference = createRoute({
  method: "get",
  path: "/api/docs",
  tags: ["Pages"],
  summary: "This API reference, as a page",
  responses: html("The API reference"),
});

/** The pages. `document` gives the OpenAPI document of the whole app for the reference page. */
export function pageRoutes(document: () => OpenApiDocument) {
  return createRouter()
    .openapi(statusPage, async (c) => {
      const config = pageConfigOf(c.env.deps.config.values);
      const view = await loadStatusPage(asOfTheMinute(c.env.deps), config);
      return respondWithView(c, view, () => <StatusPage view={view} />);
    })
    .openapi(probePage, async (c) => {
      const { id } = c.req.valid("param");
      const { range } = c.req.valid("query");
      const config = pageConfigOf(c.env.deps.config.values);
      const view = await loadProbePage(asOfTheMinute(c.env.deps), config, id, range);
      if (!view) throw new ProblemError(404, "Not Found", `No public component with id '${id}'.`);
      return respondWithView(c, view, () => <ProbePage view={view} />);
    })
    .openapi(history, async (c) => {
      const config = pageConfigOf(c.env.deps.config.values);
      const { now, names, notices } = await loadNoticesPage(asOfTheMinute(c.env.deps), config);
      const months = historyMonths(incidentViews(notices.incidents, names), now, (at) => monthOf(at, config.timeZone));
      return respondWithView(c, { config, months }, () => <HistoryPage config={config} months={months} />);
    })
    .openapi(feed, async (c) => {
      const config = pageConfigOf(c.env.deps.config.values);
      const { names, notices } = await loadNoticesPage(c.env.deps, config);
      const xml = atomFeed({
        config,
        origin: new URL(c.req.url).origin,
        incidents: incidentViews(notices.incidents, names),
        maintenances: notices.maintenances,
        names,
      });
      return c.body(xml, 200, { "content-type": "application/atom+xml; charset=utf-8", "cache-control": PAGE_CACHE });
    })
    .openapi(stylesheet, (c) =>
      c.body(STYLESHEET, 200, { "content-type": "text/css; charset=utf-8", "cache-control": ASSET_CACHE }),
    )
    .openapi(favicon, (c) =>
      c.body(FAVICON, 200, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" }),
    )
    .openapi(reference, (c) => c.html(renderDocument(<ApiReference doc={document()} />), 200));
}
