/**
 * The tick's dependencies for tests that call src/tick/ directly (to pass their own fleet):
 * real D1 stores on env.DB, shards run by executeShard inside real RegionRunner objects (their
 * own durable storage as the buffer), real HTTP to the targets, the test config's channels.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { parseConfig } from "../../../src/config.ts";
import { createChannels } from "../../../src/incidents/channels/registry.ts";
import type { LoadedProbe } from "../../../src/probe/registry.ts";
import { runProbe, type RunnerDeps } from "../../../src/probe/run-probe.ts";
import { regionRunner } from "../../../src/schedule/region-runner.ts";
import { DurableObjectResultBuffer } from "../../../src/schedule/result-buffer.ts";
import { executeShard } from "../../../src/schedule/shard-executor.ts";
import { PAID_LIMITS } from "../../../src/schedule/shard-plan.ts";
import { dayHistoryUpkeep } from "../../../src/status/refresh-day-history.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { D1ReleaseStore } from "../../../src/storage/release-store.ts";
import { D1HeartbeatStore } from "../../../src/storage/heartbeat-store.ts";
import { DEFAULT_RETENTION } from "../../../src/storage/retention.ts";
import type { TickDeps } from "../../../src/tick/tick-deps.ts";

interface FleetTickOptions {
  /** {{env:NAME}} values the probes read; the test may change them between ticks. */
  values?: Record<string, string>;
  /** Runner objects are named `<runnerPrefix>-<shard>`, so test files do not share buffers. */
  runnerPrefix?: string;
}

export function fleetTickDeps(probes: readonly LoadedProbe[], options: FleetTickOptions = {}): TickDeps {
  const config = parseConfig(env);
  const values = options.values ?? {};
  const byId = new Map(probes.map((p) => [p.probe.id, p]));
  const runs = new D1RunStore(env.DB);
  const runner = (): RunnerDeps => ({
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    randomId: () => crypto.randomUUID(),
    values: { ...config.values, ...values },
    allowPrivateTargets: true,
  });
  return {
    probes,
    limits: PAID_LIMITS,
    retention: DEFAULT_RETENTION,
    runs,
    ...incidentStores(env.DB),
    releases: new D1ReleaseStore(env.DB),
    dayHistories: new D1DayHistoryStore(env.DB),
    heartbeats: new D1HeartbeatStore(env.DB),
    runShard: (request) =>
      runInDurableObject(
        regionRunner(env, request.region, `${options.runnerPrefix ?? "fleet"}-${request.shard}`),
        (_instance, state) =>
          executeShard(request, {
            probes: byId,
            store: runs,
            buffer: new DurableObjectResultBuffer(state.storage),
            runner: runner(),
            colo: async () => request.region,
            confirm: async (probeId, region, slotAt) => {
              const result = await runProbe(byId.get(probeId)!, { region, colo: region, slotAt }, runner());
              return {
                region,
                status: result.status,
                ...(result.failure ? { failureClass: result.failure.class } : {}),
              };
            },
          }),
      ),
    channelNames: config.channels.map((c) => c.name),
    channels: () => createChannels(config.channels, (name) => config.values[name]),
    fetch: (input, init) => fetch(input, init),
    allowPrivateTargets: true,
    dayHistoryUpkeep: dayHistoryUpkeep(),
    now: Date.now,
    random: () => 0.5,
  };
}
