/**
 * The region runner: a Durable Object created with a locationHint for its region, one per
 * (region, shard). It is the only module besides src/index.ts that touches env and
 * cloudflare:* — it adapts the platform to executeShard().
 */
import { latencyThresholdsOf } from "../slo/latency-thresholds.ts";
import { DurableObject } from "cloudflare:workers";
import { parseConfig, type Config, type WorkerEnv } from "../config.ts";
import { probeModules } from "../generated/probe-registry.ts";
import { isLoadedBrowser, isLoadedHttp, loadRegistry } from "../probe/registry.ts";
import type { Confirmation, RunResult } from "../probe/result.ts";
import { runProbe, type RunOptions, type RunnerDeps } from "../probe/run-probe.ts";
import { bindingBrowserPool } from "../probe/browser/browser-binding.ts";
import { runThroughBrowserService } from "../probe/browser/browser-service.ts";
import type { BrowserRun } from "../probe/browser/run-browser-probe.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import { R2ScreenshotStore } from "../storage/screenshot-store.ts";
import { D1RunStore } from "../storage/d1-run-store.ts";
import { DurableObjectResultBuffer } from "./result-buffer.ts";
import {
  executeShard,
  flushBuffer,
  type ShardExecutorDeps,
  type ShardReport,
  type ShardRequest,
} from "./shard-executor.ts";

const probes = new Map(loadRegistry(probeModules).map((p) => [p.probe.id, p]));
const latencyThresholdOf = latencyThresholdsOf(probes.values());
const RETRY_BUFFER_AFTER_MS = 30_000;
/** After a flush that worked but left more (it writes FLUSH_CHUNK at a time): the next chunk soon. */
const NEXT_CHUNK_AFTER_MS = 1_000;
const TRACE_URL = "https://www.cloudflare.com/cdn-cgi/trace";

export interface RegionRunnerEnv extends WorkerEnv {
  REGION_RUNNER: DurableObjectNamespace<RegionRunner>;
  PUBLIC_RATE_LIMIT: RateLimit;
  WRITE_RATE_LIMIT: RateLimit;
  HEARTBEAT_RATE_LIMIT: RateLimit;
  /** Browser Rendering (wrangler.toml [browser]): runs browser probes in production. */
  BROWSER?: Fetcher;
  /** R2 bucket of failure screenshots of browser runs (wrangler.toml [[r2_buckets]]). */
  SCREENSHOTS?: R2Bucket;
  /** Optional: without it (an older wrangler.toml) pages' ETags do not change with a release. */
  CF_VERSION_METADATA?: WorkerVersionMetadata;
}

/**
 * Where browser probes run: Browser Rendering (the BROWSER binding) in production; the local
 * browser service when `npm start` set one up (wrangler's local Browser Rendering downloads
 * Chrome for Testing, which an offline machine cannot); nowhere otherwise, and then the tick
 * leaves browser probes out (no data) instead of failing them.
 */
export function browserSource(env: RegionRunnerEnv, config: Config): "binding" | "service" | undefined {
  if (config.environment === "production" && env.BROWSER !== undefined) return "binding";
  return config.browserServiceUrl !== undefined ? "service" : undefined;
}

/** The stub of the runner for (region, name), placed near the region. */
export function regionRunner(env: RegionRunnerEnv, region: string, name: string): DurableObjectStub<RegionRunner> {
  return env.REGION_RUNNER.get(env.REGION_RUNNER.idFromName(`${region}:${name}`), {
    locationHint: region as DurableObjectLocationHint,
  });
}

export class RegionRunner extends DurableObject<RegionRunnerEnv> {
  private coloCache: string | undefined;
  private parsedConfig: Config | undefined;

  /** The object's env does not change while it lives: parse it once. */
  private config(): Config {
    this.parsedConfig ??= parseConfig(this.env);
    return this.parsedConfig;
  }

  private runnerDeps(): RunnerDeps {
    const config = this.config();
    return {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      randomId: () => crypto.randomUUID(),
      values: config.values,
      publicValueNames: config.publicValueNames,
      allowPrivateTargets: config.allowPrivateTargets,
    };
  }

  /** Where this object really runs: the colo from /cdn-cgi/trace in production, the label locally. */
  private async colo(region: string): Promise<string> {
    if (this.coloCache) return this.coloCache;
    if (this.config().environment !== "production") return region;
    try {
      const trace = await (await fetch(TRACE_URL, { signal: AbortSignal.timeout(2000) })).text();
      this.coloCache = /^colo=(\w+)$/m.exec(trace)?.[1] ?? region;
    } catch {
      return region;
    }
    return this.coloCache;
  }

