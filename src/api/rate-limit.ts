/**
 * Rate limiting through the Workers Rate Limiting binding: public API reads per client IP,
 * writes per token. Over the limit is a 429 problem with Retry-After.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppDeps, AppEnv, RateLimiter } from "./app-env.ts";
import { ProblemError } from "./problem.ts";

export function rateLimit(
  pick: (deps: AppDeps) => RateLimiter,
  key: (c: Context<AppEnv>) => string,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { success } = await pick(c.env.deps).limit({ key: key(c) });
    if (!success)
      throw new ProblemError(
        429,
        "Too Many Requests",
        "Slow down: this client sent too many requests in the last minute.",
        undefined,
        { "retry-after": "60" },
      );
    await next();
  };
}

export const clientIp = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? "local";
