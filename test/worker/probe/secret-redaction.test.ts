/**
 * Findings 1 to 4 of issue 13, through the real runner against a real echo target on
 * 127.0.0.1: a secret is redacted however it is read ({{secret:}}, {{env:}}, ctx.secret,
 * ctx.env), whatever its length, wherever the request puts it (path, query, form, JSON), in
 * whatever form the target echoes it (HTML, base64, \uXXXX, upper case, lower-case hex), and
 * before any text is cut to length.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config.ts";
import { defineProbe, script, type HttpProbeDefinition } from "../../../src/probe/define-probe.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { runProbe } from "../../../src/probe/run-probe.ts";
import { exposures } from "../support/canary.ts";

const config = parseConfig(env);

async function run(definition: Partial<HttpProbeDefinition> & Pick<HttpProbeDefinition, "steps">): Promise<RunResult> {
  const [loaded] = loadRegistry([
    { file: "probes/t.ts", definition: defineProbe({ id: "t", name: "T", baseUrl: env.ECHO_URL, ...definition }) },
  ]);
  return runProbe(
    loaded!,
    { region: "weur", colo: "weur", slotAt: 1_800_000_000_000 },
    {
      fetch: (input, init) => fetch(input, init),
      now: Date.now,
      randomId: () => "rid",
      values: config.values,
      publicValueNames: config.publicValueNames,
      allowPrivateTargets: true,
    },
  );
}

/** The run as stored and served: every string in it. */
const text = (result: RunResult) => JSON.stringify(result);

describe("secrets read through {{env:}} and ctx.env (finding 1)", () => {
  it("a binding that is not a declared var is redacted when read as {{env:NAME}}", async () => {
    const result = await run({
      steps: [
        {
          name: "echo",
          url: "/e",
          headers: { "x-key": "{{env:SHORT_PIN}}" },
          body: { text: "k={{env:CANARY_ENV}}" },
          method: "POST",
          expectStatus: 201,
        },
      ],
    });
    expect(result.status).toBe("down");
    expect(result.steps[0]!.evidence?.response?.body).toContain("[secret:CANARY_ENV]");
    expect(result.steps[0]!.evidence?.curl).toContain("${CANARY_ENV}");
    expect(exposures(text(result), env.CANARY_ENV)).toEqual([]);
  });

  it("a non-ASCII value is never put in a header (workerd would print it in a warning)", async () => {
    const result = await run({ steps: [{ name: "h", url: "/h", headers: { "x-key": "{{env:CANARY_ENV}}" } }] });
    expect(result.failure).toMatchObject({
      class: "probe",
      message:
        "header 'x-key' has a value with non-ASCII or control characters; encode it first (e.g. encodeURIComponent)",
    });
    expect(result.steps[0]!.exchanges).toEqual([]);
  });

  it("and when a script reads it with ctx.env", async () => {
    const result = await run({
      steps: [
        script("echo", async (ctx) => {
          const res = await ctx.http.post("/e", { body: ctx.env("CANARY_ENV") });
          ctx.expect(res.text, "echo").toBe("something else");
        }),
      ],
    });
    expect(result.failure?.class).toBe("assertion");
    expect(exposures(text(result), env.CANARY_ENV)).toEqual([]);
  });

  it("a declared var (wrangler.toml [vars]) stays readable", async () => {
    expect(config.publicValueNames.has("SHOP_URL")).toBe(true);
    const result = await run({
      baseUrl: "{{env:SHOP_URL}}",
      steps: [{ name: "home", url: "/nope-404", expectStatus: 200 }],
    });
    expect(result.steps[0]!.evidence?.request.url).toBe(`${env.SHOP_URL}/nope-404`);
  });
});

