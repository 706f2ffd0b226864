/**
 * What a browser journey receives: a Playwright `page`, web-first `expect`, named `step`s, and
 * the run's variables and secrets. The page is a real Playwright Page: the Browser Rendering
 * binding's (@cloudflare/playwright) in production, a local Chromium's (playwright-core) on a
 * development machine; the journey code is the same.
 */
import type { Locator, Page } from "playwright-core";
import type { Expectation } from "../script-context.ts";

/** Assertions on an element that wait (up to the step's timeout) until they hold, like Playwright's own. */
export interface LocatorAssertions {
  /** The element's whole text (whitespace collapsed) equals the string or matches the pattern. */
  toHaveText(expected: string | RegExp): Promise<void>;
  toContainText(expected: string): Promise<void>;
  toBeVisible(): Promise<void>;
  toBeHidden(): Promise<void>;
  toBeEnabled(): Promise<void>;
  toHaveCount(count: number): Promise<void>;
  toHaveValue(expected: string | RegExp): Promise<void>;
  readonly not: Omit<LocatorAssertions, "not">;
}

/** Assertions on the page that wait until they hold. */
export interface PageAssertions {
  toHaveURL(expected: string | RegExp): Promise<void>;
  toHaveTitle(expected: string | RegExp): Promise<void>;
  readonly not: Omit<PageAssertions, "not">;
}

/**
 * `expect(locator)` and `expect(page)` wait and retry like Playwright's; `expect(value)` checks
 * a plain value at once, like a script step's `ctx.expect`. A failure is an `assertion` failure
 * with expected vs actual.
 *
 * @example
 * await expect(page.getByRole("status")).toHaveText("Added to cart");
 * await expect(page).toHaveURL(/\/store\/thanks$/);
 * expect(await page.locator(".item").count(), "items").toBeGreaterThan(0);
 */
export interface BrowserExpect {
  (target: Locator, label?: string): LocatorAssertions;
  (target: Page, label?: string): PageAssertions;
  (value: unknown, label?: string): Expectation;
}

export interface JourneyContext {
  /** A fresh page in a fresh browser context (no cookies), with the probe's baseUrl as its base URL. */
  page: Page;
  expect: BrowserExpect;
  /**
   * A named step: its time, navigations and failure are reported under its name.
   *
   * @example
   * await step("log in", async () => {
   *   await page.getByLabel("Email").fill("qa@afterlife.test");
   *   await page.getByLabel("Password").fill(secret("SHOP_PASSWORD"));
   *   await page.getByRole("button", { name: "Log in" }).click();
   * });
   */
  step<T>(name: string, body: () => Promise<T>): Promise<T>;
  /** Variables: `--var name=value` and what earlier code set. */
  vars: Record<string, string>;
  /** A Worker secret by name; its value is redacted from everything the run records. */
  secret(name: string): string;
  /** A Worker var by name (a binding that is not in wrangler.toml [vars] is a secret, and redacted). */
  env(name: string): string;
  region: string;
  runId: string;
}

/** A browser probe's journey. */
export type Journey = (ctx: JourneyContext) => Promise<void>;
