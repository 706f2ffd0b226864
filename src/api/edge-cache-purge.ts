/**
 * Writes through the API purge the public copies they change, so whoever wrote an incident or a
 * maintenance window (and every reader of the same Cloudflare location) sees it at once instead
 * of at the end of the minute.
 *
 * The Cache API is per location: a Worker can delete copies only where it runs. Every other
 * location's copy turns stale at the end of its minute (edge-cache-policy.ts) and is rendered
 * again then, so a change shows everywhere within a minute. A global purge would need the
 * Cloudflare API and a token with cache-purge rights; one minute is the status page's promise.
 */
import type { Context } from "hono";
import type { AppEnv } from "./app-env.ts";
import { CACHE_NAME, cacheKeyUrl } from "./edge-cache.ts";
import { isolateCopies } from "./edge-cache-memory.ts";

/** The pages' query parameters that make another copy of a probe's page. */
const PROBE_PAGE_RANGES = ["", "?range=24h", "?range=7d", "?range=30d"];

/** What shows incidents and maintenance, whichever probes they touch. */
const NOTICE_PATHS = [
  "/",
  "/history",
  "/feed.atom",
  "/api/v2/summary.json",
  "/api/v2/status.json",
  "/api/v2/components.json",
  "/api/v2/incidents.json",
  "/api/v2/incidents/unresolved.json",
  "/api/v2/scheduled-maintenances.json",
  "/api/v2/scheduled-maintenances/upcoming.json",
  "/api/v2/scheduled-maintenances/active.json",
];

/** The paths of every copy of these probes' pages (each chart range). */
export function probePagePaths(probeIds: readonly string[]): string[] {
  return [...new Set(probeIds)].flatMap((id) =>
    PROBE_PAGE_RANGES.map((query) => `/probes/${encodeURIComponent(id)}${query}`),
  );
}

/** The paths (with their query) of the public copies an incident or maintenance change on these probes makes out of date. */
function pathsChangedByNotice(probeIds: readonly string[]): string[] {
  return [...NOTICE_PATHS, ...probePagePaths(probeIds)];
}

/** Deletes this location's copies of `paths` on the request's origin, and this isolate's. A failed delete is logged: the copy then ends with its minute. */
export async function purgeEdgeCopies(c: Context<AppEnv>, paths: readonly string[]): Promise<number> {
  if (c.env.deps.config.publicCacheSeconds <= 0) return 0;
  const origin = new URL(c.req.url).origin;
  const cache = await caches.open(CACHE_NAME);
  const deleted = await Promise.all(
    paths.map((path) => {
      const key = cacheKeyUrl(origin + path);
      isolateCopies.purge(key);
      return cache.delete(new Request(key)).catch((error: unknown) => {
        console.error("edge cache purge failed", path, error);
        return false;
      });
    }),
  );
  return deleted.filter(Boolean).length;
}

/** The purge after an incident or maintenance write on these probes. */
export function purgeAfterNoticeWrite(c: Context<AppEnv>, probeIds: readonly string[]): Promise<number> {
  return purgeEdgeCopies(c, pathsChangedByNotice(probeIds));
}
