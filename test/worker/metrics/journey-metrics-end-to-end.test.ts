/**
 * A journey metric end to end in workerd: the demo checkout journey (probes/shop-checkout.ts)
 * runs through the real scheduled handler against the demo shop over HTTP, records the cart total,
 * and the value is then in /metrics, at /api/v1/probes/shop-checkout/metrics, and charted on the
 * probe page with its figures.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseExposition } from "../api/exposition-parser.ts";
import { tick } from "../support/network.ts";

const MINUTE = 60_000;
const get = (path: string) => exports.default.fetch(`http://afterlife.test${path}`);

describe("a metric recorded by a journey", () => {
  it("is in /metrics, in the API and on the probe page", async () => {
    const slot = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
    await tick(slot);

    const text = await (await get("/metrics")).text();
    const journey = parseExposition(text).find((f) => f.name === "afterlife_journey_metric")!;
    const samples = journey.samples
      .map((s) => `${s.labels.probe} ${s.labels.region} ${s.labels.name} ${s.value}`)
      .sort();
    expect(samples).toEqual(
      ["apac", "enam", "weur"].flatMap((r) => [
        `shop-checkout ${r} cart_total 3097`,
        `shop-checkout ${r} products_listed 3`,
      ]),
    );

    const api = await get("/api/v1/probes/shop-checkout/metrics?hours=2&region=weur");
    expect(api.status).toBe(200);
    const body = (await api.json()) as {
      metrics: {
        name: string;
        threshold: unknown;
        latest: unknown[];
        recent: unknown[];
        trend: { count: number; mean: number; last: number }[];
      }[];
    };
    const cart = body.metrics.find((m) => m.name === "cart_total")!;
    expect(cart.threshold).toEqual({ below: 1, above: null });
    expect(cart.latest).toEqual([{ region: "weur", slotAt: slot, value: 3097 }]);
    expect(cart.trend).toEqual([expect.objectContaining({ count: 1, mean: 3097, last: 3097 })]);
    expect(body.metrics.map((m) => m.name)).toEqual(["cart_total", "products_listed"]);

    const bad = await get("/api/v1/probes/shop-checkout/metrics?hours=0&region=oc");
    expect(bad.status).toBe(400);
    const problem = (await bad.json()) as { errors?: { name: string }[]; invalidParams?: { name: string }[] };
    expect(JSON.stringify(problem)).toMatch(/hours/);
    expect((await get("/api/v1/probes/no-such-probe/metrics")).status).toBe(404);
    expect((await get("/api/v1/probes/shop-checkout/metrics?region=oc")).status).toBe(400);

    const page = await (await get("/probes/shop-checkout")).text();
    expect(page).toContain('<h2 id="metrics-heading">Business metrics</h2>');
    expect(page).toMatch(
      /<figure class="chart" data-metric="cart_total"><figcaption>Over the last 24 hours the hourly mean of cart_total was between 3,097 and 3,097; the newest value is 3,097 \([a-z]+, .* UTC\)\. Alerts when below 1\.<\/figcaption>/,
    );
    // The figures as a table: one row for the hour, mean, min, max, last and the three regions' runs.
    expect(page).toMatch(
      /<td class="num">3,097<\/td><td class="num">3,097<\/td><td class="num">3,097<\/td><td class="num">3,097<\/td><td class="num">3<\/td>/,
    );
    expect(page).toContain('data-metric="products_listed"');
  });
});
