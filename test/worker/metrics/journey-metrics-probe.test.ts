/**
 * Journey metrics in probes: extract.metric and ctx.metric against the demo shop over real HTTP,
 * what a missing or non-numeric value does to the step, and the validation of names, the bound
 * and thresholds at registry load.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { check, defineProbe, extract, script, type HttpProbeDefinition } from "../../../src/probe/define-probe.ts";
import { MAX_METRICS_PER_PROBE, metricNumber, recordMetric } from "../../../src/probe/journey-metrics.ts";
import { loadRegistry, ProbeRegistryError } from "../../../src/probe/registry.ts";
import { runProbe } from "../../../src/probe/run-probe.ts";

const SHOP = env.SHOP_URL;

async function run(definition: Pick<HttpProbeDefinition, "steps">) {
  const [loaded] = loadRegistry([
    {
      file: "probes/t.ts",
      definition: defineProbe({ id: "t", name: "T", baseUrl: "{{env:SHOP_URL}}", ...definition }),
    },
  ]);
  return runProbe(
    loaded!,
    { region: "weur", colo: "weur", slotAt: 1_764_158_400_000 },
    {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      randomId: () => "rid",
      values: { SHOP_URL: SHOP, SHOP_PASSWORD: "canary-secret-7f3a9c" },
      publicValueNames: new Set(["SHOP_URL"]),
      allowPrivateTargets: true,
    },
  );
}

const login = {
  name: "login",
  method: "POST" as const,
  url: "/api/login",
  body: { json: { username: "qa", password: "{{secret:SHOP_PASSWORD}}" } },
  extract: { authToken: extract.json("$.token") },
};
const cart = (
  metrics: HttpProbeDefinition["steps"][number] extends infer S ? (S extends { metrics?: infer M } ? M : never) : never,
) => ({
  name: "cart",
  url: "/api/cart",
  headers: { authorization: "Bearer {{authToken}}" },
  metrics,
});

function problemsOf(definition: unknown): string[] {
  try {
    loadRegistry([{ file: "probes/bad.ts", definition }]);
  } catch (error) {
    if (error instanceof ProbeRegistryError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("recording journey metrics", () => {
  it("extract.metric reads the cart total from the JSON body, and ctx.metric records a count from a script", async () => {
    const result = await run({
      steps: [
        login,
        cart([extract.metric("cart_total", "$.totalCents"), extract.metric("cart_lines", "$.items.length")]),
        script("stock", async (ctx) => {
          const list = await ctx.http.get("/api/products");
          ctx.metric("products_listed", list.json<{ products: unknown[] }>().products.length);
          ctx.metric("products_listed", 3); // a later value of the same name replaces the earlier one
        }),
      ],
    });
    expect(result.status).toBe("up");
    expect(result.metrics).toEqual({ cart_total: 3097, cart_lines: 2, products_listed: 3 });
  });

  it("a missing value fails the step as an assertion, naming the metric and what was found", async () => {
    const result = await run({ steps: [login, cart([extract.metric("cart_total", "$.grandTotal")])] });
    expect(result.status).toBe("down");
    expect(result.failure).toMatchObject({
      class: "assertion",
      step: "cart",
      message:
        "could not record metric cart_total: expected a finite number, got no match for $.grandTotal in the JSON body",
    });
    expect(result.failure?.assertion).toMatchObject({ label: "metric cart_total", expected: "a finite number" });
    expect(result.metrics).toBeUndefined();
  });

  it("a value that is not a number fails the step as an assertion; metrics recorded before a failure are kept", async () => {
    const result = await run({
      steps: [login, cart([extract.metric("cart_total", "$.totalCents"), extract.metric("currency", "$.currency")])],
    });
    expect(result.failure).toMatchObject({
      class: "assertion",
      step: "cart",
      message: 'could not record metric currency: expected a finite number, got "EUR"',
    });
    expect(result.metrics).toEqual({ cart_total: 3097 });
  });

  it("ctx.metric: a non-finite value is an assertion failure, a bad name a script failure", async () => {
    const nan = await run({ steps: [script("s", async (ctx) => ctx.metric("ratio", Number.NaN))] });
    expect(nan.failure).toMatchObject({
      class: "assertion",
      message: "metric ratio: expected a finite number, got null",
    });
    const text = await run({ steps: [script("s", async (ctx) => ctx.metric("ratio", "12" as unknown as number))] });
    expect(text.failure).toMatchObject({
      class: "assertion",
      message: 'metric ratio: expected a finite number, got "12"',
    });
    const name = await run({ steps: [script("s", async (ctx) => ctx.metric("Cart Total", 1))] });
    expect(name.failure?.class).toBe("script");
    expect(name.failure?.message).toMatch(/"Cart Total" is not a metric name such as 'cart_total'/);
    const many = await run({
      steps: [
        script("s", async (ctx) => {
          for (let i = 0; i <= MAX_METRICS_PER_PROBE; i++) ctx.metric(`m${i}`, i);
        }),
      ],
    });
    expect(many.failure?.class).toBe("script");
    expect(many.failure?.message).toContain(
      `at most ${MAX_METRICS_PER_PROBE} metrics per probe; 'm10' would be one more`,
    );
    expect(many.metrics).toEqual(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`m${i}`, i])));
  });
});

describe("metric values", () => {
  it("reads JSON numbers and decimal strings, nothing else", () => {
    expect(["4200", "42.5", "-1e3", " 7 ", ".5"].map(metricNumber)).toEqual([4200, 42.5, -1000, 7, 0.5]);
    expect(["true", "null", "12 EUR", "{}", "", "1e999", "0x10", "NaN", "Infinity"].map(metricNumber)).toEqual(
      Array(9).fill(null),
    );
  });

  it("every finite number survives the text a JSON extraction makes of it", () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (v) =>
          Object.is(metricNumber(JSON.stringify(v)), v === 0 ? 0 : v) ||
          (v === 0 && metricNumber(JSON.stringify(v)) === 0),
      ),
    );
  });

  it("recordMetric changes nothing when it refuses", () => {
    const metrics: Record<string, number> = { a: 1 };
    expect(recordMetric(metrics, "b", Number.POSITIVE_INFINITY)).toMatchObject({ ok: false, kind: "value" });
    expect(recordMetric(metrics, "_b", 1)).toMatchObject({ ok: false, kind: "name" });
    expect(metrics).toEqual({ a: 1 });
  });
});

describe("validation at registry load", () => {
  const base = { id: "m", name: "M", baseUrl: "https://shop.example" };

  it("names the field of a bad metric name, a duplicate and one metric too many", () => {
    expect(
      problemsOf({ ...base, steps: [{ name: "a", url: "/", metrics: [extract.metric("Cart-Total", "$.x")] }] }),
    ).toEqual([
      "steps[0].metrics[0].name: a metric name such as 'cart_total' (a-z, 0-9 and _, starting with a letter, at most 63 characters); got \"Cart-Total\"",
    ]);
    expect(
      problemsOf({
        ...base,
        steps: [
          { name: "a", url: "/", metrics: [extract.metric("x", "$.x")] },
          { name: "b", url: "/", metrics: [extract.metric("x", "$.y")] },
        ],
      }),
    ).toEqual([
      "steps[1].metrics[0].name: metric 'x' is already recorded by step 'a'; record each metric in one step; got \"x\"",
    ]);
    const eleven = Array.from({ length: 11 }, (_, i) => extract.metric(`m${i}`, "$.x"));
    expect(
      problemsOf({
        ...base,
        steps: [
          { name: "a", url: "/", metrics: eleven.slice(0, 6) },
          { name: "b", url: "/", metrics: eleven.slice(6) },
        ],
      }),
    ).toEqual(['steps[1].metrics[4].name: at most 10 metrics per probe; this is one more; got "m10"']);
    expect(
      problemsOf({ ...base, steps: [{ name: "a", url: "/", metrics: [extract.metric("x", "$.items[")] }] })[0],
    ).toMatch(/^steps\[0\]\.metrics\[0\]\.value\.path: /);
  });

  it("checks thresholds: a bound is needed, below not above above, and the metric must be recorded", () => {
    const steps = [{ name: "a", url: "/", metrics: [extract.metric("cart_total", "$.totalCents")] }];
    expect(problemsOf({ ...base, steps, alerts: { metrics: { cart_total: { below: 1 } } } })).toEqual([]);
    expect(problemsOf({ ...base, steps, alerts: { metrics: { cart_total: {} } } })).toEqual([
      "alerts.metrics.cart_total: a bound: { below: 1 }, { above: 5000 } or both; got {}",
    ]);
    expect(problemsOf({ ...base, steps, alerts: { metrics: { cart_total: { below: 10, above: 5 } } } })).toEqual([
      "alerts.metrics.cart_total.below: below must not be greater than above (the alert fires outside [below, above]); got 10",
    ]);
    expect(problemsOf({ ...base, steps, alerts: { metrics: { cart_totl: { below: 1 } } } })).toEqual([
      "alerts.metrics.cart_totl: no step records a metric 'cart_totl' (recorded: cart_total); got {\"below\":1}",
    ]);
    expect(problemsOf({ ...base, steps, alerts: { metrics: { cart_total: { blow: 1 } } } })[0]).toMatch(
      /^alerts\.metrics\.cart_total: unknown key 'blow'; did you mean 'below'\?/,
    );
    // A script may record names only known when it runs: its thresholds are checked for their form only.
    const withScript = [...steps, script("s", async (ctx) => ctx.metric("stock", 1))];
    expect(problemsOf({ ...base, steps: withScript, alerts: { metrics: { stock: { below: 1 } } } })).toEqual([]);
    expect(problemsOf({ ...base, steps: withScript, alerts: { metrics: { "Stock!": { below: 1 } } } })[0]).toMatch(
      /^alerts\.metrics\.Stock!: 'Stock!' is not a metric name/,
    );
  });

  it("the DSL: a JSONPath string reads the JSON body, any extractor works", () => {
    expect(extract.metric("a", "$.x")).toEqual({ name: "a", value: { from: "json", path: "$.x" } });
    expect(extract.metric("b", extract.header("x-queue"))).toEqual({
      name: "b",
      value: { from: "header", name: "x-queue" },
    });
    expect(check.json("$.x").gt(0)).toBeTruthy();
  });
});
