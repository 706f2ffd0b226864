/**
 * The edge cache of public reads, in the Workers Cache API of the location that got the request:
 * a public answer is rendered (and D1 read) about once a minute per location, however many
 * people look. See README "Caching".
 *
 * - Fresh for the rest of the minute it was rendered in (edge-cache-policy.ts): pages show the
 *   data as of the minute's start, and a run is stored per minute slot, so a new run, incident
 *   or maintenance shows at the latest with the first render of the next minute.
 * - Two layers: this isolate's memory (edge-cache-memory.ts), then the location's Cache API; a
 *   copy found in the Cache API is taken into memory, a render goes into both.
 * - Then stale while revalidating: the first reader after the minute gets the stale copy at once
 *   and the copy is rendered again in the background (waitUntil), through the same app, as an
 *   anonymous GET of the copy's key. One revalidation per key at a time in an isolate.
 * - A miss renders once per isolate: readers arriving while the first one renders wait for its
 *   answer instead of each reading D1 (an outage's crowd all misses at once).
 * - Never for a token holder: a request with Authorization is neither answered from nor stored
 *   into the shared copy. Copies hold no per-reader bytes (the pages' CSP allows their script by
 *   hash, not nonce), so one copy is right for every anonymous reader.
 *
 * Purpose-built rather than hono/cache (read in node_modules/hono/dist/middleware/cache), which
 * skips Authorization, private/no-store and Set-Cookie as this does, but answers a conditional
 * request with the full 200, fills only from unconditional misses, keeps no stale copy and
 * renders every concurrent miss.
 *
 * Mounted before the security headers (a copy is stored with them) and before the rate limit,
 * which is there to protect D1: a copy costs none.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import { isolateCopies, responseOf, type HeldCopy, type IsolateCopies } from "./edge-cache-memory.ts";
import { edgeLifetime, forStorage, fromStorage, notModified, storedLifetime } from "./edge-cache-policy.ts";
import { ifNoneMatch } from "./if-none-match.ts";

export const CACHE_NAME = "afterlife-public";

/**
 * The query parameters the cached routes read (their zod schemas drop any other): a copy is
 * keyed by the path and these alone, sorted, so `/?anything=<random>` is the same copy as `/`
 * and cannot make every request a render that reads D1.
 */
const KEYED_PARAMETERS = new Set(["range", "probe", "group", "region", "window", "budgeting", "format"]);

/** The URL a copy is kept under: the path and its known parameters, sorted. */
export function cacheKeyUrl(url: string): string {
  // A request's URL comes serialized by the runtime: without a query or fragment it is its own key.
  if (!url.includes("?") && !url.includes("#")) return url;
  const parsed = new URL(url);
  parsed.hash = "";
  if (parsed.search === "") return parsed.toString();
  const kept = [...parsed.searchParams]
    .filter(([name]) => KEYED_PARAMETERS.has(name))
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
  parsed.search = new URLSearchParams(kept).toString();
  return parsed.toString();
}

/** The key of a URL's copy in the Cache API: a bare GET of cacheKeyUrl. */
export function cacheKey(url: string): Request {
  return new Request(cacheKeyUrl(url));
}

/**
 * The edge cache's answer before the app is built: the fresh copy this isolate holds for the
 * request (GET or HEAD, without Authorization), exactly as the middleware answers from it, 304
 * included; undefined whenever the middleware has more to decide (no copy, a stale one to
 * revalidate, a token holder, a write). The entry point asks it first, so an outage's crowd on
 * one isolate costs what a static file does: no dependencies built, no router, no middleware.
 * Only the middleware puts copies in memory, so a key with a copy is a route it caches.
 */
export function heldAnswer(request: Request, now: number, copies: IsolateCopies = isolateCopies): Response | undefined {
  if ((request.method !== "GET" && request.method !== "HEAD") || request.headers.has("authorization")) return undefined;
  const held = copies.get(cacheKeyUrl(request.url), now);
  if (held === undefined || now >= held.freshUntil) return undefined;
  const answer = conditionally(responseOf(held), request.headers.get("if-none-match") ?? undefined);
  if (request.method === "GET") return answer;
  void answer.body?.cancel();
  return new Response(null, answer); // HEAD: the headers alone, as the app answers it
}

/** Renders a request through the whole app (its middleware included), as the entry point would. */
export type Render = (request: Request, c: Context<AppEnv>) => Promise<Response>;

/** The execution context, when the request has one (app.request() in a test has none). */
export function executionContextOf(c: Context<AppEnv>): Context<AppEnv>["executionCtx"] | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

interface EdgeCacheOptions {
  /** This isolate's copies (default: the one shared by every app and the purge). */
  copies?: IsolateCopies;
  /** The clock deciding freshness (default Date.now). */
  now?: () => number;
}

