/**
 * Two middlewares that make a response follow from who asked:
 * - scopeToCaller hands every route the dependencies as the caller may read them (visibility.ts):
 *   without a valid token, private probes, their runs, incidents and maintenance do not exist.
 * - privateResponses keeps what a token holder got out of shared caches and other origins:
 *   `Cache-Control: private, no-store`, no CORS headers. Every response varies by Authorization,
 *   because the same URL answers differently with and without a token.
 */
import type { MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv } from "./app-env.ts";
import { callerOf } from "./auth.ts";
import { scopeDeps } from "./visibility.ts";

const PRIVATE_CACHE = "private, no-store";

export function scopeToCaller(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // A ping authenticates with its heartbeat's own secret and touches only that heartbeat's row:
    // a private heartbeat must still take its pings, so the route sees the whole fleet.
    if (c.req.path.startsWith("/hb/")) return next();
    const caller = await callerOf(c);
    const deps = c.env.deps;
    let scoped: AppDeps | undefined;
    // Scoped when first read: routes that read no dependencies (the OpenAPI document) pay nothing.
    c.env = Object.defineProperty({ ...c.env }, "deps", {
      get: () => (scoped ??= scopeDeps(deps, caller ? "all" : "public")),
      enumerable: true,
    });
    await next();
  };
}

/** Registered before the CORS and cache middlewares, so it has the last word on their headers. */
export function privateResponses(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.append("vary", "Authorization");
    if (c.req.header("authorization") === undefined) return;
    // Any Authorization header, valid or not: a shared cache must never keep an answer to one.
    c.res.headers.set("cache-control", PRIVATE_CACHE);
    for (const name of [...c.res.headers.keys()]) if (name.startsWith("access-control-")) c.res.headers.delete(name);
  };
}
