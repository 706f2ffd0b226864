/**
 * Browser probes in production: Cloudflare Browser Rendering through the BROWSER binding, driven
 * by @cloudflare/playwright (Playwright's client running inside workerd). A pool per region
 * runner invocation: a browser is launched when a run needs one and none is free, reused by the
 * shard's next runs (a fresh context each, so no cookie crosses runs), and closed when the shard
 * ends, which ends its session and its billing. Sessions are not kept alive between ticks:
 * Browser Rendering bills a session's idle time too, and ticks are a minute apart.
 */
import type { Browser } from "playwright-core";
import type { LoadedProbe } from "../registry.ts";
import type { RunOptions } from "../run-probe.ts";
import { browserUnavailable, runBrowserProbe, type BrowserRun, type BrowserRunnerDeps } from "./run-browser-probe.ts";

interface BrowserPool {
  run(probe: LoadedProbe, options: RunOptions): Promise<BrowserRun>;
  /** Closes every browser the pool launched (their sessions end). */
  close(): Promise<void>;
}

/** Closes a session after this long without a command, should the invocation die before close(). */
const KEEP_ALIVE_MS = 60_000;

export function bindingBrowserPool(
  binding: Fetcher,
  deps: Omit<BrowserRunnerDeps, "browser" | "acquireMs">,
): BrowserPool {
  const idle: Browser[] = [];
  const launched: Browser[] = [];
  const acquire = async (): Promise<{ browser: Browser; acquireMs: number }> => {
    while (idle.length) {
      const free = idle.pop()!;
      if (free.isConnected()) return { browser: free, acquireMs: 0 };
    }
    const started = deps.now();
    // Loaded on first use: the library is large, and only a runner with a browser probe needs it.
    const { launch } = await import("@cloudflare/playwright");
    const browser = (await launch(binding as never, { keep_alive: KEEP_ALIVE_MS })) as unknown as Browser;
    launched.push(browser);
    return { browser, acquireMs: deps.now() - started };
  };
  return {
    async run(probe, options) {
      let got: { browser: Browser; acquireMs: number };
      const startedAt = deps.now();
      try {
        got = await acquire();
      } catch (error) {
        // No browser (the account's concurrency or launch-rate limit, an outage): a monitoring-side failure.
        return browserUnavailable(
          probe,
          options,
          startedAt,
          deps.now() - startedAt,
          `no browser from Browser Rendering: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      try {
        return await runBrowserProbe(probe, options, { ...deps, browser: got.browser, acquireMs: got.acquireMs });
      } finally {
        idle.push(got.browser);
      }
    },
    async close() {
      await Promise.all(launched.map((browser) => browser.close().catch(() => undefined)));
      launched.length = 0;
      idle.length = 0;
    },
  };
}
