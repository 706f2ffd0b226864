/**
 * The entry point: with the region runner object, the only module that reads env. It builds
 * the dependencies and hands them to the Hono app (fetch) and to the tick (scheduled, src/tick/).
 */
import { createApp } from "./api/app.ts";
import { heldAnswer } from "./api/edge-cache.ts";
import type { AppDeps } from "./api/app-env.ts";
import { parseConfig, type Config } from "./config.ts";
import { probeModules } from "./generated/probe-registry.ts";
import { loadRegistry, type LoadedProbe } from "./probe/registry.ts";
import { createChannels } from "./incidents/channels/registry.ts";
import { browserSource, regionRunner, type RegionRunnerEnv } from "./schedule/region-runner.ts";
import { FREE_LIMITS, PAID_LIMITS } from "./schedule/shard-plan.ts";
import { slotOf } from "./schedule/plan.ts";
import { dayHistoryUpkeep } from "./status/refresh-day-history.ts";
import { D1RunStore } from "./storage/d1-run-store.ts";
import { D1DayHistoryStore } from "./storage/day-history-store.ts";
import { incidentStores } from "./storage/incident-stores.ts";
import { D1TokenStore } from "./storage/token-store.ts";
import { R2ScreenshotStore } from "./storage/screenshot-store.ts";
import { D1ReleaseStore } from "./storage/release-store.ts";
import { D1HeartbeatStore } from "./storage/heartbeat-store.ts";
import { DEFAULT_RETENTION } from "./storage/retention.ts";
import { latencyThresholdsOf } from "./slo/latency-thresholds.ts";
import { runTick } from "./tick/run-tick.ts";
import type { TickDeps } from "./tick/tick-deps.ts";

export { RegionRunner } from "./schedule/region-runner.ts";

// Validated once per isolate; a broken probe fails loudly instead of running half the fleet.
const probes = loadRegistry(probeModules);
const latencyThresholdOf = latencyThresholdsOf(probes);
const app = createApp();
const dayHistoryUpkeepOfIsolate = dayHistoryUpkeep();

/**
 * What the Worker derives from env alone: its configuration and the fleet it runs. Derived once
 * per env object, which the runtime hands to every request of an isolate, not once per request:
 * zod's parse of the vars was the largest single cost of a status page served from the edge
 * cache (npm run bench:page). An invalid configuration is not kept: it throws on every request.
 */
interface Derived {
  config: Config;
  probes: readonly LoadedProbe[];
}

const ofEnv = new WeakMap<RegionRunnerEnv, Derived>();

function derivedFrom(env: RegionRunnerEnv): Derived {
  let derived = ofEnv.get(env);
  if (derived === undefined) {
    const config = parseConfig(env);
    derived = { config, probes: runnableProbes(env, config) };
    ofEnv.set(env, derived);
  }
  return derived;
}

function appDeps(env: RegionRunnerEnv, { config, probes }: Derived): AppDeps {
  return {
    config,
    probes,
    store: new D1RunStore(env.DB, Date.now, { latencyThresholdOf }),
    dayHistory: new D1DayHistoryStore(env.DB),
    tokens: new D1TokenStore(env.DB),
    ...incidentStores(env.DB),
    releases: new D1ReleaseStore(env.DB),
    heartbeats: new D1HeartbeatStore(env.DB),
    rateLimits: {
      publicReads: env.PUBLIC_RATE_LIMIT,
      writes: env.WRITE_RATE_LIMIT,
      heartbeats: env.HEARTBEAT_RATE_LIMIT,
    },
    version: env.CF_VERSION_METADATA?.id ?? "unversioned",
    ...(env.SCREENSHOTS ? { screenshots: new R2ScreenshotStore(env.SCREENSHOTS) } : {}),
    runNow: (probeId, region) => regionRunner(env, region, "adhoc").runOnce(probeId, region, slotOf(Date.now())),
    now: Date.now,
  };
}

/**
 * The fleet of this deployment: browser probes only where a browser can run them (browserSource).
 * Elsewhere (a machine without Chromium) they are left out of the ticks, the page and the API
 * alike, rather than shown forever without data; `npm start` says so once.
 */
function runnableProbes(env: RegionRunnerEnv, config: Config) {
  return browserSource(env, config) !== undefined ? probes : probes.filter((p) => p.probe.kind !== "browser");
}

function tickDeps(env: RegionRunnerEnv): TickDeps {
  const { config, probes } = derivedFrom(env);
  return {
    probes,
    limits: config.plan === "free" ? FREE_LIMITS : PAID_LIMITS,
    retention: { ...DEFAULT_RETENTION, rawRunDays: config.rawRetentionDays },
    runs: new D1RunStore(env.DB, Date.now, { latencyThresholdOf }),
    ...incidentStores(env.DB),
    releases: new D1ReleaseStore(env.DB),
    dayHistories: new D1DayHistoryStore(env.DB),
    heartbeats: new D1HeartbeatStore(env.DB),
    runShard: (request) => regionRunner(env, request.region, `shard-${request.shard}`).runShard(request),
    channelNames: config.channels.map((c) => c.name),
    channels: () => createChannels(config.channels, (name) => config.values[name]),
    fetch: (input, init) => fetch(input, init),
    allowPrivateTargets: config.allowPrivateTargets,
    dayHistoryUpkeep: dayHistoryUpkeepOfIsolate,
    now: Date.now,
    random: Math.random,
  };
}

export default {
  fetch(request, env, ctx) {
    // A fresh copy in this isolate's edge cache answers before any dependency is built.
    const derived = derivedFrom(env);
    const held = derived.config.publicCacheSeconds > 0 ? heldAnswer(request, Date.now()) : undefined;
    return held ?? app.fetch(request, { deps: appDeps(env, derived) }, ctx);
  },

  async scheduled(controller, env, ctx) {
    const work = runTick(controller.scheduledTime, tickDeps(env));
    ctx.waitUntil(work);
    await work;
  },
} satisfies ExportedHandler<RegionRunnerEnv>;
