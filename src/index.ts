/**
 * The entry point: the only module that reads env. It builds the dependencies and hands them
 * to the Hono app (fetch) and to the tick (scheduled).
 */
import { createApp } from "./api/app.ts";
import type { AppDeps } from "./api/app-env.ts";
import { parseConfig, type WorkerEnv } from "./config.ts";
import { probeModules } from "./generated/probe-registry.ts";
import { loadRegistry } from "./probe/registry.ts";
import type { RunnerDeps } from "./probe/run-probe.ts";
import { runTick } from "./schedule/run-tick.ts";
import { D1RunStore } from "./storage/d1-run-store.ts";

// Validated once per isolate; a broken probe fails the deploy's first request loudly.
const probes = loadRegistry(probeModules);
const app = createApp();

function appDeps(env: WorkerEnv): AppDeps {
  return { config: parseConfig(env), probes, store: new D1RunStore(env.DB), now: Date.now };
}

export default {
  fetch(request, env, ctx) {
    return app.fetch(request, { deps: appDeps(env) }, ctx);
  },

  async scheduled(controller, env, ctx) {
    const config = parseConfig(env);
    const runner: RunnerDeps = {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      randomId: () => crypto.randomUUID(),
      values: config.values,
      allowPrivateTargets: config.allowPrivateTargets,
    };
    const work = runTick(controller.scheduledTime, { probes, store: new D1RunStore(env.DB), runner, coloFor: (region) => region }).then((report) => {
      console.log(JSON.stringify({ event: "tick", ...report }));
    });
    ctx.waitUntil(work);
    await work;
  },
} satisfies ExportedHandler<WorkerEnv>;
