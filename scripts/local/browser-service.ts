/**
 * The local browser service: what runs browser probes for `wrangler dev`, which has no browser
 * of its own offline. The region runner posts "run this probe" (browser-service.ts in src/probe/
 * browser); the service loads the same probe file, checks it is the version the Worker runs, and
 * runs its journey with the Worker's runner in the machine's Chromium, one browser kept open
 * between runs (as production reuses Browser Rendering sessions), a fresh context per run.
 * It listens on loopback only and logs no values: the request carries the Worker's secrets.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import type { BrowserServiceRequest, BrowserServiceResponse } from "../../src/probe/browser/browser-service.ts";
import { runBrowserProbe } from "../../src/probe/browser/run-browser-probe.ts";
import { inspectProbes } from "../../src/probe/registry.ts";
import { launchLocalChromium } from "./chromium.ts";

export interface BrowserService {
  url: string;
  server: Server;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
}

/** Starts the service on 127.0.0.1 for the project at `root`, with the Chromium at `chromiumPath`. */
export async function startBrowserService(options: {
  root: string;
  chromiumPath: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<BrowserService> {
  let browser: Promise<Browser> | undefined;
  const connected = async (): Promise<Browser> => {
    const current = browser ? await browser.catch(() => undefined) : undefined;
    if (current?.isConnected()) return current;
    browser = launchLocalChromium(options.chromiumPath);
    return browser;
  };

  const server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text).toString(),
      });
      res.end(text);
    };
    try {
      if (req.method !== "POST" || req.url !== "/run") return reply(404, { error: "POST /run only" });
      const request = (await readJson(req)) as BrowserServiceRequest;
      if (!/^probes\/[\w.-]+\.ts$/.test(request.file))
        return reply(400, { error: `not a probe file: ${request.file}` });
      // The version in the URL makes a changed file load afresh; an unchanged one comes from the cache.
      const url = `${pathToFileURL(join(options.root, request.file)).href}?v=${encodeURIComponent(request.version)}`;
      const module = (await import(url)) as { default?: unknown };
      const { loaded } = inspectProbes([{ file: request.file, definition: module.default }]);
      const found = loaded.find((p) => p.probe.id === request.probeId);
      if (!found) return reply(409, { error: `${request.file} has no valid probe '${request.probeId}' here` });
      // The Worker's bundler rewrites the journey's source, so its version hash differs from Node's:
      // the run is labelled with the Worker's version, the one its history is kept under.
      const probe = { ...found, version: request.version };
      const started = performance.now();
      const live = await connected();
      const { result, screenshot } = await runBrowserProbe(probe, request.options, {
        browser: live,
        acquireMs: Math.round(performance.now() - started),
        now: () => performance.timeOrigin + performance.now(),
        randomId: () => crypto.randomUUID(),
        values: request.values,
        publicValueNames: new Set(request.publicValueNames),
        allowPrivateTargets: request.allowPrivateTargets,
      });
      const answer: BrowserServiceResponse = {
        result,
        ...(screenshot
          ? {
              screenshot: {
                contentType: screenshot.contentType,
                width: screenshot.width,
                height: screenshot.height,
                base64: Buffer.from(screenshot.bytes).toString("base64"),
              },
            }
          : {}),
      };
      options.log?.(
        `browser run ${result.runId}: ${result.status}${result.failure ? ` (${result.failure.class} at "${result.failure.step}")` : ""}`,
      );
      return reply(200, answer);
    } catch (error) {
      // The message only: a stack or a request would carry values.
      return reply(500, { error: error instanceof Error ? error.message.slice(0, 300) : "failed" });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const open = browser ? await browser.catch(() => undefined) : undefined;
      await open?.close().catch(() => undefined);
    },
  };
}
