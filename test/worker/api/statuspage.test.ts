/**
 * The Statuspage v2 compatible API: the pure mapping (every probe and overall state, the
 * component tree, ids), private probes, and the eight endpoints through the real Worker after
 * real ticks against the demo shop.
 */
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../../src/api/app-env.ts";
import {
  componentStatus,
  DEFAULT_PAGE_NAME,
  NO_DATA_DESCRIPTION,
  pageStatus,
  toSummary,
  UNKNOWN_CREATED_AT,
  worstStatus,
} from "../../../src/api/statuspage/mapping.ts";
import { groupComponentId, pageId, probeComponentId, statuspageId } from "../../../src/api/statuspage/ids.ts";
import { createStatuspageRoutes } from "../../../src/api/statuspage/routes.ts";
import {
  type Component,
  ComponentsResponseSchema,
  ComponentStatusSchema,
  IncidentsResponseSchema,
  IndicatorSchema,
  ScheduledMaintenancesResponseSchema,
  StatusResponseSchema,
  SummaryResponseSchema,
} from "../../../src/api/statuspage/schemas.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { D1IncidentStore } from "../../../src/storage/incident-store.ts";
import { D1MaintenanceStore } from "../../../src/storage/maintenance-store.ts";
import {
  OverallStateSchema,
  ProbeStateSchema,
  type Overview,
  type ProbeOverview,
  type ProbeState,
} from "../../../src/status/overview.ts";
import { fetchWorker } from "../support/fetch-worker.ts";
import { setFault, tick } from "../support/network.ts";

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 10, 26, 12, 0);
const context = { name: DEFAULT_PAGE_NAME, url: "https://status.example.com", now: NOW };

const PAGE_KEYS = ["id", "name", "url", "time_zone", "updated_at"];
const COMPONENT_KEYS = [
  "id",
  "name",
  "status",
  "created_at",
  "updated_at",
  "position",
  "description",
  "showcase",
  "start_date",
  "group_id",
  "page_id",
  "group",
  "only_show_if_degraded",
];

describe("state mapping (pure)", () => {
  it("maps every probe state to a Statuspage component status, and no data never to operational", () => {
    const table = Object.fromEntries(ProbeStateSchema.options.map((s) => [s, componentStatus(s)]));
    expect(table).toEqual({
      up: "operational",
      degraded: "degraded_performance",
      regional: "partial_outage",
      down: "major_outage",
      "no-data": "degraded_performance",
    });
    for (const status of Object.values(table)) expect(ComponentStatusSchema.options).toContain(status);
  });

  it.each([
    ["operational", "none", "All Systems Operational"],
    ["degraded", "minor", "Minor Service Outage"],
    ["partial_outage", "major", "Partial System Outage"],
    ["major_outage", "critical", "Major Service Outage"],
    ["unknown", "minor", "No data from the probe network"],
  ] as const)("overall %s is indicator %s, %j", (state, indicator, description) => {
    expect(pageStatus(state)).toEqual({ indicator, description });
  });

  it("the indicator table covers every overall state with a Statuspage indicator", () => {
    for (const state of OverallStateSchema.options)
      expect(IndicatorSchema.options).toContain(pageStatus(state).indicator);
  });

  it("takes the worst status of a group", () => {
    expect(worstStatus([])).toBe("operational");
    expect(worstStatus(["operational", "degraded_performance", "operational"])).toBe("degraded_performance");
    expect(worstStatus(["partial_outage", "degraded_performance"])).toBe("partial_outage");
    expect(worstStatus(["under_maintenance", "major_outage", "operational"])).toBe("major_outage");
    expect(worstStatus(["operational", "under_maintenance"])).toBe("under_maintenance");
  });

  it("derives stable 12-character ids, distinct for pages, groups and probes of the same name", () => {
    expect(statuspageId("probe:shop-checkout")).toBe(probeComponentId("shop-checkout"));
    expect(probeComponentId("shop-checkout")).toMatch(/^[0-9a-z]{12}$/);
    const ids = [
      pageId("Checkout"),
      groupComponentId("Checkout"),
      probeComponentId("Checkout"),
      probeComponentId("checkout"),
      pageId(DEFAULT_PAGE_NAME),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-z]{12}$/);
  });
});

