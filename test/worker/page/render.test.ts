/**
 * The pages and the feed rendered from view models: every user-provided string (probe names,
 * groups, descriptions, incident titles and updates, maintenance, the page title, failure
 * messages) is escaped wherever it lands -- text, attributes, the title, the feed -- and the
 * markup stays well-formed. Incidents and maintenance come out where they belong.
 */
import { planReads } from "../../../src/slo/report-plan.ts";
import { historyFromRollups } from "../slo/history-fixtures.ts";
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";
import { describe, expect, it } from "vitest";
import type { Incident, Maintenance } from "../../../src/incidents/model.ts";
import { atomFeed } from "../../../src/page/atom-feed.ts";
import { escapeXml } from "../../../src/xml.ts";
import { HistoryPage } from "../../../src/page/history-page.tsx";
import { renderDocument } from "../../../src/page/layout.tsx";
import { monthOf } from "../../../src/page/format.ts";
import { parsePageConfig } from "../../../src/page/page-config.ts";
import { ProbePage } from "../../../src/page/probe-page.tsx";
import { StatusPage } from "../../../src/page/status-page.tsx";
import { DAY_TAG } from "../../../src/page/components.tsx";
import { STYLESHEET } from "../../../src/page/styles.ts";
import { barsFrom } from "../../../src/page/day-bars.ts";
import { historyMonths } from "../../../src/page/history-view.ts";
import { incidentViews } from "../../../src/page/notices-view.ts";
import { buildProbeDetailView } from "../../../src/page/probe-detail-view.ts";
import { buildStatusView } from "../../../src/page/status-view.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunSummary } from "../../../src/probe/result.ts";
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import { buildSloReport } from "../../../src/slo/report.ts";
import type { Rollup } from "../../../src/storage/rollup-rows.ts";
import { dayTotalsFrom } from "../../../src/status/day-totals.ts";
import type { Overview } from "../../../src/status/overview.ts";
import { findAll, parseXml, textOf, type XmlElement } from "../support/xml.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 30);
const P = `<script>alert(1)</script>"' onmouseover="alert(2)" x='<img src=x onerror=alert(3)>&amp;`;

const [probe] = loadRegistry([
  {
    file: "probes/evil.ts",
    definition: {
      id: "evil",
      name: `Name ${P}`.slice(0, 120),
      group: `Group ${P}`.slice(0, 80),
      description: `Description ${P}`,
      regions: ["weur", "enam"],
      slo: { availability: 0.99, latency: { percent: 0.9, underMs: 500 } },
      steps: [{ name: "step one", url: "http://x.test/" }],
    },
  },
]);

const config = parsePageConfig({
  STATUS_PAGE: JSON.stringify({
    title: `Title ${P}`.slice(0, 120),
    showFailureEvidence: true,
    supportUrl: "https://help.example/?a=1&b=2",
  }),
});

const incident: Incident = {
  id: "inc-1",
  kind: "manual",
  title: `Incident ${P}`,
  impact: "major",
  status: "identified",
  probeIds: ["evil"],
  regions: [],
  startedAt: NOW - 3 * HOUR_MS,
  resolvedAt: null,
  createdAt: NOW - 3 * HOUR_MS,
  updatedAt: NOW - HOUR_MS,
  failure: null,
  public: true,
  updates: [
    { id: "u1", status: "investigating", body: `First ${P}`, createdAt: NOW - 3 * HOUR_MS },
    { id: "u2", status: "identified", body: `Latest ${P}\nsecond line`, createdAt: NOW - HOUR_MS },
  ],
};
const resolved: Incident = {
  ...incident,
  id: "inc-0",
  title: `Old ${P}`,
  status: "resolved",
  resolvedAt: NOW - 10 * DAY_MS,
  startedAt: NOW - 11 * DAY_MS,
  updatedAt: NOW - 10 * DAY_MS,
};
const maintenance: Maintenance = {
  id: "m-1",
  title: `Maintenance ${P}`,
  body: `Body ${P}`,
  probeIds: ["evil"],
  schedule: { kind: "once", startsAt: NOW + DAY_MS, endsAt: NOW + DAY_MS + HOUR_MS },
  excludeFromSlo: true,
  createdAt: NOW - DAY_MS,
  updatedAt: NOW - DAY_MS,
  cancelledAt: null,
};
const notices = {
  incidents: [incident, resolved],
  maintenances: [maintenance],
  windows: [{ maintenanceId: "m-1", startsAt: NOW + DAY_MS, endsAt: NOW + DAY_MS + HOUR_MS }],
};

