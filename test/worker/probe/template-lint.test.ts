/** Placeholders checked before any run: variables, env vars, secrets, built-ins. */
import { describe, expect, it } from "vitest";
import { didYouMean } from "../../../src/probe/did-you-mean.ts";
import { check, defineProbe, extract, script } from "../../../src/probe/define-probe.ts";
import { lintTemplates } from "../../../src/probe/template-lint.ts";

const context = { valueNames: new Set(["SHOP_URL", "SHOP_PASSWORD"]), varNames: new Set<string>() };

const journey = defineProbe({
  id: "j",
  name: "J",
  baseUrl: "{{env:SHOP_URL}}",
  steps: [
    {
      name: "log in",
      method: "POST",
      url: "/api/login",
      body: { json: { password: "{{secret:SHOP_PASSWORD}}" } },
      extract: { authToken: extract.json("$.token") },
    },
    {
      name: "cart",
      url: "/api/cart?at={{$timestamp}}",
      headers: { authorization: "Bearer {{authToken}}" },
      assert: [check.status().equals(200)],
    },
  ],
});

describe("lintTemplates", () => {
  it("accepts a journey whose placeholders all have a source", () => {
    expect(lintTemplates(journey, context)).toEqual([]);
  });

  it("finds a misspelt variable, a variable defined too late, missing values and an unknown built-in", () => {
    const probe = defineProbe({
      id: "j",
      name: "J",
      baseUrl: "{{env:SHOP_ULR}}",
      steps: [
        { name: "early", url: "/orders/{{orderId}}", headers: { "x-key": "{{secret:API_KEY}}" } },
        {
          name: "log in",
          url: "/login",
          extract: { authToken: extract.json("$.token"), orderId: extract.json("$.order") },
        },
        { name: "cart", url: "/cart?t={{$timestmp}}", headers: { authorization: "Bearer {{authTokn}}" } },
      ],
    });
    expect(lintTemplates(probe, context)).toEqual([
      {
        at: ["baseUrl"],
        needle: "{{env:SHOP_ULR}}",
        message:
          "env var 'SHOP_ULR' has no value here: add SHOP_ULR = \"...\" to [vars] in wrangler.toml (or to .dev.vars if it is a secret); did you mean SHOP_URL?",
      },
      {
        at: ["steps", 0, "url"],
        needle: "{{orderId}}",
        message:
          "variable {{orderId}} is not defined by an earlier step; step 'log in' defines it, but runs after this one (or pass --var orderId=...)",
      },
      {
        at: ["steps", 0, "headers", "x-key"],
        needle: "{{secret:API_KEY}}",
        message:
          "secret 'API_KEY' has no value here: add API_KEY=\"...\" to .dev.vars (or export it), and `npx wrangler secret put API_KEY` for production",
      },
      {
        at: ["steps", 2, "url"],
        needle: "{{$timestmp}}",
        message:
          "unknown built-in {{$timestmp}}; did you mean {{$timestamp}}?; the built-ins are {{$runId}} {{$region}} {{$timestamp}} {{$isoTimestamp}} {{$randomId}}",
      },
      {
        at: ["steps", 2, "headers", "authorization"],
        needle: "{{authTokn}}",
        message:
          "variable {{authTokn}} is not defined by an earlier step; did you mean {{authToken}}? (or pass --var authTokn=...)",
      },
    ]);
  });

  it("counts --var variables and the variables a script step sets", () => {
    const probe = defineProbe({
      id: "j",
      name: "J",
      baseUrl: "https://example.com",
      steps: [
        script("pick", async (ctx) => {
          ctx.vars.sku = "sku-1";
        }),
        { name: "one", url: "/p/{{sku}}/{{orderId}}" },
      ],
    });
    expect(lintTemplates(probe, { ...context, varNames: new Set(["orderId"]) })).toEqual([]);
    expect(lintTemplates(probe, context).map((p) => p.needle)).toEqual(["{{orderId}}"]);
  });

  it("checks ctx.secret and ctx.env names in script steps", () => {
    const probe = defineProbe({ id: "j", name: "J", steps: [script("s", async (ctx) => void ctx.secret("NOPE"))] });
    expect(lintTemplates(probe, context)).toEqual([
      {
        at: ["steps", 0],
        needle: 'ctx.secret("NOPE")',
        message: expect.stringContaining("secret 'NOPE' has no value here"),
      },
    ]);
  });
});

describe("didYouMean", () => {
  it.each<[string, string[], string | undefined]>([
    ["expectStatuss", ["expectStatus", "extract"], "expectStatus"],
    ["retires", ["retries", "regions"], "retries"],
    ["authTokn", ["authToken"], "authToken"],
    ["totally", ["expectStatus"], undefined],
    ["3m", ["1m", "2m"], undefined],
  ])("%s -> %s", (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });
});
