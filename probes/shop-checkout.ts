import { check, defineProbe, extract, script } from "../src/probe/define-probe.ts";

/**
 * The journey a paying customer takes: open the shop, log in, look at the cart, and make sure
 * every product can be opened. The password is a Worker secret, never written in this file.
 * Two business numbers ride along: the cart total (charted on the probe page, exported to
 * /metrics, and alerting when it drops below 1 cent) and how many products the shop lists.
 */
export default defineProbe({
  id: "shop-checkout",
  name: "Checkout journey",
  description: "Log in with the QA account, read the cart, open every product.",
  group: "Checkout",
  tags: ["journey", "auth"],
  schedule: "1m",
  regions: ["weur", "enam", "apac"],
  baseUrl: "{{env:SHOP_URL}}",
  stepTimeoutMs: 5000,
  runTimeoutMs: 20000,
  degradedAfterMs: 2000,
  retries: 1,
  slo: { availability: 0.99, latency: { percent: 0.9, underMs: 1500 }, window: "30d" },
  alerts: { metrics: { cart_total: { below: 1 } } },
  steps: [
    {
      name: "open shop",
      url: "/",
      assert: [check.body().contains("Demo Shop")],
    },
    {
      name: "log in",
      method: "POST",
      url: "/api/login",
      body: { json: { username: "qa@afterlife.test", password: "{{secret:SHOP_PASSWORD}}" } },
      expectStatus: 200,
      assert: [check.json("$.token").matches(/^tok_/)],
      extract: { authToken: extract.json("$.token") },
    },
    {
      name: "read cart",
      url: "/api/cart",
      headers: { authorization: "Bearer {{authToken}}" },
      assert: [
        check.json("$.items").length(2),
        check.json("$.totalCents").gt(0),
        check.json("$.currency").equals("EUR"),
        check.responseTime().lt(1000),
      ],
      metrics: [extract.metric("cart_total", "$.totalCents")],
    },
    script("every product opens", async (ctx) => {
      const list = await ctx.http.get("/api/products");
      ctx.expect(list.status, "product list status").toBe(200);
      const { products } = list.json<{ products: { id: string; stock: number }[] }>();
      ctx.expect(products.length, "number of products").toBeGreaterThan(0);
      ctx.metric("products_listed", products.length);
      for (const product of products) {
        const one = await ctx.http.get(`/api/products/${product.id}`);
        ctx.expect(one.status, `status of product ${product.id}`).toBe(200);
        ctx.expect(one.json<{ stock: number }>().stock, `stock of ${product.id}`).toBeGreaterThanOrEqual(0);
      }
    }),
  ],
});