const overview: Overview = {
  state: "degraded",
  checkedAt: NOW - 60_000,
  probes: [
    {
      id: "evil",
      name: probe!.probe.name,
      group: probe!.probe.group,
      description: "",
      state: "regional",
      regions: [
        { region: "weur", state: "down" },
        { region: "enam", state: "up" },
      ],
      lastRunAt: NOW - 60_000,
    },
  ],
};

function rollups(): Rollup[] {
  const out: Rollup[] = [];
  let h = emptyHistogram();
  for (let i = 0; i < 50; i++) h = record(h, 80 + i * 4);
  for (let k = 0; k < 24 * 7; k++) {
    for (const region of ["weur", "enam"])
      out.push({
        probeId: "evil",
        region,
        grain: "hour",
        bucketAt: Math.floor(NOW / HOUR_MS) * HOUR_MS - k * HOUR_MS,
        total: 52,
        up: 50,
        degraded: 0,
        down: 2,
        latency: h,
        stepFailures: {},
      });
  }
  for (let k = 0; k < 90; k++) {
    for (const region of ["weur", "enam"])
      out.push({
        probeId: "evil",
        region,
        grain: "day",
        bucketAt: Math.floor(NOW / DAY_MS) * DAY_MS - k * DAY_MS,
        total: 1000,
        up: 990,
        degraded: 0,
        down: 10,
        latency: h,
        stepFailures: {},
      });
  }
  return out;
}

const failure: RunSummary = {
  runId: `evil.weur.${NOW - 2 * HOUR_MS}`,
  probeId: "evil",
  probeVersion: "v",
  region: "weur",
  colo: "weur",
  slotAt: NOW - 2 * HOUR_MS,
  startedAt: NOW - 2 * HOUR_MS,
  durationMs: 90,
  status: "down",
  failure: { class: "assertion", step: "step one", message: `Message ${P}` },
};

async function render(node: unknown): Promise<string> {
  return String(await renderDocument(node as never));
}

/** The page as XML (hono/jsx closes void elements), so a break-out would show as a stray element or attribute. */
function parsePage(html: string): XmlElement {
  expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  return parseXml(html.slice("<!DOCTYPE html>".length));
}

function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap((c) => (typeof c === "string" ? [] : allElements(c)))];
}

function expectNoBreakOut(html: string): XmlElement {
  const root = parsePage(html);
  const elements = allElements(root);
  expect(elements.filter((e) => e.name === "script")).toHaveLength(1);
  expect(elements.filter((e) => e.name === "img")).toHaveLength(0);
  const svg = new Set(["svg", "rect", "line", "path"]);
  expect(
    elements.flatMap((e) => Object.keys(e.attributes).filter((a) => /^on/i.test(a) || (a === "x" && !svg.has(e.name)))),
  ).toEqual([]);
  expect(html).not.toContain("<script>alert");
  expect(html).not.toContain('" onmouseover="');
  expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  // No nonce anywhere: the one script is allowed by its hash, so every copy is the same bytes.
  expect(elements.filter((e) => e.attributes.nonce !== undefined)).toEqual([]);
  return root;
}

