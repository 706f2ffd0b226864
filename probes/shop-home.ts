import { check, defineProbe } from "../src/probe/define-probe.ts";

/** The simplest useful probe: is the storefront up, and does it list products? */
export default defineProbe({
  id: "shop-home",
  name: "Storefront",
  description: "The home page renders and the product list answers.",
  group: "Storefront",
  tags: ["smoke"],
  schedule: "1m",
  regions: ["weur", "enam", "apac"],
  baseUrl: "{{env:SHOP_URL}}",
  degradedAfterMs: 1500,
  slo: { availability: 0.995, latency: { percent: 0.95, underMs: 800 }, window: "30d" },
  steps: [
    {
      name: "home page",
      url: "/",
      expectStatus: 200,
      assert: [check.header("content-type").contains("text/html"), check.body().contains("Welcome")],
    },
    {
      name: "product list",
      url: "/api/products",
      expectStatus: 200,
      assert: [check.json("$.count").gt(0), check.json("$.products[0].id").exists()],
    },
  ],
});
