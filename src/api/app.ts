/** The Hono app: API routes, the pages, security and cache headers, one error shape. No env access here. */
import { createRoute, z } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { etag } from "hono/etag";
import { secureHeaders } from "hono/secure-headers";
import { PAGE_CACHE, pageRoutes } from "./routes/pages.tsx";
import { pageScriptSource } from "../page/page-script-hash.ts";
import type { OpenApiDocument } from "../page/api-reference.tsx";
import { privateResponses, scopeToCaller } from "./caller-scope.ts";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import { edgeCache, executionContextOf } from "./edge-cache.ts";
import { notFound, onError } from "./problem.ts";
import { clientIp, rateLimit } from "./rate-limit.ts";
import { createRouter } from "./router.ts";
import { probeMetricRoutes } from "./routes/probe-metrics.ts";
import { probeRoutes } from "./routes/probes.ts";
import { badgeRoutes } from "./badges/routes.ts";
import { groupRoutes } from "./routes/groups.ts";
import { regionRoutes } from "./routes/regions.ts";
import { incidentRoutes } from "./routes/incidents.ts";
import { maintenanceRoutes } from "./routes/maintenances.ts";
import { outboxRoutes } from "./routes/outbox.ts";
import { releaseRoutes } from "./routes/releases.ts";
import { heartbeatRoutes } from "./routes/heartbeats.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { runRoutes } from "./routes/runs.ts";
import { sloRoutes } from "./routes/slo.ts";
import { statusRoutes } from "./routes/status.ts";
import { statuspageRoutes } from "./statuspage/routes.ts";

const API_VERSION = "1.0.0";

/** The public reads' Cache-Control: the pages' (browsers 15 s, the edge until the end of the minute, then stale while revalidating). */
const PUBLIC_CACHE = PAGE_CACHE;

/**
 * The public reads whose answer is the same for every anonymous reader within a minute: kept in
 * the edge cache (edge-cache.ts). /metrics is public too but `no-store` (scrapers want it fresh),
 * and the run, probe and incident reads are cheap or per-item.
 */
const EDGE_CACHED = [
  "/",
  "/history",
  "/probes/*",
  "/feed.atom",
  "/api/v1/status",
  "/api/v1/slo",
  "/api/v1/badges/*",
  "/api/v2/*",
];

const health = createRoute({
  method: "get",
  path: "/api/v1/health",
  tags: ["Status"],
  summary: "The Worker is up, and how many probes it runs",
  responses: {
    200: {
      description: "Healthy",
      content: {
        "application/json": { schema: z.object({ ok: z.literal(true), probes: z.number().int() }).openapi("Health") },
      },
    },
  },
});

const openapiJson = createRoute({
  method: "get",
  path: "/api/openapi.json",
  tags: ["Status"],
  summary: "This OpenAPI 3.1 document",
  responses: {
    200: {
      description: "The OpenAPI document",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

export function createApp() {
  const app = createRouter();
  let cachedDocument: OpenApiDocument | undefined;
  const document = (): OpenApiDocument => {
    cachedDocument ??= app.getOpenAPI31Document({
      openapi: "3.1.0",
      info: {
        title: "Afterlife",
        version: API_VERSION,
        description: "Synthetic monitoring: probes, runs, SLOs and status.",
      },
    }) as unknown as OpenApiDocument;
    return cachedDocument;
  };

  // A 304 only refreshes the headers of the reader's copy; the policy belongs to a body.
  app.use("*", async (c, next) => {
    await next();
    if (c.res.status === 304) c.res.headers.delete("content-security-policy");
  });
  // Before the security headers: a copy is stored with them. A stale copy is answered at once and
  // rendered again in the background, through this same app (see edge-cache.ts).
  const cached = edgeCache(async (request, c) => app.fetch(request, c.env, executionContextOf(c)));
  for (const path of EDGE_CACHED) app.use(path, cached);
  // The pages' one inline script is allowed by its hash, the stylesheet by its origin: no
  // per-response nonce, so every reader gets the same bytes and one cached copy serves them all.
  // The hash is known once the first request awaited it; from then on every header is fixed.
  let securityHeaders: MiddlewareHandler<AppEnv> | undefined;
  app.use("*", async (c, next) => {
    securityHeaders ??= secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        scriptSrc: [await pageScriptSource()],
        imgSrc: ["'self'", "data:"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
      strictTransportSecurity: "max-age=31536000; includeSubDomains",
      referrerPolicy: "strict-origin-when-cross-origin",
      xContentTypeOptions: "nosniff",
    });
    return securityHeaders(c, next);
  });
  app.use("*", privateResponses());
  // Public reads: any origin may read them. Write routes get no CORS headers at all, so a
  // browser on another origin can never call them, and no Origin is ever reflected.
  const publicCors = cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"] });
  app.use("/api/*", (c, next) => (["GET", "HEAD", "OPTIONS"].includes(c.req.method) ? publicCors(c, next) : next()));
  app.use(
    "/api/v1/*",
    rateLimit((deps) => deps.rateLimits.publicReads, clientIp),
  );
  app.use(
    "/api/v2/*",
    rateLimit((deps) => deps.rateLimits.publicReads, clientIp),
  );
  app.use(
    "/hb/*",
    rateLimit((deps) => deps.rateLimits.publicReads, clientIp),
  );
  app.use("*", scopeToCaller());
  app.use("*", async (c, next) => {
    await next();
    if (c.req.method === "GET" && c.res.status === 200 && !c.res.headers.has("cache-control"))
      c.res.headers.set("cache-control", PUBLIC_CACHE);
  });
  app.use("*", etag());
  app.onError(onError);
  app.notFound(notFound);

  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", {
    type: "http",
    scheme: "bearer",
    description: "An Afterlife API token (`afl_<id>_<secret>`), created with `npm run probe -- token create`.",
  });
  app.openapi(health, (c) => c.json({ ok: true as const, probes: c.env.deps.probes.length }, 200));
  app.openapi(openapiJson, (c) => c.json(document() as unknown as Record<string, unknown>, 200));
  app.route("/api/v1/status", statusRoutes);
  app.route("/api/v1/probes", probeRoutes);
  app.route("/api/v1/probes", probeMetricRoutes);
  app.route("/api/v1/groups", groupRoutes);
  app.route("/api/v1/regions", regionRoutes);
  app.route("/api/v1/runs", runRoutes);
  app.route("/api/v1/slo", sloRoutes);
  app.route("/api/v1/badges", badgeRoutes);
  app.route("/api/v1/incidents", incidentRoutes);
  app.route("/api/v1/maintenances", maintenanceRoutes);
  app.route("/api/v1/outbox", outboxRoutes);
  app.route("/api/v1/releases", releaseRoutes);
  app.route("/hb", heartbeatRoutes);
  app.route("/", metricsRoutes(API_VERSION));
  app.route("/api/v2", statuspageRoutes);
  app.route("/", pageRoutes(document));
  return app;
}
