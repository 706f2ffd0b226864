/**
 * What a script step receives. `ctx.http` goes through the same exchange code as declarative
 * steps (SSRF guard, deadline, timings, evidence), and `ctx.expect` failures are reported as
 * assertion failures with expected vs actual, exactly like declarative assertions.
 */
import type { FailureClass } from "./result.ts";

export interface ScriptRequestOptions {
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** An object is sent as JSON; a string as text/plain unless a content-type header says otherwise. */
  body?: unknown;
  maxRedirects?: number;
}

export interface ScriptResponse {
  status: number;
  headers: Headers;
  url: string;
  text: string;
  /** Parses the body as JSON; throws a script error naming the URL when it is not JSON. */
  json<T = unknown>(): T;
  ttfbMs: number;
  totalMs: number;
}

interface ScriptHttpClient {
  /** URLs may be relative to the probe's baseUrl and may contain {{variables}}. */
  get(url: string, options?: ScriptRequestOptions): Promise<ScriptResponse>;
  post(url: string, options?: ScriptRequestOptions): Promise<ScriptResponse>;
  put(url: string, options?: ScriptRequestOptions): Promise<ScriptResponse>;
  delete(url: string, options?: ScriptRequestOptions): Promise<ScriptResponse>;
  request(method: string, url: string, options?: ScriptRequestOptions): Promise<ScriptResponse>;
}

export interface Expectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeLessThan(limit: number): void;
  toBeGreaterThan(limit: number): void;
  toBeLessThanOrEqual(limit: number): void;
  toBeGreaterThanOrEqual(limit: number): void;
  toContain(item: unknown): void;
  toMatch(pattern: RegExp | string): void;
  toHaveLength(length: number): void;
  toBeTruthy(): void;
  toBeDefined(): void;
  readonly not: Omit<Expectation, "not">;
}

export interface ScriptContext {
  http: ScriptHttpClient;
  /**
   * @example ctx.expect(cart.totalCents, "cart total").toBeGreaterThan(0)
   */
  expect(actual: unknown, label?: string): Expectation;
  /** Variables shared with later steps as {{name}}. Assign to set one. */
  vars: Record<string, string>;
  /**
   * Records a journey metric for this run (a later call with the same name replaces the value).
   * The value must be a finite number, or the step fails as an assertion; at most 10 names per probe.
   * @example ctx.metric("products_in_stock", products.filter((p) => p.stock > 0).length)
   */
  metric(name: string, value: number): void;
  /** A Worker secret by name; its value is redacted from everything the run records. */
  secret(name: string): string;
  /** A Worker var by name. */
  env(name: string): string;
  region: string;
  runId: string;
}

/** Thrown by ctx.expect; becomes an "assertion" failure. */
export class ExpectationError extends Error {
  override name = "ExpectationError";
  readonly label: string;
  readonly expected: string;
  readonly actual: string;
  constructor(label: string, expected: string, actual: string) {
    super(`${label}: expected ${expected}, got ${actual}`);
    this.label = label;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Thrown by ctx.http when the request itself failed (refused, timeout, ...). */
export class ScriptHttpError extends Error {
  override name = "ScriptHttpError";
  readonly failureClass: FailureClass;
  constructor(failureClass: FailureClass, message: string) {
    super(message);
    this.failureClass = failureClass;
  }
}

/** What a value's text is passed through before it is cut: the run's redactor. */
export type Scrub = (text: string) => string;

const SHOWN_CHARS = 200;

/** A value as text for a message, scrubbed whole and then cut to 200 characters. */
export function show(value: unknown, scrub: Scrub = (text) => text): string {
  let text: string;
  if (value === undefined) text = "undefined";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return scrub(text).slice(0, SHOWN_CHARS);
}

const showScrubbed = show;

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function lengthOf(value: unknown): number | undefined {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  return undefined;
}

/** Builds the `expect` of a script context; `scrub` runs on every text before it is cut. */
export function createExpect(
  actual: unknown,
  label = "value",
  negated = false,
  scrub: Scrub = (text) => text,
): Expectation {
  const show = (value: unknown) => showScrubbed(value, scrub);
  const check = (passed: boolean, expected: string, actualText = show(actual)) => {
    if (passed === negated)
      throw new ExpectationError(scrub(label), negated ? `not ${expected}` : expected, actualText);
  };
  const expectation: Omit<Expectation, "not"> = {
    toBe: (expected) => check(Object.is(actual, expected), show(expected)),
    toEqual: (expected) => check(deepEqual(actual, expected), show(expected)),
    toBeLessThan: (limit) => check(typeof actual === "number" && actual < limit, `< ${limit}`),
    toBeGreaterThan: (limit) => check(typeof actual === "number" && actual > limit, `> ${limit}`),
    toBeLessThanOrEqual: (limit) => check(typeof actual === "number" && actual <= limit, `<= ${limit}`),
    toBeGreaterThanOrEqual: (limit) => check(typeof actual === "number" && actual >= limit, `>= ${limit}`),
    toContain: (item) =>
      check(
        typeof actual === "string"
          ? typeof item === "string" && actual.includes(item)
          : Array.isArray(actual) && actual.some((x) => deepEqual(x, item)),
        `to contain ${show(item)}`,
      ),
    toMatch: (pattern) =>
      check(typeof actual === "string" && new RegExp(pattern).test(actual), `to match ${String(pattern)}`),
    toHaveLength: (length) =>
      check(lengthOf(actual) === length, `length ${length}`, `length ${lengthOf(actual) ?? "n/a"}`),
    toBeTruthy: () => check(Boolean(actual), "truthy"),
    toBeDefined: () => check(actual !== undefined, "defined"),
  };
  // A getter, defined lazily: building the negated expectation eagerly would recurse forever.
  return Object.defineProperty(expectation, "not", {
    get: () => createExpect(actual, label, !negated, scrub),
  }) as Expectation;
}
