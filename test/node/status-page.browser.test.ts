/**
 * The status page in a real browser, served by a real local instance (wrangler dev + local D1 +
 * the demo shop), after a real cron tick.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startLocalNetwork, type LocalNetwork } from "../../scripts/local/local-network.ts";
import { chromiumAvailable, launchChromium } from "./support/chromium.ts";

const hasChromium = chromiumAvailable();
const OUTPUT = join(ROOT, "test-output", "screenshots");

describe.skipIf(!hasChromium)("status page in Chromium", () => {
  let network: LocalNetwork;
  let browser: Browser;
  let state: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "afterlife-page-"));
    // The edge cache off: the second test reads / again right after a tick that changes it.
    network = await startLocalNetwork({
      persistTo: state,
      cronDriver: false,
      workerPort: 18787,
      shopPort: 18790,
      vars: { PUBLIC_CACHE_SECONDS: "0" },
    });
    await network.fireTick(Date.now());
    browser = await launchChromium();
    mkdirSync(OUTPUT, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await network?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("shows every probe as operational after a tick, with no console errors", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    const response = await page.goto(`${network.workerUrl}/`);
    expect(response?.status()).toBe(200);
    await expect(page.locator("#overall").textContent()).resolves.toBe("All systems operational");
    const probes = await page
      .locator("[data-probe]")
      .evaluateAll((els) =>
        els.map((el) => [el.getAttribute("data-probe"), el.querySelector(".state")?.getAttribute("data-state")]),
      );
    expect(probes).toEqual([
      ["shop-checkout", "up"],
      ["shop-home", "up"],
      // The browser probe, run in this machine's Chromium at the first tick (it never ran before).
      ["shop-storefront", "up"],
    ]);
    await page.screenshot({ path: join(OUTPUT, "status-page.png"), fullPage: true });
    expect(errors).toEqual([]);
  });

  it("shows the checkout journey down once the shop's cart fails", async () => {
    const fault = await fetch(`${network.shopUrl}/_control/faults`, {
      method: "POST",
      body: JSON.stringify({ path: "/api/cart", status: 500 }),
    });
    expect(fault.status).toBe(201);
    await network.fireTick(Date.now() + 60_000);
    const page = await browser.newPage();
    await page.goto(`${network.workerUrl}/`);
    await expect(page.locator('[data-probe="shop-checkout"] .state').getAttribute("data-state")).resolves.toBe("down");
    await expect(page.locator('[data-probe="shop-home"] .state').getAttribute("data-state")).resolves.toBe("up");
    await expect(page.locator("#overall").textContent()).resolves.toBe("Partial outage");
    await page.screenshot({ path: join(OUTPUT, "status-page-outage.png"), fullPage: true });
  });
});
