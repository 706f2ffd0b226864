/**
 * The Worker's own app and dependencies over the real local D1, with a probe list of the test's
 * choosing (the generated registry holds only the demo shop's probes).
 */
import { env } from "cloudflare:workers";
import { createApp } from "../../../src/api/app.ts";
import type { AppDeps } from "../../../src/api/app-env.ts";
import { parseConfig } from "../../../src/config.ts";
import type { LoadedProbe } from "../../../src/probe/registry.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { D1ReleaseStore } from "../../../src/storage/release-store.ts";
import { D1TokenStore } from "../../../src/storage/token-store.ts";
import { D1HeartbeatStore } from "../../../src/storage/heartbeat-store.ts";

export function appDeps(probes: readonly LoadedProbe[], overrides: Partial<AppDeps> = {}): AppDeps {
  return {
    config: parseConfig(env),
    probes,
    store: new D1RunStore(env.DB),
    dayHistory: new D1DayHistoryStore(env.DB),
    tokens: new D1TokenStore(env.DB),
    ...incidentStores(env.DB),
    releases: new D1ReleaseStore(env.DB),
    heartbeats: new D1HeartbeatStore(env.DB),
    rateLimits: {
      publicReads: { limit: async () => ({ success: true }) },
      writes: { limit: async () => ({ success: true }) },
      heartbeats: { limit: async () => ({ success: true }) },
    },
    version: "test",
    runNow: () => Promise.reject(new Error("not in this test")),
    now: Date.now,
    ...overrides,
  };
}

/** fetch against the Worker's app with these dependencies. */
export function appFetch(deps: AppDeps): (path: string, init?: RequestInit) => Promise<Response> {
  const app = createApp();
  return async (path, init) => app.request(`http://afterlife.test${path}`, init, { deps });
}