describe("the status page", () => {
  it("escapes every string and keeps the markup well-formed", async () => {
    const view = buildStatusView({
      config,
      now: NOW,
      probes: [probe!],
      overview,
      days: new Map([[probe!.probe.id, dayTotalsFrom(rollups(), barsFrom(NOW), NOW + 1)]]),
      notices,
    });
    const html = await render(StatusPage({ view }));
    const root = expectNoBreakOut(html);
    const text = textOf(root);
    expect(text).toContain(`Title ${P}`.slice(0, 120));
    expect(text).toContain(probe!.probe.name);
    expect(text).toContain(probe!.probe.group);
    expect(text).toContain(`Description ${P}`);
    // A strip per probe: 90 compact days hidden from assistive technology, in a link to the probe's days.
    const strip = findAll(root, "a").find((a) => a.attributes.class === "strip")!;
    expect(strip.attributes.href).toBe("/probes/evil#days");
    expect(textOf(strip)).toBe(`${probe!.probe.name}: each of the last 90 days`);
    const days = findAll(strip, "span").find((e) => e.attributes.class === "days")!;
    expect(days.attributes["aria-hidden"]).toBe("true");
    const tags = days.children.map((c) => (typeof c === "string" ? c : c.name));
    expect(tags).toHaveLength(90);
    // 990 of 1,000 runs good every day: the 99 % objective met, each day an "i".
    expect(tags.every((t) => t === "i")).toBe(true);
    expect(findAll(root, "ol").filter((o) => o.attributes.class === "bar")).toEqual([]);
  });

  it("gives each day's element a height of its own level, as the component page's days have: colour is never the only signal", () => {
    const heightOf = (selector: string) =>
      new RegExp(`${selector.replace(/[.>-]/g, (c) => `\\${c}`)}::before\\{height:(\\d+%)`).exec(
        STYLESHEET.replace(/\.d-\w+::before,/g, ""),
      )?.[1];
    const heights = Object.values(DAY_TAG).map((tag) => heightOf(`.days>${tag}`));
    expect(heights).toEqual(["100%", "70%", "45%", "22%"]);
    expect(STYLESHEET).toContain(".d-ok::before,.days>i::before{height:100%;background:var(--up)}");
    expect(STYLESHEET).toContain(".d-none::before,.days>u::before{height:22%;background:var(--nodata)}");
  });

  it("draws every level as its own element, and weighs the same with 7 days of history as with 90", async () => {
    const all = rollups().filter((r) => r.grain === "day");
    const week = all.filter((r) => r.bucketAt > NOW - 7 * DAY_MS);
    const viewOf = (days: Rollup[]) =>
      buildStatusView({
        config,
        now: NOW,
        probes: [probe!],
        overview,
        days: new Map([[probe!.probe.id, dayTotalsFrom(days, barsFrom(NOW), NOW + 1)]]),
        notices,
      });
    const long = await render(StatusPage({ view: viewOf(all) }));
    const short = await render(StatusPage({ view: viewOf(week) }));
    const daysOf = (html: string) => /<span class="days" aria-hidden="true">(.*?)<\/span>/.exec(html)![1]!;
    expect(daysOf(short)).toBe("<u></u>".repeat(83) + "<i></i>".repeat(7));
    expect(daysOf(long)).toBe("<i></i>".repeat(90));
    expect(Math.abs(long.length - short.length) / long.length).toBeLessThan(0.02);
  });

  it("shows at most 5 active incidents, cuts a long update with a link to the whole text, and says how many are left out", async () => {
    const many: Incident[] = Array.from({ length: 8 }, (_, k) => ({
      ...incident,
      id: `inc-many-${k}`,
      title: `Many ${k}`,
      startedAt: NOW - k * HOUR_MS,
      updates: [{ id: `u-${k}`, status: "identified", body: `word `.repeat(400), createdAt: NOW - k * HOUR_MS }],
    }));
    const view = buildStatusView({
      config,
      now: NOW,
      probes: [probe!],
      overview,
      days: new Map(),
      notices: { ...notices, incidents: many },
    });
    const root = parsePage(await render(StatusPage({ view })));
    const shown = findAll(root, "article").filter((a) => a.attributes["data-kind"] === "incident");
    expect(shown.map((a) => a.attributes.id)).toEqual([
      "incident-inc-many-0",
      "incident-inc-many-1",
      "incident-inc-many-2",
      "incident-inc-many-3",
      "incident-inc-many-4",
    ]);
    const update = textOf(findAll(shown[0]!, "span").find((e) => e.attributes.class === "update")!);
    expect(update.length).toBeLessThanOrEqual(482);
    expect(update.endsWith("word …")).toBe(true);
    expect(findAll(shown[0]!, "a").map((a) => a.attributes.href)).toEqual(["/history#incident-inc-many-0"]);
    expect(
      findAll(root, "a").find((a) => a.attributes.href === "/history" && textOf(a).includes("more")),
    ).toBeDefined();
    expect(textOf(root)).toContain("3 more active incidents in the incident history");
  });

  it("shows active incidents with their latest update and upcoming maintenance at the top", async () => {
    const view = buildStatusView({ config, now: NOW, probes: [probe!], overview, days: new Map(), notices });
    const root = parsePage(await render(StatusPage({ view })));
    const articles = findAll(root, "article");
    expect(articles.map((a) => a.attributes["data-kind"])).toEqual(["incident", "maintenance"]);
    const [active, planned] = articles.map(textOf);
    expect(active).toContain(`Incident ${P}`);
    expect(active).toContain(`Latest ${P}\nsecond line`);
    expect(active).not.toContain("First");
    expect(active).toContain("Major impact · Identified");
    expect(planned).toContain(`Maintenance ${P}`);
    expect(planned).toContain("Scheduled");
    const headings = findAll(root, "h2").map(textOf);
    expect(headings.slice(0, 3)).toEqual(["Active incidents", "Maintenance", "Components"]);
  });

  it("says when there is nothing to show", async () => {
    const view = buildStatusView({
      config: parsePageConfig({}),
      now: NOW,
      probes: [],
      overview: { state: "unknown", checkedAt: null, probes: [] },
      days: new Map(),
      notices: { incidents: [], maintenances: [], windows: [] },
    });
    const text = textOf(parsePage(await render(StatusPage({ view }))));
    expect(text).toContain("No data yet");
    expect(text).toContain("Last checked never");
    expect(text).toContain("No public components yet.");
  });
});

