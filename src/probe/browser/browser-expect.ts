/**
 * The journey's `expect`: web-first assertions on locators and pages that poll until they hold
 * or the step's timeout passes, and plain value checks (script-context.ts) for anything else.
 * Failures throw ExpectationError, which the runner reports as an `assertion` failure.
 */
import type { Locator, Page } from "playwright-core";
import { createExpect, ExpectationError, type Scrub } from "../script-context.ts";
import type { BrowserExpect, LocatorAssertions, PageAssertions } from "./journey-context.ts";

const POLL_MS = 100;

interface Observed {
  pass: boolean;
  actual: string;
}

function isLocator(value: unknown): value is Locator {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Locator).waitFor === "function" &&
    typeof (value as Locator).count === "function"
  );
}

function isPage(value: unknown): value is Page {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Page).goto === "function" &&
    typeof (value as Page).url === "function"
  );
}

function matches(actual: string, expected: string | RegExp): boolean {
  return typeof expected === "string" ? actual === expected : new RegExp(expected.source, expected.flags).test(actual);
}

function describe(expected: string | RegExp): string {
  return typeof expected === "string" ? JSON.stringify(expected) : String(expected);
}

const normalize = (text: string | null) => (text ?? "").replace(/\s+/g, " ").trim();

interface ExpectOptions {
  /** How long a web-first assertion waits: the probe's step timeout. */
  timeoutMs: number;
  now: () => number;
  scrub: Scrub;
}

/** Polls `observe` until its pass differs from `negated`, or throws the last observation. */
async function poll(
  label: string,
  expected: string,
  negated: boolean,
  observe: () => Promise<Observed>,
  options: ExpectOptions,
): Promise<void> {
  const end = options.now() + options.timeoutMs;
  for (;;) {
    let seen: Observed;
    try {
      seen = await observe();
    } catch (error) {
      seen = { pass: false, actual: error instanceof Error ? error.message.split("\n")[0]! : String(error) };
    }
    if (seen.pass !== negated) return;
    if (options.now() >= end) {
      throw new ExpectationError(
        options.scrub(label),
        negated ? `not ${expected}` : expected,
        `${options.scrub(seen.actual).slice(0, 200)} (after ${options.timeoutMs} ms)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function locatorAssertions(
  locator: Locator,
  label: string,
  negated: boolean,
  options: ExpectOptions,
): LocatorAssertions {
  const check = (expected: string, observe: () => Promise<Observed>) =>
    poll(label, expected, negated, observe, options);
  const text = async (): Promise<string | null> =>
    (await locator.count()) === 0 ? null : normalize(await locator.first().textContent({ timeout: 1000 }));
  const assertions: Omit<LocatorAssertions, "not"> = {
    toHaveText: (expected) =>
      check(`text ${describe(expected)}`, async () => {
        const actual = await text();
        return actual === null
          ? { pass: false, actual: "no such element" }
          : {
              pass: matches(actual, typeof expected === "string" ? normalize(expected) : expected),
              actual: JSON.stringify(actual),
            };
      }),
    toContainText: (expected) =>
      check(`text containing ${JSON.stringify(expected)}`, async () => {
        const actual = await text();
        return actual === null
          ? { pass: false, actual: "no such element" }
          : { pass: actual.includes(normalize(expected)), actual: JSON.stringify(actual) };
      }),
    toBeVisible: () =>
      check("visible", async () => ({
        pass: (await locator.count()) > 0 && (await locator.first().isVisible()),
        actual: (await locator.count()) === 0 ? "no such element" : "hidden",
      })),
    toBeHidden: () =>
      check("hidden", async () => ({
        pass: (await locator.count()) === 0 || !(await locator.first().isVisible()),
        actual: "visible",
      })),
    toBeEnabled: () =>
      check("enabled", async () =>
        (await locator.count()) === 0
          ? { pass: false, actual: "no such element" }
          : { pass: await locator.first().isEnabled(), actual: "disabled" },
      ),
    toHaveCount: (count) =>
      check(`count ${count}`, async () => {
        const actual = await locator.count();
        return { pass: actual === count, actual: `count ${actual}` };
      }),
    toHaveValue: (expected) =>
      check(`value ${describe(expected)}`, async () => {
        if ((await locator.count()) === 0) return { pass: false, actual: "no such element" };
        const actual = await locator.first().inputValue({ timeout: 1000 });
        // The value may be a secret the journey typed: it is scrubbed before it is shown.
        return { pass: matches(actual, expected), actual: JSON.stringify(actual) };
      }),
  };
  return Object.defineProperty(assertions, "not", {
    get: () => locatorAssertions(locator, label, !negated, options),
  }) as LocatorAssertions;
}

function pageAssertions(page: Page, label: string, negated: boolean, options: ExpectOptions): PageAssertions {
  const check = (expected: string, observe: () => Promise<Observed>) =>
    poll(label, expected, negated, observe, options);
  const assertions: Omit<PageAssertions, "not"> = {
    toHaveURL: (expected) =>
      check(`URL ${describe(expected)}`, async () => {
        const actual = page.url();
        return { pass: matches(actual, expected), actual };
      }),
    toHaveTitle: (expected) =>
      check(`title ${describe(expected)}`, async () => {
        const actual = await page.title();
        return { pass: matches(actual, expected), actual: JSON.stringify(actual) };
      }),
  };
  return Object.defineProperty(assertions, "not", {
    get: () => pageAssertions(page, label, !negated, options),
  }) as PageAssertions;
}

/** The `expect` of one journey run. */
export function createBrowserExpect(options: ExpectOptions): BrowserExpect {
  return ((target: unknown, label?: string) => {
    if (isLocator(target)) return locatorAssertions(target, label ?? `locator ${String(target)}`, false, options);
    if (isPage(target)) return pageAssertions(target, label ?? "page", false, options);
    return createExpect(target, label, false, options.scrub);
  }) as BrowserExpect;
}