const probeOverview = (
  id: string,
  group: string,
  state: ProbeState,
  lastRunAt: number | null,
  description = "",
): ProbeOverview => ({
  id,
  name: `Probe ${id}`,
  group,
  description,
  state,
  regions: [],
  lastRunAt,
});

describe("component tree (pure)", () => {
  const overview: Overview = {
    state: "partial_outage",
    checkedAt: NOW - 5_000,
    probes: [
      probeOverview("a", "Checkout", "up", NOW - 10_000, "Logs in and reads the cart"),
      probeOverview("b", "Storefront", "no-data", null, "Opens the home page"),
      probeOverview("c", "Checkout", "down", NOW - 5_000),
    ],
  };
  const summary = toSummary(overview, context);
  const byId = new Map(summary.components.map((c) => [c.id, c]));

  it("is a valid Statuspage summary with the page object and empty incident lists", () => {
    expect(SummaryResponseSchema.parse(summary)).toEqual(summary);
    expect(Object.keys(summary)).toEqual(["page", "components", "incidents", "scheduled_maintenances", "status"]);
    expect(summary.page).toEqual({
      id: pageId(DEFAULT_PAGE_NAME),
      name: "Afterlife status",
      url: "https://status.example.com",
      time_zone: "Etc/UTC",
      updated_at: new Date(NOW - 5_000).toISOString(),
    });
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    expect(summary.incidents).toEqual([]);
    expect(summary.scheduled_maintenances).toEqual([]);
  });

  it("lists each group, then its probes, with group ids, child ids and positions", () => {
    const checkout = groupComponentId("Checkout");
    const storefront = groupComponentId("Storefront");
    expect(summary.components.map((c) => [c.name, c.id, c.group, c.group_id, c.position, c.status])).toEqual([
      ["Checkout", checkout, true, null, 1, "major_outage"],
      ["Probe a", probeComponentId("a"), false, checkout, 1, "operational"],
      ["Probe c", probeComponentId("c"), false, checkout, 2, "major_outage"],
      ["Storefront", storefront, true, null, 2, "degraded_performance"],
      ["Probe b", probeComponentId("b"), false, storefront, 1, "degraded_performance"],
    ]);
    expect(byId.get(checkout)!.components).toEqual([probeComponentId("a"), probeComponentId("c")]);
    expect(byId.get(storefront)!.components).toEqual([probeComponentId("b")]);
    for (const c of summary.components) {
      expect(Object.keys(c)).toEqual(c.group ? [...COMPONENT_KEYS, "components"] : COMPONENT_KEYS);
      expect(c.page_id).toBe(summary.page.id);
      expect(c.created_at).toBe(UNKNOWN_CREATED_AT);
      expect(c.start_date).toBeNull();
      expect(c.only_show_if_degraded).toBe(false);
    }
  });

  it("says no data in the description, and uses the newest run (or the page time) as updated_at", () => {
    expect(byId.get(probeComponentId("b"))!.description).toBe(`${NO_DATA_DESCRIPTION} Opens the home page`);
    expect(byId.get(probeComponentId("a"))!.description).toBe("Logs in and reads the cart");
    expect(byId.get(probeComponentId("c"))!.description).toBeNull();
    expect(byId.get(probeComponentId("a"))!.updated_at).toBe(new Date(NOW - 10_000).toISOString());
    expect(byId.get(probeComponentId("b"))!.updated_at).toBe(summary.page.updated_at);
    expect(byId.get(groupComponentId("Checkout"))!.updated_at).toBe(new Date(NOW - 5_000).toISOString());
  });

  it("uses the time of the request when there is no run at all", () => {
    const empty = toSummary({ state: "unknown", checkedAt: null, probes: [] }, context);
    expect(empty.page.updated_at).toBe(new Date(NOW).toISOString());
    expect(empty.components).toEqual([]);
    expect(empty.status).toEqual({ indicator: "minor", description: "No data from the probe network" });
  });

  it("for any overview: valid shape, every probe in exactly its group, each group as bad as its worst probe", () => {
    const probeArb = fc.record({
      group: fc.constantFrom("Checkout", "Storefront", "Search", "General"),
      state: fc.constantFrom(...ProbeStateSchema.options),
      lastRunAt: fc.option(fc.integer({ min: NOW - 3_600_000, max: NOW }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.array(probeArb, { maxLength: 12 }),
        fc.constantFrom(...OverallStateSchema.options),
        (specs, state) => {
          const probes = specs.map((s, i) => probeOverview(`p${i}`, s.group, s.state, s.lastRunAt));
          const times = probes.flatMap((p) => (p.lastRunAt === null ? [] : [p.lastRunAt]));
          const result = toSummary({ state, checkedAt: times.length ? Math.max(...times) : null, probes }, context);
          SummaryResponseSchema.parse(result);
          const groups = result.components.filter((c) => c.group);
          const children = result.components.filter((c) => !c.group);
          expect(children.map((c) => c.id).sort()).toEqual(probes.map((p) => probeComponentId(p.id)).sort());
          expect(groups.map((g) => g.name).sort()).toEqual([...new Set(probes.map((p) => p.group))].sort());
          expect(new Set(result.components.map((c) => c.id)).size).toBe(result.components.length);
          for (const probe of probes) {
            const child = children.find((c) => c.id === probeComponentId(probe.id))!;
            expect(child.status).toBe(componentStatus(probe.state));
            expect(child.group_id).toBe(groupComponentId(probe.group));
            expect(groups.filter((g) => g.components!.includes(child.id)).map((g) => g.id)).toEqual([child.group_id]);
          }
          for (const group of groups) {
            const members = children.filter((c) => c.group_id === group.id);
            expect(group.components).toEqual(members.map((m) => m.id));
            expect(group.status).toBe(worstStatus(members.map((m) => m.status)));
            expect(members.map((m) => m.position)).toEqual(members.map((_, i) => i + 1));
          }
          expect(result.status).toEqual(pageStatus(state));
        },
      ),
    );
  });
});

describe("private probes", () => {
  const probes = loadRegistry([
    {
      file: "probes/public.ts",
      definition: {
        id: "public-home",
        name: "Home",
        group: "Storefront",
        baseUrl: "https://x.test",
        steps: [{ name: "s", url: "/" }],
      },
    },
    {
      file: "probes/private.ts",
      definition: {
        id: "private-admin",
        name: "Admin console",
        group: "Back office",
        public: false,
        baseUrl: "https://x.test",
        steps: [{ name: "s", url: "/" }],
      },
    },
  ]);
  const run = (probeId: string, status: RunResult["status"]): RunResult => ({
    runId: `${probeId}.weur.${NOW}`,
    probeId,
    probeVersion: "v",
    region: "weur",
    colo: "weur",
    slotAt: NOW,
    startedAt: NOW + 100,
    durationMs: 10,
    status,
    steps: [],
  });
  // The real D1 stores; only the probe list differs from the Worker's.
  const deps = {
    probes,
    store: new D1RunStore(env.DB),
    incidents: new D1IncidentStore(env.DB),
    maintenances: new D1MaintenanceStore(env.DB),
    now: () => NOW,
  } as Pick<AppDeps, "probes" | "store" | "incidents" | "maintenances" | "now"> as AppDeps;
  const routes = createStatuspageRoutes({ pageName: "Acme status" });

  it("never appear in components and never count towards the page status", async () => {
    await deps.store.saveRuns([run("public-home", "up"), run("private-admin", "down")]);
    const res = await routes.request("https://status.acme.test/summary.json", {}, { deps });
    expect(res.status).toBe(200);
    const body = SummaryResponseSchema.parse(await res.json());
    expect(body.components.map((c) => c.name)).toEqual(["Storefront", "Home"]);
    expect(JSON.stringify(body)).not.toMatch(/admin|back office/i);
    expect(body.status).toEqual({ indicator: "none", description: "All Systems Operational" });
    expect(body.page).toEqual({
      id: pageId("Acme status"),
      name: "Acme status",
      url: "https://status.acme.test",
      time_zone: "Etc/UTC",
      updated_at: new Date(NOW + 100).toISOString(),
    });
  });
});

type Json = Record<string, unknown>;

async function get(path: string): Promise<{ res: Response; body: Json }> {
  // The edge cache off: each tick changes what the endpoints say.
  const res = await fetchWorker(`http://afterlife.test${path}`);
  expect(res.status, path).toBe(200);
  expect(res.headers.get("content-type"), path).toMatch(/^application\/json\b/);
  expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
  return { res, body: (await res.json()) as Json };
}

describe("through the Worker, after real ticks", () => {
  afterEach(() => setFault(null));
  // Each test ticks its own, later slot: a replayed slot stores nothing, and the newest run counts.
  const slot = Math.floor(Date.now() / MINUTE) * MINUTE;
  const checkout = groupComponentId("Checkout");
  const storefront = groupComponentId("Storefront");
  const statuses = (components: Component[]) => Object.fromEntries(components.map((c) => [c.name, c.status]));

  it("serves every endpoint with Statuspage's shapes, CORS * and JSON", async () => {
    await tick(slot);
    const summary = SummaryResponseSchema.parse((await get("/api/v2/summary.json")).body);
    expect(Object.keys(summary.page)).toEqual(PAGE_KEYS);
    expect(summary.page).toMatchObject({
      id: pageId(DEFAULT_PAGE_NAME),
      name: "Afterlife status",
      url: "http://afterlife.test",
      time_zone: "Etc/UTC",
    });
    expect(Date.parse(summary.page.updated_at)).toBeGreaterThanOrEqual(slot);
    expect(summary.status).toEqual({ indicator: "none", description: "All Systems Operational" });
    expect(summary.components.map((c) => [c.name, c.id, c.status, c.group, c.group_id, c.components ?? null])).toEqual([
      ["Checkout", checkout, "operational", true, null, [probeComponentId("shop-checkout")]],
      ["Checkout journey", probeComponentId("shop-checkout"), "operational", false, checkout, null],
      ["Storefront", storefront, "operational", true, null, [probeComponentId("shop-home")]],
      [expect.any(String), probeComponentId("shop-home"), "operational", false, storefront, null],
    ]);
    expect(summary.incidents).toEqual([]);
    expect(summary.scheduled_maintenances).toEqual([]);

    const status = StatusResponseSchema.parse((await get("/api/v2/status.json")).body);
    expect(status).toEqual({ page: summary.page, status: summary.status });
    const components = ComponentsResponseSchema.parse((await get("/api/v2/components.json")).body);
    expect(components).toEqual({ page: summary.page, components: summary.components });
    for (const path of ["/api/v2/incidents.json", "/api/v2/incidents/unresolved.json"]) {
      expect(IncidentsResponseSchema.parse((await get(path)).body)).toEqual({ page: summary.page, incidents: [] });
    }
    for (const path of [
      "/api/v2/scheduled-maintenances.json",
      "/api/v2/scheduled-maintenances/upcoming.json",
      "/api/v2/scheduled-maintenances/active.json",
    ]) {
      expect(ScheduledMaintenancesResponseSchema.parse((await get(path)).body)).toEqual({
        page: summary.page,
        scheduled_maintenances: [],
      });
    }
  });

  it("answers a CORS preflight from any origin", async () => {
    const res = await exports.default.fetch("http://afterlife.test/api/v2/summary.json", {
      method: "OPTIONS",
      headers: { origin: "https://aggregator.example", "access-control-request-method": "GET" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("checkout down everywhere: its component and group are major_outage, the page is major", async () => {
    await setFault({ path: "/api/cart", status: 503 });
    await tick(slot + MINUTE);
    const summary = SummaryResponseSchema.parse((await get("/api/v2/summary.json")).body);
    expect(statuses(summary.components)).toMatchObject({
      Checkout: "major_outage",
      "Checkout journey": "major_outage",
      Storefront: "operational",
    });
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
  });

  it("one region down: partial_outage components, minor page indicator", async () => {
    await setFault({ region: "apac", status: 503 });
    await tick(slot + 2 * MINUTE);
    const summary = SummaryResponseSchema.parse((await get("/api/v2/summary.json")).body);
    expect(new Set(summary.components.map((c) => c.status))).toEqual(new Set(["partial_outage"]));
    expect(summary.status).toEqual({ indicator: "minor", description: "Minor Service Outage" });
  });

  it("everything down: critical", async () => {
    await setFault({ path: "/*", status: 503 });
    await tick(slot + 3 * MINUTE);
    const { body } = await get("/api/v2/status.json");
    expect(body.status).toEqual({ indicator: "critical", description: "Major Service Outage" });
  });
});
