/**
 * Drops this location's cached copies of public answers that a write changed (a new release
 * shows on the probe pages and the status page), so the next reader here gets a fresh one
 * rather than a copy up to PUBLIC_CACHE_SECONDS old. Other locations' copies expire on their own
 * within that bound: the Cache API reaches only its own location.
 */
import { CACHE_NAME, cacheKey } from "./edge-cache.ts";

export async function purgeEdgeCopies(urls: readonly string[]): Promise<number> {
  try {
    const cache = await caches.open(CACHE_NAME);
    const deleted = await Promise.all(urls.map((url) => cache.delete(cacheKey(url))));
    return deleted.filter(Boolean).length;
  } catch (error) {
    // A cache that fails to purge is a stale copy for at most its lifetime, never a failed write.
    console.error("edge cache purge failed", error);
    return 0;
  }
}
