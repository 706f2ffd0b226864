/**
 * The status page in Chromium against a real local instance (wrangler dev + local D1 + the demo
 * shop) with 90 days of history seeded through the project's D1RunStore, and a probe whose name,
 * group, description and failure message carry script and attribute-injection payloads.
 *
 * Checked: the banner, the status page's 90-day strips and the component page's days (no data
 * is grey, never green), a day reached by keyboard from the status page with its date,
 * availability, median and worst incident, tooltips on focus and hover, the component page's
 * chart, dark mode, a 360 px phone, local times, the pages without JavaScript, axe-core (no
 * serious or critical violations), no console errors, and that the payloads show as text and
 * never run. Screenshots go to test-output/screenshots/.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startLocalNetwork, type LocalNetwork } from "../../scripts/local/local-network.ts";
import { freePort } from "../../scripts/local/ports.ts";
import {
  BAD_DAY,
  BAD_DAY_INCIDENT,
  GAP_DAY,
  MINOR_DAY,
  seedProject,
  XSS_DESCRIPTION,
  XSS_GROUP,
  XSS_MESSAGE,
  XSS_NAME,
  type SeededProject,
} from "./status-page-seed.ts";
import { chromiumAvailable, launchChromium } from "./support/chromium.ts";

const hasChromium = chromiumAvailable();
const OUTPUT = join(ROOT, "test-output", "screenshots");
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const PAGE_CONFIG = {
  title: "Acme <b>status</b>",
  supportUrl: "mailto:support@acme.example",
  homepageUrl: "https://acme.example",
  timeZone: "Europe/Berlin",
  showFailureEvidence: true,
};

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

describe.skipIf(!hasChromium)("seeded status page in Chromium", () => {
  let seeded: SeededProject;
  let network: LocalNetwork;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  /** A page in a fresh context; console errors, page errors and dialogs are recorded as problems. */
  async function open(path: string, options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: 1200, height: 900 },
      timezoneId: "America/New_York",
      ...options,
    });
    contexts.push(context);
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${path}: console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`${path}: page error: ${e.message}`));
    page.on("dialog", (d) => {
      problems.push(`${path}: dialog: ${d.message()}`);
      void d.dismiss();
    });
    const response = await page.goto(network.workerUrl + path);
    expect(response?.status(), path).toBe(200);
    return page;
  }

  async function axe(page: Page, label: string): Promise<void> {
    await page.evaluate(AXE_SOURCE);
    const { violations, passes } = (await page.evaluate(
      `axe.run(document).then((r) => ({ violations: r.violations, passes: r.passes.length }))`,
    )) as { violations: AxeViolation[]; passes: number };
    expect(passes, `${label}: axe ran its checks`).toBeGreaterThan(10);
    const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(
      serious.map(
        (v) =>
          `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
            .slice(0, 3)
            .map((n) => n.target.join(" "))
            .join(", ")}`,
      ),
    ).toEqual([]);
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(OUTPUT, name), fullPage: true });
  }

  /** The page's getComputedStyle, typed here: the tests are type-checked without the DOM library (functions run in the page, so each names it itself). */
  type Styles = { getComputedStyle(element: unknown, pseudo: string): { content: string; height: string } };
  // Strings, not functions: the tests are type-checked without the DOM library.
  const xssRan = (page: Page) => page.evaluate("window.__xss ?? null");

  beforeAll(async () => {
    seeded = await seedProject();
    const workerPort = await freePort(18887);
    const shopPort = await freePort(Math.max(18890, workerPort + 1));
    network = await startLocalNetwork({
      root: seeded.root,
      persistTo: seeded.persistTo,
      cronDriver: false,
      workerPort,
      shopPort,
      vars: { STATUS_PAGE: JSON.stringify(PAGE_CONFIG) },
    });
    await network.fireTick(Date.now());
    browser = await launchChromium();
    mkdirSync(OUTPUT, { recursive: true });
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await network?.stop();
    seeded?.cleanup();
  });

  it("shows the banner, the components and a strip of 90 UTC days per probe, with no data in grey and never green", async () => {
    const page = await open("/");
    await expect(page.locator("#overall").textContent()).resolves.toBe("All systems operational");
    await expect(page.locator(".banner").getAttribute("data-state")).resolves.toBe("operational");
    await expect(page.locator(".banner time").count()).resolves.toBe(1);
    await expect(page.locator("h1").textContent()).resolves.toBe(PAGE_CONFIG.title);

    const probes = await page
      .locator("[data-probe]")
      .evaluateAll((els) => els.map((el) => el.getAttribute("data-probe")));
    expect(probes).toEqual(["search-api", "shop-checkout", "shop-home", "xss-probe"]);
    for (const id of probes) await expect(page.locator(`[data-probe="${id}"] .days > *`).count()).resolves.toBe(90);

    // One compact element per day, its level in its tag (i met, b below objective, s under 90 %, u no data), hidden from assistive technology.
    const search = page.locator('[data-probe="search-api"] .days > *');
    const tagOf = (daysAgo: number) => search.nth(89 - daysAgo).evaluate((el) => el.tagName.toLowerCase());
    await expect(tagOf(GAP_DAY)).resolves.toBe("u");
    await expect(tagOf(BAD_DAY)).resolves.toBe("s");
    await expect(tagOf(MINOR_DAY)).resolves.toBe("b");
    await expect(tagOf(30)).resolves.toBe("i");
    await expect(page.locator('[data-probe="search-api"] .days').getAttribute("aria-hidden")).resolves.toBe("true");
    await expect(page.locator('[data-probe="search-api"] a.strip').getAttribute("href")).resolves.toBe(
      "/probes/search-api#days",
    );
    await expect(
      page
        .locator('[data-probe="search-api"] .axis')
        .evaluate(
          (el) =>
            `${(globalThis as unknown as Styles).getComputedStyle(el, "::before").content} ${(globalThis as unknown as Styles).getComputedStyle(el, "::after").content}`,
        ),
    ).resolves.toBe('"90 days ago" "Today"');
    // Each level is drawn at its own height, so colour is never the only signal.
    const heights = await Promise.all(
      [GAP_DAY, BAD_DAY, MINOR_DAY, 30].map((d) =>
        search.nth(89 - d).evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el, "::before").height),
      ),
    );
    expect(heights.map((h) => Math.round(Number.parseFloat(h)))).toEqual([8, 16, 25, 36]);
    // The shop probes have only today's tick: 89 grey days and today.
    const shop = await page
      .locator('[data-probe="shop-home"] .days > *')
      .evaluateAll((els) => els.map((el) => el.tagName.toLowerCase()));
    expect(shop.slice(0, 89).every((t) => t === "u")).toBe(true);
    expect(shop[89]).toBe("i");

    // The same days on the component page, each with its figures: no data is never green.
    const detail = await open("/probes/search-api");
    const days = await detail
      .locator(".bar > li")
      .evaluateAll((els) => els.map((el) => [el.className, el.textContent ?? ""]));
    expect(days).toHaveLength(90);
    expect(days[89 - GAP_DAY]![0]).toBe("d-none");
    expect(days[89 - BAD_DAY]![0]).toBe("d-major");
    for (const [level, text] of days) {
      if (level === "d-none") expect(text).toContain("No data");
      else expect(text).toMatch(/ of [\d,]+ runs good/);
    }
    await expect(page.locator('[data-probe="search-api"] .uptime').textContent()).resolves.toMatch(
      /^\d{2}\.\d{2} % available over the (89|88) of 90 days with data$/,
    );
    await expect(page.locator('[data-probe="xss-probe"] .uptime').textContent()).resolves.toMatch(
      /^\d{2}\.\d{2} % available over (90 days|the 89 of 90 days with data)$/,
    ); // today has runs once its first hourly slot passed
    await expect(page.locator('[data-probe="shop-home"] .uptime').textContent()).resolves.toBe(
      "100 % available over the 1 of 90 days with data",
    );
    await expect(page.locator('link[rel="alternate"][type="application/atom+xml"]').getAttribute("href")).resolves.toBe(
      "/feed.atom",
    );
    await shot(page, "status-seeded-light.png");
    await axe(page, "/ light");
  });

  it("reaches a day by keyboard from the status page: the strip's link, then the day, whose label states its date, availability, median and worst incident", async () => {
    const page = await open("/");
    const active = (selector: string) =>
      page.evaluate(
        `document.activeElement?.matches(${JSON.stringify(selector)}) ? document.activeElement.textContent : null`,
      ) as Promise<string | null>;
    let strip: string | null = null;
    for (let k = 0; k < 40 && strip === null; k++) {
      await page.keyboard.press("Tab");
      strip = await active("a.strip");
    }
    expect(strip).toBe("Product search: each of the last 90 days");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/probes\/search-api#days$/);
    // The page opens at the days; the next Tab stops go through them, oldest first.
    let day: string | null = null;
    for (let k = 0; k < 40 && day === null; k++) {
      await page.keyboard.press("Tab");
      day = await active(".bar > li");
    }
    expect(day).toMatch(
      /^\d{1,2} \w{3} \d{4} (Met objective|Below objective|Under 90 %) \(99\.5 %\): [\d.]+ % of [\d,]+ runs good.*\. Median \d+ ms\.( [^.]+\.)* No incident\.$/,
    );
    // On to the bad day: its label names the day's worst incident.
    for (let k = 0; k < 89 - BAD_DAY; k++) await page.keyboard.press("Tab");
    const bad = await active(".bar > li");
    expect(bad).toMatch(
      new RegExp(
        `^\\d{1,2} \\w{3} \\d{4} Under 90 % \\(99\\.5 %\\): [\\d.]+ % of [\\d,]+ runs good, [\\d,]+ failed\\. Median \\d+ ms\\.( [^.]+\\.)* Incident: ${BAD_DAY_INCIDENT} \\(major\\)\\.$`,
      ),
    );
    const tip = page.locator(".bar > li:focus > span");
    await expect(tip.boundingBox().then((b) => b!.width)).resolves.toBeGreaterThan(100);
    await shot(page, "probe-day-focus.png");
    await axe(page, "/probes/search-api#days");
  });

  it("shows a day's tooltip on keyboard focus and on hover on the component page, and hides it with Escape", async () => {
    const page = await open("/probes/search-api");
    let focused = "";
    for (let k = 0; k < 60 && !focused.startsWith("bar-day"); k++) {
      await page.keyboard.press("Tab");
      focused = (await page.evaluate(
        `document.activeElement?.matches(".bar > li") ? "bar-day " + document.activeElement.textContent : document.activeElement?.tagName ?? ""`,
      )) as string;
    }
    expect(focused).toMatch(/^bar-day \d{1,2} \w{3} \d{4} /);
    const tip = page.locator(".bar > li:focus > span");
    const box = await tip.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(20);
    await expect(tip.textContent()).resolves.toMatch(/No data|runs good/);
    await shot(page, "status-tooltip-focus.png");

    // Move on with the arrow of the keyboard: Tab to the next day, whose tip replaces this one.
    await page.keyboard.press("Tab");
    await expect(
      page
        .locator(".bar > li:focus > span")
        .boundingBox()
        .then((b) => b!.width),
    ).resolves.toBeGreaterThan(100);
    await page.keyboard.press("Escape");
    await expect(
      page
        .locator(".bar > li:focus > span")
        .boundingBox()
        .then((b) => b!.width),
    ).resolves.toBeLessThanOrEqual(1);

    const day = page.locator(".bar > li").nth(89 - BAD_DAY);
    await day.hover();
    const hovered = day.locator("span");
    await expect(hovered.boundingBox().then((b) => b!.width)).resolves.toBeGreaterThan(100);
    await expect(hovered.textContent()).resolves.toMatch(/Under 90 %.*failed/);
    await shot(page, "status-tooltip-hover.png");
  });

  it("shows every payload as text and runs none of them, on every page", async () => {
    for (const path of ["/", "/probes/xss-probe", "/history"]) {
      const page = await open(path);
      // Move the pointer over everything that shows a payload (an injected onmouseover would fire).
      const targets = await page.locator("h1, h3, h4 a, .muted, a.strip, .bar > li, .failures li").all();
      for (const el of targets.slice(0, 120)) if (await el.isVisible()) await el.hover({ force: true, timeout: 2000 });
      expect(await xssRan(page), path).toBeNull();
      await expect(page.locator("[onmouseover], [onerror], img[src=x], b:text('bold?')").count(), path).resolves.toBe(
        0,
      );
      await expect(page.locator("script").count(), path).resolves.toBe(1);
    }
    const page = await open("/");
    await expect(page.locator('[data-probe="xss-probe"] h4').textContent()).resolves.toBe(XSS_NAME);
    await expect(page.locator('[data-probe="xss-probe"] .muted').first().textContent()).resolves.toBe(XSS_DESCRIPTION);
    await expect(page.locator(`section.group h3`).allTextContents()).resolves.toContain(XSS_GROUP);
    const detail = await open("/probes/xss-probe");
    await expect(detail.locator("h1").textContent()).resolves.toBe(XSS_NAME);
    await expect(detail.locator(".failures").textContent()).resolves.toContain(XSS_MESSAGE);
    await expect(detail.title()).resolves.toBe(`${XSS_NAME} · ${PAGE_CONFIG.title}`);
    await shot(detail, "probe-xss.png");
  });

  it("draws the component page: chart over 24 h / 7 d / 30 d, regions, SLOs and recent failures", async () => {
    const page = await open("/probes/search-api");
    await expect(page.locator("h1").textContent()).resolves.toBe("Product search");
    for (const range of ["24h", "7d", "30d"]) {
      if (range !== "24h") await page.locator(`.tabs a[href*="range=${range}"]`).click();
      await expect(page.locator(`.tabs a[aria-current="page"]`).getAttribute("href")).resolves.toContain(
        `range=${range}`,
      );
      const p50 = await page.locator("svg.plot path.p50").getAttribute("d");
      const p95 = await page.locator("svg.plot path.p95").getAttribute("d");
      expect(p50, range).toMatch(/^M[\d.]+ [\d.]+.*(L[\d.]+ [\d.]+){5}/);
      expect(p95, range).toMatch(/^M[\d.]+ [\d.]+.*(L[\d.]+ [\d.]+){5}/);
      const box = await page.locator("svg.plot").boundingBox();
      expect(box!.width).toBeGreaterThan(500);
      expect(box!.height).toBeGreaterThan(150);
      await expect(page.locator("#chart-summary").textContent()).resolves.toMatch(
        /median \(p50\) was between \d+ ms and \d+ ms/,
      );
    }
    await expect(
      page.locator("[data-region]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-region"))),
    ).resolves.toEqual(["weur", "enam"]);
    await expect(page.locator('[data-region="weur"]').textContent()).resolves.toMatch(
      /Western Europe.*Operational.*\d+ ms/,
    );
    await expect(page.locator(".slo-card").count()).resolves.toBe(2);
    // Each SLO card draws its budget's burn-down, with a summary and each day's figures.
    await expect(page.locator(".slo-card svg.burn-plot path.budget-line").count()).resolves.toBe(2);
    await expect(page.locator(".slo-card .burn-down figcaption").first().textContent()).resolves.toMatch(
      /% of the availability budget is left/,
    );
    await expect(page.locator("#slo-availability + dl").textContent()).resolves.toMatch(
      /99\.5 % of runs succeed.*Current.*%.*Error budget.*Burn rate.*Forecast/,
    );
    await expect(page.locator("svg.budget").count()).resolves.toBe(2);
    await expect(page.locator(".failures li").count()).resolves.toBeGreaterThan(0);
    await expect(page.locator(".failures").textContent()).resolves.toContain("Unexpected HTTP status");
    // The journey metric: its hourly trend line, a sentence, and the figures behind a disclosure.
    const metric = page.locator('figure[data-metric="results_found"]');
    await expect(metric.locator("figcaption").textContent()).resolves.toMatch(
      /hourly mean of results_found was between 4\d(\.\d+)? and \d+(\.\d+)?; the newest value is \d+/,
    );
    await expect(metric.locator("svg.burn-plot path.budget-line").getAttribute("d")).resolves.toMatch(
      /^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){5}/,
    );
    await expect(metric.locator("tbody tr").count()).resolves.toBeGreaterThan(20);
    await shot(page, "probe-detail.png");
    await axe(page, "/probes/search-api light");
  });

  it("works in dark mode, with the same contrast guarantees", async () => {
    const page = await open("/", { colorScheme: "light" });
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.evaluate("getComputedStyle(document.body).backgroundColor")).resolves.toBe("rgb(13, 17, 23)");
    await shot(page, "status-seeded-dark.png");
    await axe(page, "/ dark");
    const detail = await open("/probes/search-api?range=7d", { colorScheme: "dark" });
    await expect(detail.evaluate("getComputedStyle(document.body).color")).resolves.toBe("rgb(230, 237, 243)");
    await shot(detail, "probe-detail-dark.png");
    await axe(detail, "/probes/search-api dark");
  });

  it("fits a 360 px phone: no sideways scrolling, the last 30 days, tooltips inside the screen", async () => {
    for (const path of ["/", "/probes/search-api", "/history"]) {
      const page = await open(path, { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
      await expect(page.evaluate("document.documentElement.scrollWidth"), path).resolves.toBeLessThanOrEqual(360);
      if (path === "/") {
        await expect(page.locator('[data-probe="search-api"] .days > :visible').count()).resolves.toBe(30);
        await expect(
          page
            .locator('[data-probe="search-api"] .axis')
            .evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el, "::before").content),
        ).resolves.toBe('"30 days ago"');
        await shot(page, "status-seeded-360.png");
        await axe(page, "/ 360px");
      } else if (path === "/probes/search-api") {
        await expect(page.locator(".bar > li:visible").count()).resolves.toBe(30);
        const day = page.locator(".bar > li").nth(89);
        await day.focus();
        const box = await day.locator("span").boundingBox();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(360);
        await shot(page, "probe-detail-360.png");
        await axe(page, "/probes/search-api 360px");
      } else {
        await shot(page, "history-360.png");
      }
    }
  });

  it("shows times in the reader's zone with JavaScript, and works fully without it", async () => {
    const withJs = await open("/");
    await expect(withJs.locator(".banner time").textContent()).resolves.toMatch(/EST|EDT|GMT-[45]/);
    const noJs = await open("/", { javaScriptEnabled: false });
    await expect(noJs.locator(".banner time").textContent()).resolves.toMatch(/CET|CEST|GMT\+[12]/);
    await expect(noJs.locator(".days > *").count()).resolves.toBe(360);
    await noJs.locator('[data-probe="search-api"] a.strip').click();
    await noJs.waitForURL(/\/probes\/search-api#days$/);
    await noJs
      .locator(".bar > li")
      .nth(89 - BAD_DAY)
      .focus();
    await expect(
      noJs
        .locator(".bar > li:focus > span")
        .boundingBox()
        .then((b) => b!.width),
    ).resolves.toBeGreaterThan(100);
    await expect(noJs.locator(".bar > li:focus > span").textContent()).resolves.toContain(
      `Incident: ${BAD_DAY_INCIDENT} (major).`,
    );
    await noJs.goto(`${network.workerUrl}/probes/search-api?range=30d`);
    await expect(noJs.locator("svg.plot path.p50").getAttribute("d")).resolves.toMatch(/L/);
  });

  it("serves the history page and the Atom feed it links to", async () => {
    const page = await open("/history");
    await expect(page.locator("h1").textContent()).resolves.toBe("Incident history");
    await expect(page.locator("section.month").count()).resolves.toBeGreaterThanOrEqual(3);
    await shot(page, "history.png");
    await axe(page, "/history");
    const feed = await fetch(`${network.workerUrl}/feed.atom`);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(await feed.text()).toContain(`<title>Acme &lt;b&gt;status&lt;/b&gt;: incidents and maintenance</title>`);
  });

  it("logged no console errors or warnings, page errors or dialogs anywhere", () => {
    expect(problems).toEqual([]);
  });
});
