/**
 * How many of a cached public read's requests render it (and read D1). The Worker keeps each
 * answer in the cache of the Cloudflare location that served it (src/api/edge-cache.ts), so a
 * location renders a URL at most once per cache lifetime, and never more often than it is asked:
 * renders = min(requests, locations x seconds / lifetime). An upper bound: a location with fewer
 * viewers than one per lifetime renders less, and one whose copy is evicted renders more.
 */
export interface RenderCache {
  /** The Cloudflare locations the viewers reach (each has its own cache). */
  colos: number;
  /** The edge cache lifetime, PUBLIC_CACHE_SECONDS (capped by each answer's max-age); 0 = off. */
  cacheSeconds: number;
}

export function rendersOf(requests: number, seconds: number, cache: RenderCache): number {
  if (cache.cacheSeconds <= 0) return requests;
  return Math.min(requests, (cache.colos * seconds) / cache.cacheSeconds);
}