describe("a secret in the URL path (finding 2)", () => {
  it('is redacted in its path-encoded form (space, <, >, ", non-ASCII)', async () => {
    const result = await run({
      steps: [{ name: "path", url: "/keys/{{secret:CANARY_SECRET}}/x?status=404", expectStatus: 200 }],
    });
    const step = result.steps[0]!;
    expect(step.failure?.class).toBe("status");
    expect(step.exchanges[0]!.url).toContain("[secret:CANARY_SECRET]");
    expect(exposures(text(result), env.CANARY_SECRET)).toEqual([]);
  });
});

describe("redaction before truncation (finding 3)", () => {
  // The secret sits at 28 + 2 × pad in "not found in …" (cut at 200), and 25 characters before
  // the notContains hit (a ±40 window keeps its last 15 characters).
  it.each([0, 80, 84, 88])(
    "a secret that a 200-character cut or a ±40 window would split (padding %i)",
    async (pad) => {
      const result = await run({
        steps: [
          {
            name: "cut",
            method: "POST",
            url: `/c?pad=${"p".repeat(pad)}`,
            body: { text: `${"q".repeat(pad)}{{secret:CANARY_SECRET}}${"z".repeat(25)}HIT${"z".repeat(300)}` },
            assert: [
              { source: "body", op: "notContains", value: "HIT" },
              { source: "body", op: "contains", value: "absent-needle" },
              { source: "body", op: "equals", value: "x" },
            ],
          },
        ],
      });
      expect(result.failure?.class).toBe("assertion");
      expect(result.steps[0]!.assertions.map((a) => a.actual.length <= 200)).toEqual([true, true, true, true]);
      expect(exposures(text(result), env.CANARY_SECRET)).toEqual([]);
    },
  );

  it("in a script's expectation and a non-JSON body message", async () => {
    const result = await run({
      steps: [
        script("cut", async (ctx) => {
          const res = await ctx.http.post(`/c?pad=${"p".repeat(60)}`, {
            body: `${"y".repeat(110)}${ctx.secret("CANARY_SECRET")}`,
          });
          ctx.expect(res.text, "echo").toBe("short");
        }),
      ],
    });
    expect(exposures(text(result), env.CANARY_SECRET)).toEqual([]);
    const json = await run({
      steps: [
        script("json", async (ctx) => {
          (await ctx.http.post(`/c?pad=${"p".repeat(40)}`, { body: ctx.secret("CANARY_SECRET") })).json();
        }),
      ],
    });
    expect(json.failure?.message).toContain("is not JSON");
    expect(exposures(text(json), env.CANARY_SECRET)).toEqual([]);
  });
});

describe("short secrets and echoed encodings (finding 4)", () => {
  it("a 3-character secret read with ctx.secret is scrubbed", async () => {
    const result = await run({
      steps: [
        script("pin", async (ctx) => {
          const res = await ctx.http.post("/pin?status=500", { body: `pin=${ctx.secret("SHORT_PIN")}` });
          ctx.expect(res.status, "status").toBe(200);
        }),
      ],
    });
    expect(result.steps[0]!.evidence?.response?.body).toContain("[secret:SHORT_PIN]");
    expect(exposures(text(result), env.SHORT_PIN)).toEqual([]);
  });

  it.each(["raw", "html", "base64", "unicode", "upper", "lowerhex"])(
    "echoed as %s, from the query, a form and a JSON body",
    async (as) => {
      const result = await run({
        steps: [
          {
            name: "echo",
            method: "POST",
            url: "/q",
            query: { q: "{{secret:CANARY_SECRET}}", status: "500" },
            headers: { "x-echo-as": as },
            body: { json: { note: "{{secret:CANARY_SECRET}}", other: "{{env:CANARY_ENV}}" } },
            expectStatus: 200,
          },
          {
            name: "form",
            method: "POST",
            url: "/f?status=500",
            headers: { "x-echo-as": as },
            body: { form: { note: "{{secret:CANARY_SECRET}}" } },
          },
        ],
      });
      expect(result.status).toBe("down");
      expect(exposures(text(result), env.CANARY_SECRET)).toEqual([]);
      expect(exposures(text(result), env.CANARY_ENV)).toEqual([]);
    },
  );
});
