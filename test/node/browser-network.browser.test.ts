/**
 * Browser probes through the real local network (`npm start`'s: wrangler dev, local D1 and R2,
 * the demo shop and the browser service): the storefront journey runs at the first tick, a
 * broken button is stored with its class, step and screenshot (served by the API), the secret it
 * types is in no stored byte and no log line; and without Chromium the network says so once and
 * runs its HTTP probes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import storefront from "../../probes/shop-storefront.ts";
import { pngSize } from "../../src/probe/browser/screenshot.ts";
import { loadRegistry } from "../../src/probe/registry.ts";
import type { RunResult, RunSummary } from "../../src/probe/result.ts";
import { isDue } from "../../src/schedule/plan.ts";
import { ensureDevVars, startLocalNetwork, type LocalNetwork } from "../../scripts/local/local-network.ts";
import { chromiumAvailable } from "./support/chromium.ts";

const hasChromium = chromiumAvailable();
const PROBE = "shop-storefront";

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

describe.skipIf(!hasChromium)("browser probes in the local network", () => {
  let network: LocalNetwork;
  let state: string;
  const lines: string[] = [];
  const secret = ensureDevVars();
  const [loaded] = loadRegistry([{ file: "probes/shop-storefront.ts", definition: storefront }]);

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "afterlife-browser-"));
    network = await startLocalNetwork({
      persistTo: state,
      cronDriver: false,
      workerPort: 18887,
      shopPort: 18890,
      // Failure evidence on the public API: the test reads runs without a token.
      vars: { PUBLIC_CACHE_SECONDS: "0", STATUS_PAGE: JSON.stringify({ showFailureEvidence: true }) },
      log: (line) => lines.push(line),
    });
  });

  afterAll(async () => {
    await network?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("runs the storefront journey at the first tick, from each of its regions, and shows it on the page", async () => {
    expect(network.browserServiceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // A minute at which the probe is not due: it runs anyway, as a browser probe that never ran.
    let minute = Math.floor(Date.now() / 60_000) * 60_000;
    while (isDue(loaded!, minute)) minute += 60_000;
    await network.fireTick(minute);
    const { runs } = await json<{ runs: RunSummary[] }>(`${network.workerUrl}/api/v1/runs?probe=${PROBE}`);
    expect(runs.map((r) => [r.region, r.status]).sort()).toEqual([
      ["enam", "up"],
      ["weur", "up"],
    ]);
    const run = await json<RunResult>(`${network.workerUrl}/api/v1/runs/${runs[0]!.runId}`);
    expect(run.steps.map((s) => s.name)).toEqual(["open store", "log in", "add to cart", "checkout"]);
    expect(run.browser!.vitals.lcpMs).toBeGreaterThan(0);
    expect(run.browser!.vitals.lcpMs).toBeLessThan(run.durationMs);
    expect(run.browser!.vitals.ttfbMs).toBeGreaterThan(0);
    const page = await (await fetch(`${network.workerUrl}/probes/${PROBE}`)).text();
    expect(page).toContain("Storefront purchase (browser)");
    expect(page).toMatch(/LCP/);
  });

  it("stores a broken button's failure with its class, step and a screenshot the API serves", async () => {
    const fault = await fetch(`${network.shopUrl}/_control/faults`, {
      method: "POST",
      body: JSON.stringify({ path: "/store", breakButton: "add-to-cart" }),
    });
    expect(fault.status).toBe(201);
    let minute = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    while (!isDue(loaded!, minute)) minute += 60_000;
    await network.fireTick(minute);
    const run = await json<RunResult>(`${network.workerUrl}/api/v1/runs/${PROBE}.weur.${minute}`);
    expect(run.status).toBe("down");
    expect(run.failure).toMatchObject({ class: "assertion", step: "add to cart" });
    expect(run.browser!.screenshot).toMatchObject({
      key: `screenshots/${PROBE}.weur.${minute}.png`,
      width: 1280,
      height: 720,
      step: "add to cart",
    });
    const shot = await fetch(`${network.workerUrl}/api/v1/runs/${PROBE}.weur.${minute}/screenshot`);
    expect(shot.status).toBe(200);
    expect(shot.headers.get("content-type")).toBe("image/png");
    const bytes = new Uint8Array(await shot.arrayBuffer());
    expect(bytes.length).toBe(run.browser!.screenshot!.bytes);
    expect(pngSize(bytes)).toEqual({ width: 1280, height: 720 });
    // A passing run has no screenshot to serve.
    const none = await fetch(
      `${network.workerUrl}/api/v1/runs/${PROBE}.weur.${Math.floor(Date.now() / 60_000) * 60_000 - 120_000}/screenshot`,
    );
    expect(none.status).toBe(404);
    await fetch(`${network.shopUrl}/_control/faults`, { method: "DELETE" });
  });

  it("keeps the password the journey typed out of every stored byte (D1, R2, the runner's storage) and every log line", () => {
    expect(secret.length).toBeGreaterThan(8);
    const forms = [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")];
    const stored = filesUnder(state);
    expect(stored.some((f) => f.endsWith(".sqlite"))).toBe(true);
    for (const file of stored) {
      const content = readFileSync(file).toString("latin1");
      for (const form of forms) expect(content.includes(form), `${form} in ${file}`).toBe(false);
    }
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) for (const form of forms) expect(line.includes(form), line).toBe(false);
  });
});

describe("the local network without Chromium", () => {
  it("says once that browser probes do not run and how to install Chromium, and runs the HTTP probes", async () => {
    const state = mkdtempSync(join(tmpdir(), "afterlife-nochromium-"));
    const lines: string[] = [];
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = join(state, "no-chromium-here");
    let network: LocalNetwork | undefined;
    try {
      network = await startLocalNetwork({
        persistTo: state,
        cronDriver: false,
        workerPort: 18897,
        shopPort: 18898,
        vars: { PUBLIC_CACHE_SECONDS: "0" },
        log: (line) => lines.push(line),
      });
      expect(network.browserServiceUrl).toBeUndefined();
      await network.fireTick(Math.floor(Date.now() / 60_000) * 60_000);
      const warnings = lines.filter((l) => /no Chromium found/.test(l));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("apt-get install -y chromium");
      const { runs } = await json<{ runs: RunSummary[] }>(`${network.workerUrl}/api/v1/runs?probe=shop-home`);
      expect(runs.length).toBeGreaterThan(0);
      const browserRuns = await json<{ runs: RunSummary[] }>(`${network.workerUrl}/api/v1/runs?probe=${PROBE}`);
      expect(browserRuns.runs).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
      await network?.stop();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