describe("the component page", () => {
  function detail(showFailureEvidence: boolean) {
    const now = NOW;
    const all = rollups();
    const slo = buildSloReport({
      histories: [
        historyFromRollups(
          probe!,
          all,
          planReads({
            probe: probe!,
            windows: ["30d"],
            budgeting: "occurrences",
            now,
            rawRetentionMs: 14 * 86_400_000,
          }),
        ),
      ],
      regions: probe!.probe.regions,
      window: "30d",
      now,
    });
    return buildProbeDetailView({
      config: { ...config, showFailureEvidence },
      now,
      loaded: probe!,
      overview,
      rollups: all,
      slo,
      failures: [failure],
      notices,
      range: "7d",
      quorum: 1,
    });
  }

  it("escapes every string, draws the chart, the regions, the SLO panel and the failures", async () => {
    const html = await render(ProbePage({ view: detail(true) }));
    const root = expectNoBreakOut(html);
    expect(textOf(findAll(root, "title")[0]!)).toBe(`${probe!.probe.name} · ${config.title}`);
    const paths = findAll(root, "path");
    // The latency chart's two lines, then each SLO card's burn-down.
    expect(paths.map((p) => p.attributes.class)).toEqual(["p95", "p50", "budget-line", "budget-line"]);
    expect(paths[1]!.attributes.d).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){167}$/);
    expect(
      findAll(root, "tr")
        .filter((r) => r.attributes["data-region"])
        .map((r) => textOf(r)),
    ).toEqual([
      expect.stringMatching(/^Western Europe✕ Down\d+ ms/),
      expect.stringMatching(/^Eastern North America✓ Operational\d+ ms/),
    ]);
    const failures = textOf(findAll(root, "ul").find((u) => u.attributes.class === "failures")!);
    expect(failures).toContain("A check on the response failed");
    expect(failures).toContain(`Step “step one”: Message ${P}`);
    expect(findAll(root, "section").filter((s) => s.attributes.class === "slo-card")).toHaveLength(2);
    const incidents = findAll(root, "article").filter((a) => a.attributes.class === "incident");
    expect(incidents.map((a) => a.attributes.id)).toEqual(["incident-inc-1", "incident-inc-0"]);
    expect(textOf(incidents[1]!)).toContain("lasted 24 h");
  });

  it("says plainly when a new probe has no data yet", async () => {
    const empty: Overview = {
      state: "unknown",
      checkedAt: null,
      probes: [{ ...overview.probes[0]!, state: "no-data", regions: [], lastRunAt: null }],
    };
    const slo = buildSloReport({
      histories: [
        historyFromRollups(
          probe!,
          [],
          planReads({
            probe: probe!,
            windows: ["30d"],
            budgeting: "occurrences",
            now: NOW,
            rawRetentionMs: 14 * 86_400_000,
          }),
        ),
      ],
      regions: probe!.probe.regions,
      window: "30d",
      now: NOW,
    });
    const view = buildProbeDetailView({
      config,
      now: NOW,
      loaded: probe!,
      overview: empty,
      rollups: [],
      slo,
      failures: [],
      notices: { incidents: [], maintenances: [], windows: [] },
      range: "24h",
      quorum: 1,
    });
    const text = textOf(parsePage(await render(ProbePage({ view }))));
    expect(text).toContain("? No data");
    expect(text).toContain("No data in 90 days");
    expect(text).toContain("No timed runs in the last 24 hours.");
    expect(text).toContain("none yet (no runs in the window)");
    expect(text).toContain("nothing to forecast without runs");
    expect(text).not.toContain("already used up");
    expect(text).toContain("No failed runs in the recent history.");
  });

  it("shows only when, where and what kind of failure unless the config allows the evidence", async () => {
    const root = parsePage(await render(ProbePage({ view: detail(false) })));
    const failures = textOf(findAll(root, "ul").find((u) => u.attributes.class === "failures")!);
    expect(failures).toContain("A check on the response failed");
    expect(failures).not.toContain("Message");
    expect(failures).not.toContain("step one");
  });
});

