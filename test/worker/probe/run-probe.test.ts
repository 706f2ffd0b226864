/**
 * The runner inside workerd against the demo shop over real HTTP on 127.0.0.1: every failure
 * class, redirects, extraction and templating, script steps, evidence, redaction.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { check, defineProbe, extract, script, type HttpProbeDefinition } from "../../../src/probe/define-probe.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { runProbe, type RunnerDeps } from "../../../src/probe/run-probe.ts";

const CANARY = "canary-secret-7f3a9c";
const SHOP = env.SHOP_URL;

function deps(overrides: Partial<RunnerDeps> = {}): RunnerDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: Date.now,
    randomId: () => "rid-1",
    values: { SHOP_URL: SHOP, SHOP_PASSWORD: CANARY },
    publicValueNames: new Set(["SHOP_URL"]),
    allowPrivateTargets: true,
    ...overrides,
  };
}

async function run(
  definition: Partial<HttpProbeDefinition> & Pick<HttpProbeDefinition, "steps">,
  runnerDeps = deps(),
  vars?: Record<string, string>,
): Promise<RunResult> {
  const [loaded] = loadRegistry([
    {
      file: "probes/test.ts",
      definition: defineProbe({ id: "t", name: "T", baseUrl: "{{env:SHOP_URL}}", ...definition }),
    },
  ]);
  return runProbe(
    loaded!,
    { region: "weur", colo: "weur", slotAt: 1_764_158_400_000, ...(vars ? { vars } : {}) },
    runnerDeps,
  );
}

async function fault(f: Record<string, unknown>): Promise<void> {
  await fetch(`${SHOP}/_control/faults`, { method: "POST", body: JSON.stringify(f) });
}
afterEach(async () => {
  await fetch(`${SHOP}/_control/faults`, { method: "DELETE" });
});

describe("runner: a passing journey", () => {
  it("logs in with a secret, extracts the token, uses it, and runs a script loop", async () => {
    const result = await run({
      steps: [
        { name: "home", url: "/", assert: [check.body().contains("Welcome")] },
        {
          name: "login",
          method: "POST",
          url: "/api/login",
          body: { json: { username: "qa", password: "{{secret:SHOP_PASSWORD}}" } },
          extract: {
            authToken: extract.json("$.token"),
            session: extract.cookie("session"),
            ctype: extract.header("content-type"),
            prefix: extract.regex(/"(tok)_/),
          },
        },
        {
          name: "cart",
          url: "/api/cart",
          headers: { authorization: "Bearer {{authToken}}" },
          assert: [check.json("$.items").length(2), check.json("$.totalCents").equals(3097)],
        },
        script("products", async (ctx) => {
          const list = await ctx.http.get("/api/products");
          for (const p of list.json<{ products: { id: string }[] }>().products) {
            const one = await ctx.http.get(`/api/products/${p.id}`);
            ctx.expect(one.status, p.id).toBe(200);
          }
          ctx.vars.seen = "yes";
          ctx.expect(ctx.vars.prefix).toBe("tok");
          ctx.expect(ctx.vars.ctype).toBe("application/json");
        }),
      ],
    });
    expect(result.status).toBe("up");
    expect(result.failure).toBeUndefined();
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([
      ["home", "passed"],
      ["login", "passed"],
      ["cart", "passed"],
      ["products", "passed"],
    ]);
    expect(result.steps[3]!.exchanges).toHaveLength(4); // the list and three products
    expect(result.runId).toBe("t.weur.1764158400000");
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it("records time to headers and total per step, around the real request", async () => {
    await fault({ path: "/health", delayMs: 150 });
    const result = await run({ steps: [{ name: "slow", url: "/health" }] });
    const step = result.steps[0]!;
    expect(step.ttfbMs).toBeGreaterThanOrEqual(140);
    expect(step.totalMs).toBeGreaterThanOrEqual(step.ttfbMs);
    expect(step.exchanges).toEqual([
      { method: "GET", url: `${SHOP}/health`, status: 200, ttfbMs: step.ttfbMs, totalMs: step.totalMs },
    ]);
  });

  it("is degraded, not down, when slower than degradedAfterMs", async () => {
    await fault({ path: "/health", delayMs: 120 });
    const result = await run({ degradedAfterMs: 50, steps: [{ name: "slow", url: "/health" }] });
    expect(result.status).toBe("degraded");
    expect(result.failure).toBeUndefined();
  });

  it("fills built-ins and --var variables into URL, query and headers", async () => {
    const result = await run(
      {
        steps: [
          {
            name: "echo",
            url: "/echo?order={{orderId}}",
            query: { region: "{{$region}}", run: "{{$runId}}", rid: "{{$randomId}}" },
            headers: { "x-order": "{{orderId}}" },
            assert: [
              check.json("$.query.order").equals("42"),
              check.json("$.query.region").equals("weur"),
              check.json("$.query.run").equals("t.weur.1764158400000"),
              check.json("$.query.rid").equals("rid-1"),
              check.json("$.headers['x-order']").equals("42"),
            ],
          },
        ],
      },
      deps(),
      { orderId: "42" },
    );
    expect(result.steps[0]!.assertions.filter((a) => !a.passed)).toEqual([]);
    expect(result.status).toBe("up");
  });
});

describe("runner: failure classes", () => {
  it("status: an unexpected status, with expected vs actual and evidence", async () => {
    await fault({ path: "/api/products", status: 503 });
    const result = await run({
      steps: [
        { name: "list", url: "/api/products", expectStatus: 200 },
        { name: "next", url: "/" },
      ],
    });
    expect(result.status).toBe("down");
    expect(result.failure).toMatchObject({
      class: "status",
      step: "list",
      assertion: { expected: "200", actual: "503", passed: false },
    });
    expect(result.steps[1]!.status).toBe("skipped");
    const evidence = result.steps[0]!.evidence!;
    expect(evidence.response?.status).toBe(503);
    expect(evidence.response?.body).toContain("injected fault");
    expect(evidence.curl).toContain(`${SHOP}/api/products`);
  });

  it("assertion: the first failing assertion is the failure", async () => {
    const result = await run({
      steps: [
        {
          name: "list",
          url: "/api/products",
          assert: [check.json("$.count").equals(3), check.json("$.count").gt(10), check.body().contains("nope")],
        },
      ],
    });
    expect(result.failure?.class).toBe("assertion");
    expect(result.failure?.assertion).toMatchObject({
      passed: false,
      expected: expect.stringContaining("10"),
      actual: "3",
    });
    expect(result.steps[0]!.assertions.map((a) => a.passed)).toEqual([true, true, false, false]);
  });

  it("timeout: a target that hangs fails as a timeout within the step deadline", async () => {
    await fault({ path: "/health", hang: true });
    const started = Date.now();
    const result = await run({ stepTimeoutMs: 300, steps: [{ name: "hang", url: "/health" }] });
    const elapsed = Date.now() - started;
    expect(result.failure?.class).toBe("timeout");
    expect(elapsed).toBeLessThan(3000);
  });

  it("timeout: the whole-run deadline stops a journey", async () => {
    await fault({ path: "/health", delayMs: 250 });
    const result = await run({
      runTimeoutMs: 400,
      steps: [
        { name: "a", url: "/health" },
        { name: "b", url: "/health" },
      ],
    });
    expect(result.failure).toMatchObject({ class: "timeout", step: "b" });
  });

  it("connect: nothing listens on the port", async () => {
    const result = await run({ baseUrl: "http://127.0.0.1:1", steps: [{ name: "closed", url: "/" }] });
    expect(result.failure?.class).toBe("connect");
  });

  it("probe: a missing variable or secret is a probe-side failure that names it", async () => {
    const missingVar = await run({ steps: [{ name: "v", url: "/api/products/{{productId}}" }] });
    expect(missingVar.failure?.class).toBe("probe");
    expect(missingVar.failure?.message).toContain("{{productId}}");
    const missingSecret = await run({ steps: [{ name: "s", url: "/", headers: { "x-key": "{{secret:NOPE}}" } }] });
    expect(missingSecret.failure?.message).toContain("wrangler secret put NOPE");
  });

  it("probe: the SSRF guard refuses loopback in production, before any request", async () => {
    const result = await run({ steps: [{ name: "local", url: "/" }] }, deps({ allowPrivateTargets: false }));
    expect(result.failure?.class).toBe("probe");
    expect(result.failure?.message).toContain("loopback");
    expect(result.steps[0]!.exchanges).toEqual([]);
  });

  it("probe: a redirect from a public host to loopback is refused in production", async () => {
    // A resolver override: the public name reaches the demo shop over real HTTP.
    const viaPublicName = deps({
      allowPrivateTargets: false,
      fetch: (input, init) => fetch(String(input).replace("http://shop.afterlife.dev", SHOP), init),
    });
    const result = await run(
      {
        baseUrl: "http://shop.afterlife.dev",
        steps: [{ name: "hop", url: `/redirect?to=${encodeURIComponent(`${SHOP}/health`)}`, maxRedirects: 3 }],
      },
      viaPublicName,
    );
    expect(result.failure?.class).toBe("probe");
    expect(result.failure?.message).toMatch(/redirect hop 1: .*loopback/);
    expect(result.steps[0]!.exchanges.map((e) => e.status)).toEqual([302]);
  });

  it("script: a thrown error is a script failure; ctx.expect is an assertion failure", async () => {
    const thrown = await run({
      steps: [
        script("boom", async () => {
          throw new TypeError("cannot read 'x' of undefined");
        }),
      ],
    });
    expect(thrown.failure).toMatchObject({
      class: "script",
      message: "script threw TypeError: cannot read 'x' of undefined",
    });
    const expected = await run({
      steps: [
        script("count", async (ctx) => {
          const res = await ctx.http.get("/api/products");
          ctx.expect(res.json<{ count: number }>().count, "product count").toBe(5);
        }),
      ],
    });
    expect(expected.failure).toMatchObject({
      class: "assertion",
      assertion: { label: "product count", expected: "5", actual: "3" },
    });
    expect(expected.steps[0]!.evidence?.response?.status).toBe(200);
  });

  it("script: a failed request inside a script keeps its class", async () => {
    await fault({ path: "/health", hang: true });
    const result = await run({
      steps: [script("hang", async (ctx) => void (await ctx.http.get("/health")), { timeoutMs: 300 })],
    });
    expect(result.failure?.class).toBe("timeout");
  });
});

describe("runner: redirects", () => {
  it("follows up to maxRedirects, re-checking each hop", async () => {
    const followed = await run({
      steps: [{ name: "old", url: "/old-home", maxRedirects: 2, assert: [check.body().contains("Welcome")] }],
    });
    expect(followed.status).toBe("up");
    expect(followed.steps[0]!.exchanges.map((e) => [e.status, new URL(e.url).pathname])).toEqual([
      [301, "/old-home"],
      [200, "/"],
    ]);
  });

  it("keeps the 3xx when maxRedirects is 0", async () => {
    const kept = await run({
      steps: [{ name: "old", url: "/old-home", expectStatus: 301, assert: [check.header("location").equals("/")] }],
    });
    expect(kept.status).toBe("up");
  });

  it("stops a redirect loop at the cap", async () => {
    const loop = await run({ steps: [{ name: "loop", url: "/redirect-loop", maxRedirects: 3 }] });
    expect(loop.failure?.class).toBe("status");
    expect(loop.steps[0]!.exchanges).toHaveLength(4);
  });
});

describe("runner: evidence and redaction", () => {
  it("never records a secret: not in evidence, not in the curl command, not echoed back", async () => {
    const result = await run({
      steps: [
        {
          name: "echo",
          method: "POST",
          url: "/echo?token={{secret:SHOP_PASSWORD}}",
          headers: { authorization: "Bearer {{secret:SHOP_PASSWORD}}", "x-api-key": "{{secret:SHOP_PASSWORD}}" },
          body: { json: { password: "{{secret:SHOP_PASSWORD}}", note: "pw={{secret:SHOP_PASSWORD}}" } },
          assert: [check.body().contains("never there")],
        },
      ],
    });
    expect(result.failure?.class).toBe("assertion");
    const text = JSON.stringify(result);
    expect(text).not.toContain(CANARY);
    const evidence = result.steps[0]!.evidence!;
    expect(evidence.curl).toContain("${SHOP_PASSWORD}");
    expect(evidence.request.headers.authorization).not.toContain(CANARY);
    expect(evidence.response?.body).toContain("x-api-key");
  });

  it("scrubs a token extracted from a response from later evidence", async () => {
    const result = await run({
      steps: [
        {
          name: "login",
          method: "POST",
          url: "/api/login",
          body: { json: { password: "{{secret:SHOP_PASSWORD}}" } },
          extract: { authToken: extract.json("$.token") },
        },
        {
          name: "echo",
          url: "/echo",
          headers: { "x-forward": "{{authToken}}" },
          assert: [check.json("$.method").equals("POST")],
        },
      ],
    });
    expect(result.failure?.step).toBe("echo");
    expect(JSON.stringify(result)).not.toMatch(/tok_[0-9a-f]{32}/);
  });
});
