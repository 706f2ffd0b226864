/**
 * Bearer-token authentication: `Authorization: Bearer afl_<id>_<secret>`. The scheme name is
 * case-insensitive (RFC 9110 §11.1). Tokens in a query string are refused outright on the
 * routes that need one (they end up in logs and referrers).
 */
import type { Context, MiddlewareHandler } from "hono";
import { constantTimeEqual, parseToken, sha256Hex, type Scope } from "../auth/api-token.ts";
import type { AppEnv, Caller, Rejection } from "./app-env.ts";
import { ProblemError } from "./problem.ts";
import { rateLimit } from "./rate-limit.ts";

const TOKEN_QUERY_NAMES = /^(token|access_token|api_key|apikey|key|auth)$/i;
const CHALLENGE = { "www-authenticate": 'Bearer realm="afterlife"' };
const BEARER = /^[ \t]*bearer[ \t]+([^\s]+)[ \t]*$/i;

async function identify(c: Context<AppEnv>): Promise<Caller | Rejection> {
  const header = c.req.header("authorization");
  if (header === undefined || header.trim() === "") return "missing";
  const match = BEARER.exec(header);
  if (!match) return "missing";
  const parsed = parseToken(match[1]!);
  if (!parsed) return "not-afterlife";
  const stored = await c.env.deps.tokens.find(parsed.id);
  // Hash even when the id is unknown, so the response time does not tell which ids exist.
  const hash = await sha256Hex(parsed.secret);
  if (!stored || stored.revokedAt !== null || !constantTimeEqual(hash, stored.secretHash)) return "unknown";
  return { tokenId: stored.id, scopes: stored.scopes };
}

/** The token check of this request, done once and remembered for the rest of it. */
async function checked(c: Context<AppEnv>): Promise<Caller | Rejection> {
  const known = c.get("caller");
  if (known !== undefined) return known;
  const identified = await identify(c);
  c.set("caller", identified);
  return identified;
}

/** The caller of this request, or null without a valid token (read or write scope). */
export async function callerOf(c: Context<AppEnv>): Promise<Caller | null> {
  const identified = await checked(c);
  return typeof identified === "string" ? null : identified;
}

function unauthorized(detail: string): ProblemError {
  return new ProblemError(
    401,
    "Unauthorized",
    detail,
    [
      {
        name: "header.authorization",
        reason: "send `Authorization: Bearer afl_...`; create a token with `npm run probe -- token create`",
      },
    ],
    CHALLENGE,
  );
}

const DETAILS: Record<Rejection, string> = {
  missing: "This route needs a bearer token.",
  "not-afterlife": "The bearer token is not an Afterlife token.",
  unknown: "The bearer token is unknown or revoked.",
};

export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const leaked = [...new URL(c.req.url).searchParams.keys()].find((k) => TOKEN_QUERY_NAMES.test(k));
    if (leaked) {
      throw new ProblemError(400, "Bad Request", "Tokens are never accepted in the query string.", [
        { name: `query.${leaked}`, reason: "send the token in the Authorization header instead" },
      ]);
    }
    const caller = await checked(c);
    if (typeof caller === "string") throw unauthorized(DETAILS[caller]);
    if (!caller.scopes.includes(scope))
      throw new ProblemError(403, "Forbidden", `This route needs a token with the '${scope}' scope.`);
    c.set("tokenId", caller.tokenId);
    await next();
  };
}

/** The middleware of every write route: a write-scoped token, then the per-token rate limit. */
export function writeGuard(): [MiddlewareHandler<AppEnv>, MiddlewareHandler<AppEnv>] {
  return [
    requireScope("write"),
    rateLimit(
      (deps) => deps.rateLimits.writes,
      (c) => c.get("tokenId") ?? "unknown",
    ),
  ];
}
