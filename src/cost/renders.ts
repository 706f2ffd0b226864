/**
 * How many of a cached public read's requests render it (and read D1). The Worker keeps each
 * answer in the cache of the Cloudflare location that served it (src/api/edge-cache.ts), fresh
 * to the end of the minute it was rendered in (or PUBLIC_CACHE_SECONDS, if shorter), then
 * renders it once again in the background while the stale copy is served; readers that miss
 * together wait for one render. So a location renders a URL at most once per lifetime, and never
 * more often than it is asked: renders = min(requests, locations x seconds / lifetime), the
 * lifetime at most 60 s. An upper bound: a location with fewer viewers than one per lifetime
 * renders less; one whose copy is evicted, or whose isolates miss the Cache API together, more.
 */
interface RenderCache {
  /** The Cloudflare locations the viewers reach (each has its own cache). */
  colos: number;
  /** The edge cache lifetime, PUBLIC_CACHE_SECONDS (a copy never outlives its minute: above 60 counts as 60); 0 = off. */
  cacheSeconds: number;
}

/** The longest a copy is fresh: to the end of the minute it was rendered in. */
const MAX_CACHE_SECONDS = 60;

export function rendersOf(requests: number, seconds: number, cache: RenderCache): number {
  if (cache.cacheSeconds <= 0) return requests;
  return Math.min(requests, (cache.colos * seconds) / Math.min(cache.cacheSeconds, MAX_CACHE_SECONDS));
}
