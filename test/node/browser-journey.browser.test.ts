/**
 * Browser probes in Chromium against the demo shop's storefront: the demo journey passes with
 * plausible Web Vitals; a fault fails it with the right class and step and a screenshot that
 * shows the fault; a secret the journey types, logs or sends appears in nothing it records.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import demoJourney from "../../probes/shop-storefront.ts";
import { defineProbe, type BrowserProbeDefinition } from "../../src/probe/define-probe.ts";
import { MAX_SCREENSHOT_BYTES, pngSize } from "../../src/probe/browser/screenshot.ts";
import { runBrowserProbe, type BrowserRun } from "../../src/probe/browser/run-browser-probe.ts";
import { loadRegistry } from "../../src/probe/registry.ts";
import { startShop, type RunningShop } from "../../scripts/demo-target/shop.ts";
import { findChromium, launchLocalChromium } from "../../scripts/local/chromium.ts";
import { countColor, decodePng } from "../support/png.ts";
import { chromiumAvailable } from "./support/chromium.ts";

const hasChromium = chromiumAvailable();
const SECRET = "Pw-7kQ-sunflower-93";
/** The storefront's error banner (#b3261e). */
const BANNER_RED: [number, number, number] = [0xb3, 0x26, 0x1e];

describe.skipIf(!hasChromium)("browser journeys in Chromium", () => {
  let shop: RunningShop;
  let browser: Browser;

  beforeAll(async () => {
    shop = await startShop({ password: SECRET });
    browser = await launchLocalChromium(findChromium()!);
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
  });
  beforeEach(() => {
    shop.faults.length = 0;
  });

  async function run(definition: BrowserProbeDefinition = demoJourney as BrowserProbeDefinition): Promise<BrowserRun> {
    const [loaded] = loadRegistry([{ file: "probes/test.ts", definition }]);
    return runBrowserProbe(
      loaded!,
      { region: "weur", colo: "local", slotAt: 1_800_000_000_000 },
      {
        browser,
        now: () => performance.timeOrigin + performance.now(),
        randomId: () => "fixed",
        values: { SHOP_URL: shop.url, SHOP_PASSWORD: SECRET },
        publicValueNames: new Set(["SHOP_URL"]),
        allowPrivateTargets: true,
      },
    );
  }

  it("passes the demo journey, step by step, with plausible Web Vitals", async () => {
    const { result, screenshot } = await run();
    expect(result.failure).toBeUndefined();
    expect(result.status).toBe("up");
    expect(result.steps.map((s) => [s.name, s.kind, s.status])).toEqual([
      ["open store", "browser", "passed"],
      ["log in", "browser", "passed"],
      ["add to cart", "browser", "passed"],
      ["checkout", "browser", "passed"],
    ]);
    expect(result.steps[0]!.exchanges).toEqual([
      expect.objectContaining({ method: "GET", url: `${shop.url}/store`, status: 200 }),
    ]);
    const vitals = result.browser!.vitals;
    expect(vitals.lcpMs).toBeGreaterThan(0);
    expect(vitals.lcpMs).toBeLessThan(result.durationMs);
    expect(vitals.ttfbMs).toBeGreaterThan(0);
    expect(vitals.ttfbMs).toBeLessThan(result.durationMs);
    expect(vitals.loadMs).toBeGreaterThanOrEqual(vitals.ttfbMs!);
    // The probe's SLO times LCP: the run carries it as its latency.
    expect(result.latencyMs).toBe(vitals.lcpMs);
    expect(result.browser!.consoleErrors).toEqual([]);
    expect(result.browser!.failedRequests).toEqual([]);
    expect(result.browser!.screenshot).toBeUndefined();
    expect(screenshot).toBeUndefined();
  });

  it("fails at 'add to cart' as an assertion when the button is broken, with a screenshot of the error banner", async () => {
    shop.faults.push({ path: "/store", breakButton: "add-to-cart" });
    const { result, screenshot } = await run();
    expect(result.status).toBe("down");
    expect(result.failure).toMatchObject({ class: "assertion", step: "add to cart" });
    expect(result.failure!.assertion).toMatchObject({
      expected: 'text "Cart: 1 item"',
      actual: expect.stringContaining('"Cart: 0 items"'),
    });
    expect(result.steps.map((s) => s.status)).toEqual(["passed", "passed", "failed"]);
    expect(result.browser!.consoleErrors).toEqual([
      { step: "add to cart", text: "uncaught TypeError: cart.add is not a function" },
    ]);

    expect(screenshot!.contentType).toBe("image/png");
    expect(pngSize(screenshot!.bytes)).toEqual({ width: 1280, height: 720 });
    expect(screenshot!.bytes.length).toBeGreaterThan(5_000);
    expect(screenshot!.bytes.length).toBeLessThanOrEqual(MAX_SCREENSHOT_BYTES);
    expect(result.browser!.screenshot).toEqual({
      key: `screenshots/${result.runId}.png`,
      contentType: "image/png",
      bytes: screenshot!.bytes.length,
      width: 1280,
      height: 720,
      step: "add to cart",
    });
    // The fault is in the picture: the red error banner the broken button raised covers a band of the page.
    expect(countColor(decodePng(screenshot!.bytes), BANNER_RED)).toBeGreaterThan(1280 * 20);
  });

  it("fails at 'add to cart' as a selector timeout when the product list does not load", async () => {
    shop.faults.push({ path: "/api/products", status: 503 });
    const { result, screenshot } = await run();
    expect(result.failure).toMatchObject({ class: "selector-timeout", step: "add to cart" });
    expect(result.failure!.message).toMatch(/Timeout 5000ms exceeded.*Add Lantern to cart/);
    expect(result.browser!.failedRequests).toEqual([
      { step: "open store", method: "GET", url: `${shop.url}/api/products`, status: 503 },
    ]);
    expect(pngSize(screenshot!.bytes)).toEqual({ width: 1280, height: 720 });
    // No banner: nothing threw on the page, the products are just not there.
    expect(countColor(decodePng(screenshot!.bytes), BANNER_RED)).toBe(0);
  });

  it("measures a slow script in LCP: the run passes, slower than the probe's LCP objective", async () => {
    shop.faults.push({ path: "/store/app.js", delayMs: 3_000 });
    const { result } = await run();
    expect(result.status).toBe("up");
    // The products (the largest paint) render only once the script arrives.
    expect(result.browser!.vitals.lcpMs).toBeGreaterThanOrEqual(3_000);
    expect(result.latencyMs).toBeGreaterThan(2_500);
    expect(result.browser!.vitals.ttfbMs).toBeLessThan(3_000);
  });

  it("fails at 'open store' as a navigation failure when the shop is unreachable", async () => {
    // A port that was just free: nothing listens there.
    const closed = await startShop();
    await closed.close();
    const definition = defineProbe({ ...(demoJourney as BrowserProbeDefinition), baseUrl: closed.url });
    const { result } = await run(definition);
    expect(result.failure).toMatchObject({ class: "navigation", step: "open store" });
    expect(result.failure!.message).toMatch(/net::ERR_CONNECTION_REFUSED/);
  });

  it("keeps a secret the journey typed, logged, sent and compared out of everything it records", async () => {
    const leaky = defineProbe({
      kind: "browser",
      id: "leaky",
      name: "Leaky",
      baseUrl: "{{env:SHOP_URL}}",
      stepTimeoutMs: 2000,
      journey: async ({ page, expect, step, secret }) => {
        await step("type it", async () => {
          await page.goto("/store");
          await page.getByLabel("Email").fill(secret("SHOP_PASSWORD"));
          await page.evaluate((s) => console.error(`token is ${s}`), secret("SHOP_PASSWORD"));
          await page
            .evaluate((s) => fetch(`/api/missing?key=${encodeURIComponent(s)}`), secret("SHOP_PASSWORD"))
            .catch(() => undefined);
        });
        await step(`compare ${secret("SHOP_PASSWORD")}`, async () => {
          await expect(page.getByLabel("Email")).toHaveValue("something else");
        });
      },
    });
    const { result, screenshot } = await run(leaky);
    expect(result.failure).toMatchObject({ class: "assertion" });
    const recorded = JSON.stringify(result);
    expect(recorded).not.toContain(SECRET);
    expect(recorded).not.toContain(encodeURIComponent(SECRET));
    expect(recorded).toContain("[secret:SHOP_PASSWORD]");
    expect(result.browser!.consoleErrors.map((e) => e.text)).toContain("token is [secret:SHOP_PASSWORD]");
    expect(result.browser!.failedRequests).toEqual([
      expect.objectContaining({ status: 404, url: expect.stringContaining("key=") }),
    ]);
    expect(JSON.stringify(result.browser!.screenshot)).not.toContain(SECRET);
    expect(screenshot).toBeDefined();
  });
});
