/**
 * The probe DSL that files in probes/ import. A probe is plain data plus, optionally, script
 * steps; `defineProbe` only gives it types and autocomplete. Validation (with file, probe id
 * and field path in every message) happens when the registry loads.
 *
 * @example
 * import { defineProbe, check, extract } from "../src/probe/define-probe.ts";
 *
 * export default defineProbe({
 *   id: "shop-home",
 *   name: "Shop home page",
 *   group: "Storefront",
 *   schedule: "1m",
 *   regions: ["weur", "enam"],
 *   baseUrl: "{{env:SHOP_URL}}",
 *   steps: [{ name: "home", url: "/", assert: [check.body().contains("Welcome")] }],
 * });
 */
import type {
  Assertion,
  BrowserProbeInput,
  Extractor,
  HeartbeatProbeInput,
  HttpProbeInput,
  HttpStepInput,
  MetricExtractor,
} from "./schema.ts";
import type { ScriptContext } from "./script-context.ts";
import type { Journey } from "./browser/journey-context.ts";

export type { ScriptContext } from "./script-context.ts";
export type { JourneyContext, Journey } from "./browser/journey-context.ts";

/** A step that runs code: loops, conditionals, computed values. */
export interface ScriptStepDefinition {
  name: string;
  /** Receives the run's context: `ctx.http` records timings and evidence like declarative steps. */
  script: (ctx: ScriptContext) => Promise<void>;
  timeoutMs?: number;
}

export type StepDefinition = HttpStepInput | ScriptStepDefinition;

export type HttpProbeDefinition = Omit<HttpProbeInput, "steps"> & { steps: StepDefinition[] };

/**
 * A heartbeat (push monitor): the software pings `/hb/{id}` when its job ends.
 *
 * @example
 * export default defineProbe({ kind: "heartbeat", id: "nightly-backup", name: "Nightly backup",
 *   period: "1d", grace: "2h" });
 */
export type HeartbeatProbeDefinition = HeartbeatProbeInput;

/**
 * A browser probe: a Playwright journey in a real Chromium (Browser Rendering in production, the
 * machine's Chromium locally). At most every 5 minutes; Web Vitals and a failure screenshot kept.
 *
 * @example
 * export default defineProbe({
 *   kind: "browser", id: "shop-buy", name: "Buy in the storefront", schedule: "5m", baseUrl: "{{env:SHOP_URL}}",
 *   journey: async ({ page, expect, step, secret }) => {
 *     await step("open store", () => page.goto("/store"));
 *     await step("log in", async () => {
 *       await page.getByLabel("Password").fill(secret("SHOP_PASSWORD"));
 *       await page.getByRole("button", { name: "Log in" }).click();
 *       await expect(page.getByRole("status")).toHaveText("Signed in");
 *     });
 *   },
 * });
 */
export type BrowserProbeDefinition = Omit<BrowserProbeInput, "journey"> & { journey: Journey };

/** Every kind of probe: an HTTP journey (no `kind`, or `kind: "http"`), a heartbeat or a browser journey. */
export type ProbeDefinition = HttpProbeDefinition | HeartbeatProbeDefinition | BrowserProbeDefinition;

/**
 * Declares a probe. Export it as the file's default export.
 *
 * @example
 * export default defineProbe({ id: "api-health", name: "API health", baseUrl: "{{env:SHOP_URL}}",
 *   steps: [{ name: "health", url: "/health", expectStatus: 200 }] });
 */
export function defineProbe(definition: BrowserProbeDefinition): BrowserProbeDefinition;
export function defineProbe(definition: HeartbeatProbeDefinition): HeartbeatProbeDefinition;
export function defineProbe(definition: HttpProbeDefinition): HttpProbeDefinition;
export function defineProbe(definition: ProbeDefinition): ProbeDefinition {
  return definition;
}

/**
 * Declares a script step.
 *
 * @example
 * script("every product has stock", async (ctx) => {
 *   const list = await ctx.http.get("/api/products");
 *   for (const p of list.json<{ products: { id: string }[] }>().products) {
 *     const one = await ctx.http.get(`/api/products/${p.id}`);
 *     ctx.expect(one.status, `status of ${p.id}`).toBe(200);
 *   }
 * })
 */
export function script(
  name: string,
  fn: (ctx: ScriptContext) => Promise<void>,
  options: { timeoutMs?: number } = {},
): ScriptStepDefinition {
  return { name, script: fn, ...options };
}

type Json = string | number | boolean | null;

function comparisons<S extends "json">(base: { source: S; path: string }) {
  return {
    equals: (value: unknown): Assertion => ({ ...base, op: "equals", value: value as Json }),
    notEquals: (value: unknown): Assertion => ({ ...base, op: "notEquals", value: value as Json }),
    exists: (): Assertion => ({ ...base, op: "exists" }),
    notExists: (): Assertion => ({ ...base, op: "notExists" }),
    lt: (value: number): Assertion => ({ ...base, op: "lt", value }),
    gt: (value: number): Assertion => ({ ...base, op: "gt", value }),
    lte: (value: number): Assertion => ({ ...base, op: "lte", value }),
    gte: (value: number): Assertion => ({ ...base, op: "gte", value }),
    /** String contains a substring, or array contains an element equal to the value. */
    contains: (value: Json): Assertion => ({ ...base, op: "contains", value }),
    /** Length of the array, string or object keys equals the value. */
    length: (value: number): Assertion => ({ ...base, op: "length", value }),
    /** Stringified value matches the regular expression. */
    matches: (pattern: string | RegExp): Assertion => ({ ...base, op: "matches", value: toPattern(pattern) }),
  };
}

