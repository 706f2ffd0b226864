/**
 * The entry point: with the region runner object, the only module that reads env. It builds
 * the dependencies and hands them to the Hono app (fetch) and to the dispatcher (scheduled).
 */
import { createApp } from "./api/app.ts";
import type { AppDeps } from "./api/app-env.ts";
import { parseConfig } from "./config.ts";
import { probeModules } from "./generated/probe-registry.ts";
import { loadRegistry } from "./probe/registry.ts";
import { applyBurnAlerts } from "./incidents/apply-burn-alerts.ts";
import { applyIncidentTick } from "./incidents/apply-tick.ts";
import { applyWatchdog } from "./incidents/apply-watchdog.ts";
import { createChannels } from "./incidents/channels/registry.ts";
import { deliverDue } from "./incidents/deliver-outbox.ts";
import { isInMaintenance } from "./incidents/maintenance-windows.ts";
import { dispatchTick } from "./schedule/dispatch-tick.ts";
import { regionRunner, type RegionRunnerEnv } from "./schedule/region-runner.ts";
import { dayHistoryUpkeep } from "./status/refresh-day-history.ts";
import { FREE_LIMITS, PAID_LIMITS } from "./schedule/shard-plan.ts";
import { slotOf } from "./schedule/plan.ts";
import { D1RunStore } from "./storage/d1-run-store.ts";
import { D1DayHistoryStore } from "./storage/day-history-store.ts";
import { D1IncidentStore } from "./storage/incident-store.ts";
import { D1TokenStore } from "./storage/token-store.ts";
import { DEFAULT_RETENTION } from "./storage/retention.ts";

export { RegionRunner } from "./schedule/region-runner.ts";

// Validated once per isolate; a broken probe fails loudly instead of running half the fleet.
const probes = loadRegistry(probeModules);
const app = createApp();
const dayHistoryUpkeepOfIsolate = dayHistoryUpkeep();

function appDeps(env: RegionRunnerEnv): AppDeps {
  return {
    config: parseConfig(env),
    probes,
    store: new D1RunStore(env.DB),
    dayHistory: new D1DayHistoryStore(env.DB),
    tokens: new D1TokenStore(env.DB),
    incidents: new D1IncidentStore(env.DB),
    rateLimits: { publicReads: env.PUBLIC_RATE_LIMIT, writes: env.WRITE_RATE_LIMIT },
    version: env.CF_VERSION_METADATA?.id ?? "unversioned",
    runNow: (probeId, region) => regionRunner(env, region, "adhoc").runOnce(probeId, region, slotOf(Date.now())),
    now: Date.now,
  };
}

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, { deps: appDeps(env) }, ctx);
  },

  async scheduled(controller, env, ctx) {
    const config = parseConfig(env);
    const incidents = new D1IncidentStore(env.DB);
    const runs = new D1RunStore(env.DB);
    const work = (async () => {
      // Read once per tick; the SLO exclusion, the incident step and the burn alerts all need them.
      const maintenances = await incidents.listMaintenances();
      const excludedFromSlo = maintenances.filter((m) => m.excludeFromSlo);
      const report = await dispatchTick(controller.scheduledTime, {
        probes,
        limits: config.plan === "free" ? FREE_LIMITS : PAID_LIMITS,
        retention: { ...DEFAULT_RETENTION, rawRunDays: config.rawRetentionDays },
        store: runs,
        runShard: (request) => regionRunner(env, request.region, `shard-${request.shard}`).runShard(request),
        maintenanceProbeIds: (slotAt) => probes.filter((p) => isInMaintenance(p.probe.id, excludedFromSlo, slotAt)).map((p) => p.probe.id),
      });
      const { outcomes, ...summary } = report;
      const channels = config.channels.map((c) => c.name);
      const alerts = await applyIncidentTick(outcomes, report.slotAt, { probes, store: incidents, channels, maintenances, now: Date.now() });
      const burn = await applyBurnAlerts({ probes, incidents, slo: { store: runs }, channels, maintenances, slotAt: report.slotAt, now: Date.now() });
      const watchdog = await applyWatchdog(report, { probes, incidents, channels, now: Date.now() });
      const delivery = await deliverDue({
        store: incidents,
        channels: createChannels(config.channels, (name) => config.values[name]),
        fetch: (input, init) => fetch(input, init),
        now: Date.now,
        random: Math.random,
        allowPrivateTargets: config.allowPrivateTargets,
      });
      // Last, and on its own: the page's day totals are upkeep, and never hold up or fail a tick.
      const dayHistory = await dayHistoryUpkeepOfIsolate({ probes, histories: new D1DayHistoryStore(env.DB), runs, now: Date.now() }).catch((error: unknown) => {
        console.error(JSON.stringify({ event: "day_history_failed", error: String(error) }));
        return { failed: true };
      });
      console.log(JSON.stringify({ event: "tick", ...summary, incidents: alerts, burn, watchdog, delivery, dayHistory }));
      if (report.unreachableShards.length) console.error(JSON.stringify({ event: "shards_unreachable", shards: report.unreachableShards }));
    })();
    ctx.waitUntil(work);
    await work;
  },
} satisfies ExportedHandler<RegionRunnerEnv>;
