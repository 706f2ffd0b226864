/**
 * Running probes from the command line: the values they read (wrangler.toml [vars], .dev.vars,
 * the shell), the demo shop when asked for, and the Worker's own runner with loopback allowed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { runBrowserProbe } from "../../src/probe/browser/run-browser-probe.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { reproScript } from "../../src/probe/repro-script.ts";
import type { RunResult } from "../../src/probe/result.ts";
import { runProbe } from "../../src/probe/run-probe.ts";
import { REGIONS } from "../../src/probe/schema.ts";
import { slotOf } from "../../src/schedule/plan.ts";
import { DEMO_PASSWORD, startShop, type RunningShop } from "../demo-target/shop.ts";
import { CHROMIUM_INSTALL_HINT, findChromium, launchLocalChromium } from "../local/chromium.ts";
import { ROOT } from "../local/local-network.ts";
import { localValues, localVarNames } from "./local-values.ts";
import { UsageError } from "./usage-error.ts";

export interface LocalRunOptions {
  demo: boolean;
  baseUrl?: string | undefined;
  vars: Record<string, string>;
  region?: string | undefined;
}

/** Where `run` and `test` write a failed browser run's screenshot. */
const SCREENSHOT_DIR = join(tmpdir(), "afterlife-screenshots");

interface LocalRunner {
  /** Runs the probe once; a browser probe's failure screenshot is written to `screenshotFile`. */
  run(loaded: LoadedProbe): Promise<RunResult & { screenshotFile?: string }>;
  /** The repro script of a failed run (undefined when it passed). */
  repro(loaded: LoadedProbe, result: RunResult): string | undefined;
  close(): Promise<void>;
}

export function parseVars(pairs: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--var ${pair}: expected name=value, e.g. --var orderId=42`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return vars;
}

export function checkRegion(region: string | undefined): string | undefined {
  if (region !== undefined && !(REGIONS as readonly string[]).includes(region))
    throw new UsageError(`--region ${region}: expected one of ${REGIONS.join(", ")}`);
  return region;
}

export function checkUrl(flag: string, url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new UsageError(`${flag} ${url}: expected an http(s) URL such as https://staging.example.com`);
  }
  return url;
}

export async function localRunner(options: LocalRunOptions): Promise<LocalRunner> {
  const values = localValues(ROOT);
  const publicNames = new Set(localVarNames(ROOT));
  let shop: RunningShop | undefined;
  if (options.demo) {
    values.SHOP_PASSWORD ??= DEMO_PASSWORD;
    shop = await startShop({ password: values.SHOP_PASSWORD });
    values.SHOP_URL = shop.url;
  }
  const withBase = (loaded: LoadedProbe): LoadedProbe =>
    options.baseUrl && loaded.probe.kind !== "heartbeat"
      ? { ...loaded, probe: { ...loaded.probe, baseUrl: options.baseUrl } }
      : loaded;
  const regionOf = (loaded: LoadedProbe) => options.region ?? loaded.probe.regions[0]!;
  // One Chromium for every browser probe of this command, launched on the first one.
  let browser: Promise<Browser> | undefined;
  const runBrowser = async (loaded: LoadedProbe) => {
    const path = findChromium();
    if (!path)
      throw new UsageError(`${loaded.probe.id} is a browser probe and no Chromium was found: ${CHROMIUM_INSTALL_HINT}`);
    const acquireStart = performance.now();
    browser ??= launchLocalChromium(path);
    const live = await browser;
    const acquireMs = Math.round(performance.now() - acquireStart);
    const { result, screenshot } = await runBrowserProbe(
      withBase(loaded),
      { region: regionOf(loaded), colo: "local", slotAt: slotOf(Date.now()), vars: options.vars },
      {
        browser: live,
        acquireMs,
        now: () => performance.timeOrigin + performance.now(),
        randomId: () => crypto.randomUUID(),
        values,
        publicValueNames: publicNames,
        allowPrivateTargets: true,
      },
    );
    if (!screenshot || !result.browser?.screenshot) return result;
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const screenshotFile = join(SCREENSHOT_DIR, result.browser.screenshot.key.replace(/^screenshots\//, ""));
    writeFileSync(screenshotFile, screenshot.bytes);
    return { ...result, screenshotFile };
  };
  return {
    run: (loaded) =>
      loaded.probe.kind === "browser"
        ? runBrowser(loaded)
        : runProbe(
            withBase(loaded),
            { region: regionOf(loaded), colo: "local", slotAt: slotOf(Date.now()), vars: options.vars },
            {
              fetch: globalThis.fetch,
              now: () => performance.timeOrigin + performance.now(),
              randomId: () => crypto.randomUUID(),
              values,
              publicValueNames: publicNames,
              // QA's own machine: staging on a private network or a local server is a fair target.
              allowPrivateTargets: true,
            },
          ),
    repro: (loaded, result) => {
      const { probe } = withBase(loaded);
      return probe.kind === "http"
        ? reproScript(probe, result, { values, publicNames, vars: options.vars, region: result.region })
        : undefined;
    },
    close: async () => {
      if (browser) await (await browser.catch(() => undefined))?.close();
      await shop?.close();
    },
  };
}
