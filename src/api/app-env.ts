import type { Config } from "../config.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunStore } from "../storage/run-store.ts";

/** What every route may use. Built once per request by src/index.ts; routes never read env. */
export interface AppDeps {
  config: Config;
  probes: readonly LoadedProbe[];
  store: RunStore;
  now: () => number;
}

export interface AppEnv {
  Bindings: { deps: AppDeps };
  Variables: { secureHeadersNonce?: string };
}
