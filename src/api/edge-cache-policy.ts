/**
 * What the edge cache may keep, for how long, and the headers of a copy on its way in and out.
 * Pure functions of headers, so the rules are tested without a cache.
 */

/**
 * The header the stored copy keeps the answer's own Cache-Control in. The copy is stored with
 * `max-age=<fresh + stale seconds>` alone, so the Cache API keeps it exactly as long as decided
 * here (it implements no stale-while-revalidate of its own); readers still get the answer's own
 * header.
 */
const ORIGINAL_CACHE_CONTROL = "afterlife-origin-cache-control";
/** Epoch ms until which the copy is fresh; after it, it is served stale while a new one renders. */
const FRESH_UNTIL = "afterlife-fresh-until";
/** Epoch ms until which a stale copy may still be served. */
const STALE_UNTIL = "afterlife-stale-until";

/** The longest a stale copy is served while a fresh one renders, whatever an answer allows. */
export const MAX_STALE_SECONDS = 60;
const MINUTE_MS = 60_000;

/** Request headers whose variants the cache may ignore: it only ever serves and stores anonymous GETs, and the edge handles encodings. */
const IGNORABLE_VARY = new Set(["authorization", "accept-encoding"]);

/** Cache-Control directives, names lowercased; a directive without a value maps to "". */
export function cacheDirectives(header: string | null): Map<string, string> {
  const directives = new Map<string, string>();
  for (const part of (header ?? "").split(",")) {
    const [name = "", value = ""] = part.split("=", 2).map((s) => s.trim());
    if (name) directives.set(name.toLowerCase(), value.replace(/^"|"$/g, ""));
  }
  return directives;
}

/** How long the edge keeps a copy: fresh until `freshUntil` (epoch ms), then served stale for `staleSeconds` while a new one renders. */
interface EdgeLifetime {
  freshUntil: number;
  staleSeconds: number;
}

/**
 * How long the edge may keep `res`, rendered at `now`; null when it must not be kept at all: not
 * a 200, a Set-Cookie, private / no-store / no-cache, no s-maxage or max-age of its own, or a
 * Vary on a request header the cache does not key by. Fresh for its s-maxage (else max-age), at
 * most `limitSeconds`, and never past the end of the minute it was rendered in: the data changes
 * once a minute, so every location's copy turns stale at the same moment, when new runs may be
 * there to show. Stale for its stale-while-revalidate, at most MAX_STALE_SECONDS.
 */
export function edgeLifetime(res: Response, limitSeconds: number, now: number): EdgeLifetime | null {
  if (limitSeconds <= 0 || res.status !== 200 || res.headers.has("set-cookie")) return null;
  const directives = cacheDirectives(res.headers.get("cache-control"));
  if (["private", "no-store", "no-cache"].some((name) => directives.has(name))) return null;
  const vary = (res.headers.get("vary") ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (vary.some((name) => !IGNORABLE_VARY.has(name))) return null;
  const freshness = Number(directives.get("s-maxage") ?? directives.get("max-age"));
  if (!Number.isInteger(freshness) || freshness <= 0) return null;
  const minuteEnd = Math.floor(now / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const stale = Number(directives.get("stale-while-revalidate") ?? 0);
  return {
    freshUntil: Math.min(now + Math.min(limitSeconds, freshness) * 1000, minuteEnd),
    staleSeconds: Number.isInteger(stale) && stale > 0 ? Math.min(stale, MAX_STALE_SECONDS) : 0,
  };
}

/** A copy as the Cache API holds it. */
type StoredCopy = Response;

/** The copy to store: kept while fresh and stale, its own Cache-Control set aside for its readers. */
export function forStorage(res: Response, lifetime: EdgeLifetime, now = Date.now()): StoredCopy {
  const headers = new Headers(res.headers);
  headers.set(ORIGINAL_CACHE_CONTROL, res.headers.get("cache-control") ?? "");
  headers.set(FRESH_UNTIL, String(lifetime.freshUntil));
  headers.set(STALE_UNTIL, String(lifetime.freshUntil + lifetime.staleSeconds * 1000));
  const keep = Math.max(1, Math.ceil((lifetime.freshUntil - now) / 1000) + lifetime.staleSeconds);
  headers.set("cache-control", `public, max-age=${keep}`);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** When a stored copy turns stale, and when it may no longer be served even stale (epoch ms; 0 when unknown). */
export function storedLifetime(stored: StoredCopy): { freshUntil: number; staleUntil: number } {
  const freshUntil = Number(stored.headers.get(FRESH_UNTIL));
  const staleUntil = Number(stored.headers.get(STALE_UNTIL));
  return Number.isFinite(freshUntil) && Number.isFinite(staleUntil)
    ? { freshUntil, staleUntil }
    : { freshUntil: 0, staleUntil: 0 };
}

/** Whether a stored copy is past its freshness (it is then served while a new one renders). */
export function isStale(stored: StoredCopy, now: number): boolean {
  return now >= storedLifetime(stored).freshUntil;
}

/** A stored copy as readers get it: with the answer's own Cache-Control back, and none of the cache's own headers. */
export function fromStorage(stored: StoredCopy): Response {
  const headers = new Headers(stored.headers);
  const original = headers.get(ORIGINAL_CACHE_CONTROL);
  headers.delete(ORIGINAL_CACHE_CONTROL);
  headers.delete(FRESH_UNTIL);
  headers.delete(STALE_UNTIL);
  if (original) headers.set("cache-control", original);
  else headers.delete("cache-control");
  return new Response(stored.body, { status: stored.status, statusText: stored.statusText, headers });
}

/** Headers a 304 leaves out: those of the body, and the CSP (a policy belongs to the body it came with). */
const NOT_ON_304 = ["content-length", "content-type", "content-encoding", "content-security-policy"];

/** A 304 for `res`: its headers (ETag, Cache-Control, the security headers) without its body. */
export function notModified(res: Response): Response {
  const headers = new Headers(res.headers);
  for (const name of NOT_ON_304) headers.delete(name);
  return new Response(null, { status: 304, statusText: "Not Modified", headers });
}
