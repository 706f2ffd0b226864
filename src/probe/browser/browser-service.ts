/**
 * The wire format between a Worker and the local browser service (scripts/local/browser-service.ts),
 * and the Worker's client for it. In local development workerd has no browser of its own
 * (wrangler's local Browser Rendering downloads Chrome for Testing, which offline machines cannot),
 * so the region runner sends "run this browser probe" to a service on loopback that runs the same
 * probe file's journey in the machine's Chromium with the same runner (run-browser-probe.ts).
 */
import type { LoadedBrowserProbe } from "../registry.ts";
import type { RunResult } from "../result.ts";
import type { RunOptions } from "../run-probe.ts";
import type { Screenshot } from "./screenshot.ts";
import { browserUnavailable, type BrowserRun } from "./run-browser-probe.ts";

export interface BrowserServiceRequest {
  /** The probe file, relative to the project root (the service loads the same file). */
  file: string;
  probeId: string;
  /** The Worker's version of the probe: the service loads the file afresh when it changes, and labels the run with it. */
  version: string;
  options: RunOptions;
  values: Record<string, string>;
  publicValueNames: string[];
  allowPrivateTargets: boolean;
}

export interface BrowserServiceResponse {
  result: RunResult;
  screenshot?: Omit<Screenshot, "bytes"> & { base64: string };
}

interface BrowserServiceClientDeps {
  url: string;
  fetch: typeof fetch;
  now: () => number;
  values: Readonly<Record<string, string>>;
  publicValueNames: ReadonlySet<string>;
  allowPrivateTargets: boolean;
}

/** What the service is given beyond the run's own deadline (start-up, screenshot, the answer). */
const SERVICE_GRACE_MS = 30_000;

function toBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Runs a browser probe through the local browser service. */
export async function runThroughBrowserService(
  loaded: LoadedBrowserProbe,
  options: RunOptions,
  deps: BrowserServiceClientDeps,
): Promise<BrowserRun> {
  const startedAt = deps.now();
  const body: BrowserServiceRequest = {
    file: loaded.file,
    probeId: loaded.probe.id,
    version: loaded.version,
    options,
    values: { ...deps.values },
    publicValueNames: [...deps.publicValueNames],
    allowPrivateTargets: deps.allowPrivateTargets,
  };
  try {
    const response = await deps.fetch(`${deps.url.replace(/\/$/, "")}/run`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(loaded.probe.runTimeoutMs + SERVICE_GRACE_MS),
    });
    if (!response.ok)
      return browserUnavailable(
        loaded,
        options,
        startedAt,
        deps.now() - startedAt,
        `the local browser service answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
      );
    const answer = (await response.json()) as BrowserServiceResponse;
    if (!answer.screenshot) return { result: answer.result };
    const { base64, ...shot } = answer.screenshot;
    return { result: answer.result, screenshot: { ...shot, bytes: toBytes(base64) } };
  } catch (error) {
    return browserUnavailable(
      loaded,
      options,
      startedAt,
      deps.now() - startedAt,
      `the local browser service at ${deps.url} did not answer (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