describe("the history page", () => {
  it("lists incidents by month with their timelines, escaped", async () => {
    const names = new Map([["evil", probe!.probe.name]]);
    const months = historyMonths(incidentViews(notices.incidents, names), NOW, (at) => monthOf(at, "UTC"));
    const html = await render(HistoryPage({ config, months }));
    const root = expectNoBreakOut(html);
    const sections = findAll(root, "section");
    expect(sections.map((s) => s.attributes["data-month"])).toEqual(["2026-11", "2026-10", "2026-09"]);
    expect(findAll(sections[0]!, "article").map((a) => a.attributes.id)).toEqual(["incident-inc-1", "incident-inc-0"]);
    const timeline = findAll(findAll(sections[0]!, "article")[0]!, "ol")[0]!;
    expect(findAll(timeline, "li").map((li) => textOf(li).slice(0, 12))).toEqual(["Identified ·", "Investigatin"]);
    expect(textOf(sections[1]!)).toContain("No incidents reported.");
  });
});

describe("the Atom feed", () => {
  const names = new Map([["evil", probe!.probe.name]]);
  const xml = atomFeed({
    config,
    origin: "https://status.example",
    incidents: incidentViews(notices.incidents, names),
    maintenances: [maintenance, { ...maintenance, id: "m-2", probeIds: ["private"] }],
    names,
  });

  it("is well-formed Atom with one entry per incident and maintenance, newest update first", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n')).toBe(true);
    const feed = parseXml(xml.slice(xml.indexOf("\n") + 1));
    expect(feed.name).toBe("feed");
    expect(feed.attributes.xmlns).toBe("http://www.w3.org/2005/Atom");
    const entries = findAll(feed, "entry");
    expect(entries.map((e) => textOf(findAll(e, "id")[0]!))).toEqual([
      "https://status.example/history#incident-inc-1",
      "https://status.example/#maintenance-m-1",
      "https://status.example/history#incident-inc-0",
    ]);
    expect(textOf(findAll(feed, "updated")[0]!)).toBe(new Date(NOW - HOUR_MS).toISOString());
    for (const e of entries)
      for (const required of ["id", "title", "updated", "link"])
        expect(findAll(e, required).length, required).toBeGreaterThan(0);
    expect(findAll(feed, "link").find((l) => l.attributes.rel === "self")!.attributes.href).toBe(
      "https://status.example/feed.atom",
    );
  });

  it("carries every string exactly, escaped", () => {
    const feed = parseXml(xml.slice(xml.indexOf("\n") + 1));
    const [first] = findAll(feed, "entry");
    expect(textOf(findAll(first!, "title")[0]!)).toBe(`[Identified] Incident ${P}`);
    expect(textOf(findAll(first!, "content")[0]!)).toContain(`Latest ${P}\nsecond line`);
    expect(textOf(findAll(feed, "title")[0]!)).toBe(`${config.title}: incidents and maintenance`);
    expect(xml).not.toContain("<script>");
    expect(escapeXml("a\u0000b\u0008c&<>\"'\ud800", "")).toBe("abc&amp;&lt;&gt;&quot;&apos;");
  });

  it("is the same for the same data (so its ETag holds), with the epoch as `updated` when empty", () => {
    const again = atomFeed({
      config,
      origin: "https://status.example",
      incidents: incidentViews(notices.incidents, names),
      maintenances: [maintenance],
      names,
    });
    expect(again).toBe(
      atomFeed({
        config,
        origin: "https://status.example",
        incidents: incidentViews(notices.incidents, names),
        maintenances: [maintenance],
        names,
      }),
    );
    const empty = atomFeed({ config, origin: "https://status.example", incidents: [], maintenances: [], names });
    expect(empty).toContain("<updated>1970-01-01T00:00:00.000Z</updated>");
    expect(findAll(parseXml(empty.slice(empty.indexOf("\n") + 1)), "entry")).toHaveLength(0);
  });
});
