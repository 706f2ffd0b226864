import { defineProbe } from "../src/probe/define-probe.ts";

/**
 * A customer's purchase in a real browser: the storefront loads, the login form signs in, a
 * product goes into the cart and the checkout confirms the order. Judged by its LCP too.
 */
export default defineProbe({
  kind: "browser",
  id: "shop-storefront",
  name: "Storefront purchase (browser)",
  description: "Logs in, adds a lantern to the cart and checks out, in Chromium.",
  group: "Shop in a browser",
  tags: ["browser", "journey"],
  schedule: "5m",
  regions: ["weur", "enam"],
  baseUrl: "{{env:SHOP_URL}}",
  stepTimeoutMs: 5000,
  runTimeoutMs: 30000,
  slo: { availability: 0.99, latency: { percent: 0.9, underMs: 2500, metric: "lcp" }, window: "30d" },
  journey: async ({ page, expect, step, secret }) => {
    await step("open store", async () => {
      await page.goto("/store");
      await expect(page.getByRole("heading", { name: "Store" })).toBeVisible();
    });
    await step("log in", async () => {
      await page.getByLabel("Email").fill("qa@afterlife.test");
      await page.getByLabel("Password").fill(secret("SHOP_PASSWORD"));
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page.getByTestId("session")).toHaveText("Signed in as qa@afterlife.test");
    });
    await step("add to cart", async () => {
      await page.getByRole("button", { name: "Add Lantern to cart" }).click();
      await expect(page.getByTestId("cart")).toHaveText("Cart: 1 item");
    });
    await step("checkout", async () => {
      await page.getByRole("button", { name: "Checkout" }).click();
      await expect(page.getByTestId("order")).toContainText("Order confirmed");
    });
  },
});
