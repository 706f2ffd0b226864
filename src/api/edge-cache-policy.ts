/**
 * What the edge cache may keep, for how long, and the headers of a copy on its way in and out.
 * Pure functions of headers, so the rules are tested without a cache.
 */

/**
 * The header the stored copy keeps the answer's own Cache-Control in. The copy is stored with
 * `max-age=<seconds>` alone, so the cache keeps it exactly as long as decided here, whatever an
 * implementation makes of stale-while-revalidate (miniflare keeps the copy through it); readers
 * still get the answer's own header.
 */
const ORIGINAL_CACHE_CONTROL = "afterlife-origin-cache-control";

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

/**
 * Seconds the edge may keep `res`, at most `limitSeconds`; 0 when it must not be kept at all: not
 * a 200, a Set-Cookie, private / no-store / no-cache, no max-age or s-maxage of its own, or a
 * Vary on a request header the cache does not key by.
 */
export function edgeLifetime(res: Response, limitSeconds: number): number {
  if (limitSeconds <= 0 || res.status !== 200 || res.headers.has("set-cookie")) return 0;
  const directives = cacheDirectives(res.headers.get("cache-control"));
  if (["private", "no-store", "no-cache"].some((name) => directives.has(name))) return 0;
  const vary = (res.headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (vary.some((name) => !IGNORABLE_VARY.has(name))) return 0;
  const freshness = Number(directives.get("s-maxage") ?? directives.get("max-age"));
  if (!Number.isInteger(freshness) || freshness <= 0) return 0;
  return Math.min(limitSeconds, freshness);
}

/** The copy to store: kept `seconds`, its own Cache-Control set aside for its readers. */
export function forStorage(res: Response, seconds: number): Response {
  const headers = new Headers(res.headers);
  headers.set(ORIGINAL_CACHE_CONTROL, res.headers.get("cache-control") ?? "");
  headers.set("cache-control", `public, max-age=${seconds}`);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/** A stored copy as readers get it: with the answer's own Cache-Control back. */
export function fromStorage(stored: Response): Response {
  const headers = new Headers(stored.headers);
  const original = headers.get(ORIGINAL_CACHE_CONTROL);
  headers.delete(ORIGINAL_CACHE_CONTROL);
  if (original) headers.set("cache-control", original);
  else headers.delete("cache-control");
  return new Response(stored.body, { status: stored.status, statusText: stored.statusText, headers });
}

/** Headers a 304 leaves out: those of the body, and the CSP (the reader's copy keeps the policy of its own nonce). */
const NOT_ON_304 = ["content-length", "content-type", "content-encoding", "content-security-policy"];

/** A 304 for `res`: its headers (ETag, Cache-Control, the security headers) without its body. */
export function notModified(res: Response): Response {
  const headers = new Headers(res.headers);
  for (const name of NOT_ON_304) headers.delete(name);
  return new Response(null, { status: 304, statusText: "Not Modified", headers });
}