  /**
   * How this object runs browser probes: Browser Rendering (BROWSER) in production, a pool whose
   * browsers the caller closes when its shard is done; the local browser service in development;
   * none without either.
   */
  private browserRunner():
    | { run: (probe: LoadedProbe, options: RunOptions) => Promise<BrowserRun>; close: () => Promise<void> }
    | undefined {
    const config = this.config();
    const source = browserSource(this.env, config);
    if (source === "binding") {
      return bindingBrowserPool(this.env.BROWSER!, {
        now: Date.now,
        randomId: () => crypto.randomUUID(),
        values: config.values,
        publicValueNames: config.publicValueNames,
        allowPrivateTargets: config.allowPrivateTargets,
      });
    }
    const url = config.browserServiceUrl;
    if (url === undefined) return undefined;
    const run = async (probe: LoadedProbe, options: RunOptions) => {
      if (!isLoadedBrowser(probe)) throw new TypeError(`probe ${probe.probe.id} is not a browser probe`);
      return runThroughBrowserService(probe, options, {
        url,
        fetch: (input, init) => fetch(input, init),
        now: Date.now,
        values: config.values,
        publicValueNames: config.publicValueNames,
        allowPrivateTargets: config.allowPrivateTargets,
      });
    };
    return { run, close: async () => {} };
  }

  private deps(region: string, browser = this.browserRunner()): ShardExecutorDeps {
    return {
      ...(browser ? { browser: browser.run } : {}),
      ...(this.env.SCREENSHOTS ? { screenshots: new R2ScreenshotStore(this.env.SCREENSHOTS) } : {}),
      probes,
      store: new D1RunStore(this.env.DB, Date.now, { latencyThresholdOf }),
      buffer: new DurableObjectResultBuffer(this.ctx.storage),
      runner: this.runnerDeps(),
      colo: () => this.colo(region),
      confirm: (probeId, otherRegion, slotAt) =>
        regionRunner(this.env, otherRegion, "confirm").confirm(probeId, otherRegion, slotAt),
    };
  }

  /** Runs one shard of a tick and stores its results (or buffers them when D1 fails). */
  async runShard(request: ShardRequest): Promise<ShardReport> {
    const browser = this.browserRunner();
    let report: ShardReport;
    try {
      report = await executeShard(request, this.deps(request.region, browser));
    } finally {
      await browser?.close();
    }
    if (report.buffered > 0) await this.ctx.storage.setAlarm(Date.now() + RETRY_BUFFER_AFTER_MS);
    return report;
  }

  /** Runs a probe once from here, now (the API's "run now"). Stores nothing. */
  async runOnce(probeId: string, region: string, slotAt: number): Promise<RunResult> {
    const probe = probes.get(probeId);
    if (!probe || probe.probe.kind === "heartbeat")
      throw new Error(`unknown probe ${probeId} (heartbeats are not run, they are pinged)`);
    const options: RunOptions = { region, colo: await this.colo(region), slotAt };
    if (isLoadedHttp(probe)) return runProbe(probe, options, this.runnerDeps());
    const browser = this.browserRunner();
    if (!browser) throw new Error(`probe ${probeId} is a browser probe and no browser is bound here (BROWSER)`);
    try {
      // A run made now or to confirm stores nothing, its screenshot neither.
      return (await browser.run(probe, options)).result;
    } finally {
      await browser.close();
    }
  }

  /** Runs a probe once from here to confirm another region's failure. Stores nothing. */
  async confirm(probeId: string, region: string, slotAt: number): Promise<Confirmation> {
    const result = await this.runOnce(probeId, region, slotAt);
    return { region, status: result.status, ...(result.failure ? { failureClass: result.failure.class } : {}) };
  }

  /** Retries buffered results until D1 takes them, one bounded chunk per alarm. */
  override async alarm(): Promise<void> {
    const outcome = await flushBuffer({
      store: new D1RunStore(this.env.DB, Date.now, { latencyThresholdOf }),
      buffer: new DurableObjectResultBuffer(this.ctx.storage),
    });
    if (outcome.remaining === 0) return;
    if (outcome.error)
      console.error(
        JSON.stringify({ event: "buffer_flush_failed", remaining: outcome.remaining, error: outcome.error }),
      );
    await this.ctx.storage.setAlarm(Date.now() + (outcome.error ? RETRY_BUFFER_AFTER_MS : NEXT_CHUNK_AFTER_MS));
  }

  /** How many results wait for D1 (for the watchdog and the tests). */
  async bufferedCount(): Promise<number> {
    return new DurableObjectResultBuffer(this.ctx.storage).count();
  }
}
