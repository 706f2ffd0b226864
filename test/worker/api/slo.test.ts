/** GET /api/v1/slo through the Worker, over history written with the real store. */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { probeModules } from "../../../src/generated/probe-registry.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { expectedRunsPerRegion } from "../../../src/slo/coverage.ts";
import { resolveWindow } from "../../../src/slo/windows.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";

const home = loadRegistry(probeModules).find((p) => p.probe.id === "shop-home")!;
const base = Math.floor(Date.now() / 60_000) * 60_000;
const DOWN = new Set([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]); // minutes ago: 10 failures, all in the last hour

function run(minutesAgo: number): RunResult {
  const slotAt = base - minutesAgo * 60_000;
  const down = DOWN.has(minutesAgo);
  return {
    runId: `shop-home.weur.${slotAt}`,
    probeId: "shop-home",
    probeVersion: home.version,
    region: "weur",
    colo: "weur",
    slotAt,
    startedAt: slotAt,
    durationMs: 100,
    status: down ? "down" : "up",
    steps: [],
    ...(down ? { failure: { class: "status" as const, step: "home page", message: "503" } } : {}),
  };
}

interface Report {
  probeIds: string[];
  regions: string[];
  span: { from: number; to: number };
  availability: {
    events: { good: number; bad: number; noData: number };
    sli: { excluded: { value: number | null; reason?: string }; noDataAsBad: { value: number | null } };
    budget: { budget: number; consumed: number; remaining: number };
    burnRates: Record<string, number | null>;
    lookbacks: Record<string, { good: number; bad: number; events: number }>;
    alert: { state: string };
    forecast: { reason?: string };
  };
  latency: { sli: { excluded: { value: number | null } } } | null;
  steps: { name: string; executed: number; failed: number; sli: { value: number | null } }[];
}

async function slo(query: string): Promise<{ status: number; body: { reports: Report[] } & Record<string, unknown> }> {
  const res = await exports.default.fetch(`http://afterlife.test/api/v1/slo?${query}`);
  return { status: res.status, body: (await res.json()) as never };
}

beforeAll(async () => {
  await new D1RunStore(env.DB).saveRuns(Array.from({ length: 120 }, (_, i) => run(i + 1)));
});

describe("GET /api/v1/slo", () => {
  it("reports availability with no-data both ways, the budget, burn rates and a page alert", async () => {
    const { status, body } = await slo("probe=shop-home&window=24h");
    expect(status).toBe(200);
    const [report] = body.reports;
    // Due from the probe's first run (120 minutes ago) on, in each of its 3 regions; only weur ran.
    const expected = expectedRunsPerRegion(home, base - 120 * 60_000, report!.span.to) * 3;
    const a = report!.availability;
    expect(a.events).toMatchObject({
      good: 110,
      bad: 10,
      noData: expected - 120,
      expected,
      missing: expected - 120,
      monitoringSide: 0,
    });
    expect(a.sli.excluded.value).toBeCloseTo(110 / 120, 12);
    expect(a.sli.noDataAsBad.value).toBeCloseTo(110 / expected, 12);
    expect(a.budget.budget).toBeCloseTo(0.005 * 120, 12);
    expect([a.budget.consumed, a.forecast.reason]).toEqual([10, "exhausted"]);
    // 5m: two of the last four slots failed (three slots if a minute turned meanwhile).
    expect([2 / 4 / 0.005, 1 / 3 / 0.005, 2 / 3 / 0.005]).toContainEqual(a.burnRates["5m"]);
    expect(a.lookbacks["5m"]!.events).toBe(a.lookbacks["5m"]!.good + a.lookbacks["5m"]!.bad);
    expect(a.burnRates["1h"]).toBeGreaterThan(14.4);
    expect(a.alert.state).toBe("page");
    expect(report!.latency!.sli.excluded.value).toBe(1);
  });

  it("reports per-step availability: a step ran unless an earlier one failed", async () => {
    const { body } = await slo("probe=shop-home&window=24h");
    expect(body.reports[0]!.steps).toEqual([
      { name: "home page", executed: 120, failed: 10, sli: { value: 110 / 120 } },
      { name: "product list", executed: 110, failed: 0, sli: { value: 1 } },
    ]);
  });

  it("narrows to one region: no runs there is no data, never up", async () => {
    const { body } = await slo("probe=shop-home&region=enam&window=24h");
    const a = body.reports[0]!.availability;
    expect(a.events.good + a.events.bad).toBe(0);
    expect(a.sli.excluded).toEqual({ value: null, reason: expect.any(String) });
    expect(a.sli.noDataAsBad.value).toBe(0);
    expect(body.reports[0]!.regions).toEqual(["enam"]);
  });

  it("reports a group first, then each of its probes", async () => {
    const { body } = await slo("group=Storefront&window=24h");
    expect(body.reports.map((r) => r.probeIds)).toEqual([["shop-home"], ["shop-home"]]);
  });

  it("30 days: the first hour is past raw retention, so the window starts at the next hour, read from hourly rollups", async () => {
    const span = resolveWindow("30d", Date.now());
    const checkout = loadRegistry(probeModules).find((p) => p.probe.id === "shop-checkout")!;
    const firstWholeHour = Math.ceil(span.from / 3_600_000) * 3_600_000;
    // One run in the window's partial first hour (its single runs are gone after raw retention, so it is not counted), one later.
    const runs = [firstWholeHour - 60_000, firstWholeHour + 3 * 3_600_000].map(
      (slotAt): RunResult => ({
        runId: `shop-checkout.weur.${slotAt}`,
        probeId: "shop-checkout",
        probeVersion: checkout.version,
        region: "weur",
        colo: "weur",
        slotAt,
        startedAt: slotAt,
        durationMs: 50,
        status: "up",
        steps: [],
      }),
    );
    await new D1RunStore(env.DB).saveRuns(runs);
    const { body } = await slo("probe=shop-checkout&window=30d");
    const report = body.reports[0]! as Report & { resolution: string };
    expect(report.resolution).toBe("hour");
    expect(report.span.from % 3_600_000).toBe(0);
    expect(report.availability.events.good).toBe(1);
  });

  it("explains bad parameters", async () => {
    const badWindow = await slo("probe=shop-home&window=2d");
    expect(badWindow.status).toBe(400);
    expect(badWindow.body).toMatchObject({ invalidParams: [{ name: "query.window" }] });
    const unknown = await slo("probe=nope");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      invalidParams: [{ name: "query.probe", reason: expect.stringContaining("shop-home") }],
    });
  });
});
