/** The Hono app: API routes, the status page, security headers, one error shape. No env access here. */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { NONCE, secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env.ts";
import { notFound, onError } from "./problem.ts";
import { runRoutes } from "./routes/runs.ts";
import { statusRoutes } from "./routes/status.ts";
import { pageRoutes } from "../page/page-routes.tsx";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], styleSrc: [NONCE], scriptSrc: [NONCE], imgSrc: ["'self'", "data:"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
      strictTransportSecurity: "max-age=31536000; includeSubDomains",
      referrerPolicy: "strict-origin-when-cross-origin",
      xContentTypeOptions: "nosniff",
    }),
  );
  app.use("/api/*", cors({ origin: "*", allowMethods: ["GET", "HEAD", "OPTIONS"] }));
  app.onError(onError);
  app.notFound(notFound);

  app.get("/api/v1/health", (c) => c.json({ ok: true, probes: c.env.deps.probes.length }));
  app.route("/api/v1/status", statusRoutes);
  app.route("/api/v1/runs", runRoutes);

  app.route("/", pageRoutes);
  return app;
}
