import type { Config } from "../config.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunResult } from "../probe/result.ts";
import type { RunStore } from "../storage/run-store.ts";
import type { D1DayHistoryStore } from "../storage/day-history-store.ts";
import type { D1IncidentStore } from "../storage/incident-store.ts";
import type { TokenStore } from "../storage/token-store.ts";
import type { D1HeartbeatStore } from "../storage/heartbeat-store.ts";
import type { ReleaseReader, ReleaseWriter } from "../storage/release-store.ts";
import type { ScreenshotStore } from "../storage/screenshot-store.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { Caller, Rejection } from "./auth.ts";

/** The incident store's public methods: what routes use, so a scoped view (visibility.ts) can stand in for it. */
export type IncidentStore = { [K in keyof D1IncidentStore]: D1IncidentStore[K] };

/** What every route may use. Built once per request by src/index.ts; routes never read env. */
export interface AppDeps {
  config: Config;
  probes: readonly LoadedProbe[];
  store: RunStore;
  /** The status page's day totals: closed days per probe, regions merged. */
  dayHistory: D1DayHistoryStore;
  tokens: TokenStore;
  incidents: IncidentStore;
  /** Releases and their watches' judgements (scoped for public callers in visibility.ts). */
  releases: ReleaseReader & ReleaseWriter;
  /** Heartbeat secrets and pings: only the ping route uses it. */
  heartbeats: Pick<D1HeartbeatStore, "find" | "recordPing">;
  /** publicReads per client IP (the API and the pings), writes per token, heartbeats per heartbeat. */
  rateLimits: { publicReads: RateLimiter; writes: RateLimiter; heartbeats: RateLimiter };
  /** The deployed version's id (a new one per deploy): the pages' ETags change with it. */
  version: string;
  /** Failure screenshots of browser runs (R2); absent when no bucket is bound. */
  screenshots?: Pick<ScreenshotStore, "get">;
  /** Runs a probe once, now, from a region's runner; stores nothing. */
  runNow: (probeId: string, region: string) => Promise<RunResult>;
  now: () => number;
}

export interface AppEnv {
  Bindings: { deps: AppDeps };
  Variables: {
    /** The CSP source of the pages' inline script (its hash). */
    scriptSource?: string;
    tokenId?: string;
    caller?: Caller | Rejection;
  };
}
