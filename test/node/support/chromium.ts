/** Debian's Chromium driven by playwright-core (no browser download needed). */
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { launchLocalChromium } from "../../../scripts/local/chromium.ts";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_MISSING = `Chromium is not installed at ${CHROMIUM_PATH}. Install it with: sudo apt-get update && sudo apt-get install -y chromium (or set CHROMIUM_PATH)`;

/** Under CI the browser tests must run: a missing Chromium is a failure there, a skip elsewhere. */
export function chromiumAvailable(): boolean {
  const present = existsSync(CHROMIUM_PATH);
  if (!present && process.env.CI) throw new Error(CHROMIUM_MISSING);
  if (!present) console.warn(`skipping browser tests: ${CHROMIUM_MISSING}`);
  return present;
}

export function launchChromium(): Promise<Browser> {
  return launchLocalChromium(CHROMIUM_PATH);
}
