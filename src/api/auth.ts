/**
 * Bearer-token authorisation for write routes: `Authorization: Bearer afl_<id>_<secret>`.
 * Tokens in a query string are refused outright (they end up in logs and referrers).
 */
import type { MiddlewareHandler } from "hono";
import { constantTimeEqual, parseToken, sha256Hex, type Scope } from "../auth/api-token.ts";
import type { AppEnv } from "./app-env.ts";
import { ProblemError } from "./problem.ts";
import { rateLimit } from "./rate-limit.ts";

const TOKEN_QUERY_NAMES = /^(token|access_token|api_key|apikey|key|auth)$/i;
const CHALLENGE = { "www-authenticate": 'Bearer realm="afterlife"' };

function unauthorized(detail: string): ProblemError {
  return new ProblemError(401, "Unauthorized", detail, [{ name: "header.authorization", reason: "send `Authorization: Bearer afl_...`; create a token with `npm run probe -- token create`" }], CHALLENGE);
}

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const leaked = [...new URL(c.req.url).searchParams.keys()].find((k) => TOKEN_QUERY_NAMES.test(k));
    if (leaked) {
      throw new ProblemError(400, "Bad Request", "Tokens are never accepted in the query string.", [{ name: `query.${leaked}`, reason: "send the token in the Authorization header instead" }]);
    }
    const match = /^Bearer ([^\s]+)$/.exec(c.req.header("authorization") ?? "");
    if (!match) throw unauthorized("This route needs a bearer token.");
    const parsed = parseToken(match[1]!);
    if (!parsed) throw unauthorized("The bearer token is not an Afterlife token.");
    const stored = await c.env.deps.tokens.find(parsed.id);
    // Hash even when the id is unknown, so the response time does not tell which ids exist.
    const hash = await sha256Hex(parsed.secret);
    if (!stored || stored.revokedAt !== null || !constantTimeEqual(hash, stored.secretHash)) throw unauthorized("The bearer token is unknown or revoked.");
    if (!stored.scopes.includes(scope)) throw new ProblemError(403, "Forbidden", `This route needs a token with the '${scope}' scope.`);
    c.set("tokenId", stored.id);
    await next();
  };
}

/** The middleware of every write route: a write-scoped token, then the per-token rate limit. */
export function writeGuard(): [MiddlewareHandler<AppEnv>, MiddlewareHandler<AppEnv>] {
  return [requireScope("write"), rateLimit((deps) => deps.rateLimits.writes, (c) => c.get("tokenId") ?? "unknown")];
}