export function edgeCache(render: Render, options: EdgeCacheOptions = {}): MiddlewareHandler<AppEnv> {
  const copies = options.copies ?? isolateCopies;
  const clock = options.now ?? Date.now;
  /** Requests this middleware sends itself to revalidate a stale copy: rendered and stored, never answered from the copy. Unforgeable: a client cannot put a Request object in it. */
  const revalidations = new WeakSet<Request>();
  /** Keys being revalidated in this isolate. */
  const revalidating = new Set<string>();
  /** Misses being rendered in this isolate, by key: what later readers of the same key wait for (null: not cacheable). */
  const rendering = new Map<string, Promise<HeldCopy | null>>();

  return async (c, next) => {
    const limit = c.env.deps.config.publicCacheSeconds;
    // A token holder may be shown more than the public is: never answered from the shared copy, never stored into it.
    if (
      limit <= 0 ||
      (c.req.method !== "GET" && c.req.method !== "HEAD") ||
      c.req.header("authorization") !== undefined
    )
      return next();
    const key = cacheKeyUrl(c.req.url);

    if (revalidations.has(c.req.raw)) {
      const purges = copies.purges;
      await next();
      await keep(key, c.res.clone(), limit, copies, clock(), purges);
      return;
    }

    const conditional = c.req.header("if-none-match");
    const now = clock();
    const held = copies.get(key, now) ?? (await fromLocation(key, copies, now));
    if (held) {
      if (now >= held.freshUntil) revalidate(c, key);
      return conditionally(responseOf(held), conditional);
    }

    // A miss: the first reader renders, the others in this isolate wait for its answer.
    const pending = rendering.get(key);
    if (pending) {
      const rendered = await pending;
      if (rendered) return conditionally(responseOf(rendered), conditional);
      return next();
    }
    let settle: (rendered: HeldCopy | null) => void = () => {};
    rendering.set(key, new Promise((resolve) => (settle = resolve)));
    try {
      // Render the whole answer even for a conditional request, so the copy can serve everyone.
      if (conditional !== undefined) c.req.raw = withoutConditional(c.req.raw);
      const purges = copies.purges;
      await next();
      const rendered = await keep(key, c.res, limit, copies, clock(), purges);
      settle(rendered);
      if (rendered) replace(c, conditionally(responseOf(rendered), conditional));
    } finally {
      settle(null);
      rendering.delete(key);
    }
  };

  /** Renders the key again in the background (once at a time per isolate); the stale copy keeps being served until it is replaced. */
  function revalidate(c: Context<AppEnv>, url: string): void {
    if (revalidating.has(url)) return;
    const request = new Request(url);
    revalidations.add(request);
    revalidating.add(url);
    const work = render(request, c)
      .then((res) => res.body?.cancel())
      .catch(logged("revalidate"))
      .finally(() => revalidating.delete(url));
    const ctx = executionContextOf(c);
    if (ctx) ctx.waitUntil(work);
  }
}

/** The location's copy of `key` (Cache API), taken into this isolate's memory; undefined on a miss. */
async function fromLocation(key: string, copies: IsolateCopies, now: number): Promise<HeldCopy | undefined> {
  const cache = await caches.open(CACHE_NAME);
  const hit = await cache.match(new Request(key)).catch(logged("match"));
  if (!hit) return undefined;
  const { freshUntil, staleUntil } = storedLifetime(hit);
  if (now >= staleUntil) {
    void hit.body?.cancel();
    return undefined;
  }
  const served = fromStorage(hit);
  const held: HeldCopy = {
    status: served.status,
    statusText: served.statusText,
    headers: [...served.headers],
    body: await served.arrayBuffer(),
    freshUntil,
    staleUntil,
  };
  copies.set(key, held);
  return held;
}

/**
 * Keeps `res` in the location's Cache API and this isolate's memory when it may be kept
 * (edgeLifetime), and gives it back as a held copy; null when it may not (it is then left as it
 * was, unread). A render during which a write purged copies (`purgesBefore` behind) answers its
 * readers but is not kept: it may show what the write changed.
 */
async function keep(
  key: string,
  res: Response,
  limit: number,
  copies: IsolateCopies,
  now: number,
  purgesBefore: number,
): Promise<HeldCopy | null> {
  const lifetime = edgeLifetime(res, limit, now);
  if (lifetime === null) return null;
  const held: HeldCopy = {
    status: res.status,
    statusText: res.statusText,
    headers: [...res.headers],
    body: await res.arrayBuffer(),
    freshUntil: lifetime.freshUntil,
    staleUntil: lifetime.freshUntil + lifetime.staleSeconds * 1000,
  };
  if (copies.purges !== purgesBefore) return held;
  copies.set(key, held);
  const cache = await caches.open(CACHE_NAME);
  await cache.put(new Request(key), forStorage(responseOf(held), lifetime, now)).catch(logged("put"));
  return held;
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