function toPattern(pattern: string | RegExp): string {
  return typeof pattern === "string" ? pattern : pattern.source;
}

/**
 * Assertion builders for `assert: [...]` in HTTP steps. Each returns plain data.
 *
 * @example
 * assert: [
 *   check.status().equals(200),
 *   check.header("content-type").contains("json"),
 *   check.json("$.items").length(2),
 *   check.json("$.totalCents").gt(0),
 *   check.body().notContains("error"),
 *   check.responseTime().lt(800),
 *   check.bodySize().lt(100_000),
 * ]
 */
export const check = {
  status: () => ({
    equals: (value: number): Assertion => ({ source: "status", op: "equals", value }),
    notEquals: (value: number): Assertion => ({ source: "status", op: "notEquals", value }),
    in: (...values: number[]): Assertion => ({ source: "status", op: "in", value: values }),
    lt: (value: number): Assertion => ({ source: "status", op: "lt", value }),
    gte: (value: number): Assertion => ({ source: "status", op: "gte", value }),
  }),
  header: (name: string) => ({
    equals: (value: string): Assertion => ({ source: "header", name, op: "equals", value }),
    notEquals: (value: string): Assertion => ({ source: "header", name, op: "notEquals", value }),
    contains: (value: string): Assertion => ({ source: "header", name, op: "contains", value }),
    notContains: (value: string): Assertion => ({ source: "header", name, op: "notContains", value }),
    matches: (pattern: string | RegExp): Assertion => ({
      source: "header",
      name,
      op: "matches",
      value: toPattern(pattern),
    }),
    exists: (): Assertion => ({ source: "header", name, op: "exists" }),
    notExists: (): Assertion => ({ source: "header", name, op: "notExists" }),
  }),
  body: () => ({
    contains: (value: string): Assertion => ({ source: "body", op: "contains", value }),
    notContains: (value: string): Assertion => ({ source: "body", op: "notContains", value }),
    matches: (pattern: string | RegExp): Assertion => ({ source: "body", op: "matches", value: toPattern(pattern) }),
    notMatches: (pattern: string | RegExp): Assertion => ({
      source: "body",
      op: "notMatches",
      value: toPattern(pattern),
    }),
    equals: (value: string): Assertion => ({ source: "body", op: "equals", value }),
  }),
  json: (path: string) => comparisons({ source: "json", path }),
  /** Time from sending the request to the end of the body, in ms. */
  responseTime: () => ({
    lt: (ms: number): Assertion => ({ source: "responseTime", op: "lt", value: ms }),
    lte: (ms: number): Assertion => ({ source: "responseTime", op: "lte", value: ms }),
  }),
  /** Response body size in bytes. */
  bodySize: () => ({
    lt: (bytes: number): Assertion => ({ source: "bodySize", op: "lt", value: bytes }),
    gt: (bytes: number): Assertion => ({ source: "bodySize", op: "gt", value: bytes }),
    lte: (bytes: number): Assertion => ({ source: "bodySize", op: "lte", value: bytes }),
    gte: (bytes: number): Assertion => ({ source: "bodySize", op: "gte", value: bytes }),
    equals: (bytes: number): Assertion => ({ source: "bodySize", op: "equals", value: bytes }),
  }),
};

/**
 * Extractor builders for `extract: { name: ... }`; the value is then `{{name}}` in later steps.
 *
 * @example
 * extract: { token: extract.json("$.token"), requestId: extract.header("x-request-id"),
 *            csrf: extract.regex(/name="csrf" value="([^"]+)"/), session: extract.cookie("session") }
 */
export const extract = {
  /**
   * A journey metric for `metrics: [...]`: a number this step's response carries, recorded with
   * every run, charted on the probe page, exported to /metrics and usable in `alerts.metrics`.
   * A JSONPath string reads the JSON body; any other extractor works too (its text must be a number).
   *
   * @example
   * metrics: [extract.metric("cart_total", "$.totalCents"), extract.metric("queue_depth", extract.header("x-queue-depth"))]
   */
  metric: (name: string, from: string | Extractor): MetricExtractor => ({
    name,
    value: typeof from === "string" ? { from: "json", path: from } : from,
  }),
  json: (path: string): Extractor => ({ from: "json", path }),
  header: (name: string): Extractor => ({ from: "header", name }),
  regex: (pattern: string | RegExp, group = 1): Extractor => ({ from: "regex", pattern: toPattern(pattern), group }),
  cookie: (name: string): Extractor => ({ from: "cookie", name }),
};
