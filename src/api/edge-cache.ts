/**
 * The edge cache of public reads, in the Workers Cache API of the location that got the request:
 * a public answer is rendered (and D1 read) about once per lifetime per location, however many
 * people look. See README "Caching".
 *
 * Purpose-built rather than hono/cache (read in node_modules/hono/dist/middleware/cache), which
 * skips Authorization, private/no-store and Set-Cookie as this does, but:
 * - it answers a conditional request with the full cached 200 and fills only from unconditional
 *   misses, so browsers revalidating every 15 s would keep reading D1: this answers
 *   If-None-Match from the copy, and fills the cache from a conditional miss too;
 * - the copy lives as long as the answer's own Cache-Control says (miniflare also keeps it through
 *   stale-while-revalidate), with no bound of our own: here PUBLIC_CACHE_SECONDS bounds it.
 *
 * Mounted before the security headers: a copy is served with the CSP it was rendered with, so
 * the nonce in its body matches its policy. A copy costs no D1 and is served before the rate
 * limit, which is there to protect D1.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import { edgeLifetime, forStorage, fromStorage, notModified } from "./edge-cache-policy.ts";
import { ifNoneMatch } from "./if-none-match.ts";

export const CACHE_NAME = "afterlife-public";

/**
 * The query parameters the cached routes read (their zod schemas drop any other): a copy is
 * keyed by the path and these alone, sorted, so `/?anything=<random>` is the same copy as `/`
 * and cannot make every request a render that reads D1.
 */
const KEYED_PARAMETERS = new Set(["range", "probe", "group", "region", "window", "budgeting", "format"]);

/** The key of a URL's copy: a bare GET of its path and its known parameters, sorted. */
export function cacheKey(url: string): Request {
  const parsed = new URL(url);
  const kept = [...parsed.searchParams].filter(([name]) => KEYED_PARAMETERS.has(name)).sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  parsed.search = new URLSearchParams(kept).toString();
  parsed.hash = "";
  return new Request(parsed.toString());
}

export function edgeCache(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limit = c.env.deps.config.publicCacheSeconds;
    // A token holder may be shown more than the public is: never answered from the shared copy, never stored into it.
    if (limit <= 0 || (c.req.method !== "GET" && c.req.method !== "HEAD") || c.req.header("authorization") !== undefined) return next();
    const conditional = c.req.header("if-none-match");
    const cache = await caches.open(CACHE_NAME);
    // One copy per path and known parameters, whoever asks: the key is a bare GET of them.
    const key = cacheKey(c.req.url);
    const hit = await cache.match(key).catch(logged("match"));
    if (hit) return conditionally(fromStorage(hit), conditional);

    // Render the whole answer even for a conditional request, so the copy can serve everyone.
    if (conditional !== undefined) c.req.raw = withoutConditional(c.req.raw);
    await next();
    const seconds = edgeLifetime(c.res, limit);
    if (seconds > 0) await cache.put(key, forStorage(c.res.clone(), seconds)).catch(logged("put"));
    replace(c, conditionally(c.res, conditional));
  };
}

/** The answer, or a 304 when the reader's If-None-Match matches its ETag. */
function conditionally(res: Response, conditional: string | undefined): Response {
  const etag = res.headers.get("etag");
  if (res.status !== 200 || etag === null || !ifNoneMatch(conditional, etag)) return res;
  void res.body?.cancel();
  return notModified(res);
}

function withoutConditional(request: Request): Request {
  const headers = new Headers(request.headers);
  headers.delete("if-none-match");
  headers.delete("if-modified-since");
  return new Request(request, { headers });
}

/** c.res = res, without hono's setter merging the old response's headers (its CSP, its length) into a 304. */
function replace(c: Context<AppEnv>, res: Response): void {
  if (res === c.res) return;
  c.res = undefined;
  c.res = res;
}

/** A cache that fails is a miss, never a failed answer. */
function logged(operation: string) {
  return (error: unknown): undefined => {
    console.error(`edge cache ${operation} failed`, error);
    return undefined;
  };
}
