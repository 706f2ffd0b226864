import type { RunResult } from "../probe/result.ts";
import type { ReadDeps } from "../queries/read-deps.ts";
import type { OutboxStore } from "../storage/outbox-store.ts";
import type { TokenStore } from "../storage/token-store.ts";
import type { D1HeartbeatStore } from "../storage/heartbeat-store.ts";
import type { ReleaseReader, ReleaseWriter } from "../storage/release-store.ts";
import type { ScreenshotStore } from "../storage/screenshot-store.ts";
import type { Scope } from "../auth/api-token.ts";

/** What every route may use. Built once per request by src/index.ts; routes never read env. */
export interface AppDeps extends ReadDeps {
  tokens: TokenStore;
  /** The notification outbox (read-token holders only). */
  outbox: OutboxStore;
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

/** The shape of a Rate Limiting binding (`[[ratelimits]]` in wrangler.toml); see rate-limit.ts. */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** Who is calling, once the token checked out (auth.ts). */
export interface Caller {
  tokenId: string;
  scopes: readonly Scope[];
}

/** Why the request carries no usable token, for the 401 of routes that need one. */
export type Rejection = "missing" | "not-afterlife" | "unknown";

export interface AppEnv {
  Bindings: { deps: AppDeps };
  Variables: {
    tokenId?: string;
    caller?: Caller | Rejection;
  };
}
