/**
 * Findings 8 and 9 of issue 13: what one write token can schedule is bounded. Dates are limited
 * at the schema (a start at 8640000000000001 is a 400 naming the field, and the feed still
 * renders); a recurring `* * * * *` lasting a week expands no completed window from before it
 * existed, its occurrences merge and are capped per maintenance and per response, and every
 * public GET route of the OpenAPI document stays within a size budget.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_PER_RESPONSE } from "../../../src/queries/occurrence-budget.ts";
import { createToken } from "../support/tokens.ts";

/** Bytes a public response may have with the worst maintenance a token can write. */
const BUDGET = 512 * 1024;
let token = "";
const call = (path: string, init: RequestInit = {}) => exports.default.fetch(`http://afterlife.test${path}`, init);
const schedule = (body: unknown) =>
  call("/api/v1/maintenances", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  token = await createToken("ops", ["write", "read"]);
});

describe("maintenance dates at the schema (finding 9)", () => {
  it.each([
    ["startsAt", { startsAt: 8640000000000001, endsAt: 8640000000000002 }],
    ["startsAt", { startsAt: -1, endsAt: Date.now() }],
    ["endsAt", { startsAt: Date.now(), endsAt: Date.UTC(2200, 0, 1) }],
  ])("refuses %s out of range with a 400 naming it, and the feed still renders", async (field, dates) => {
    const res = await schedule({
      title: "Far",
      body: "b",
      probeIds: ["shop-home"],
      schedule: { kind: "once", ...dates },
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { invalidParams: { name: string; reason: string }[] };
    expect(problem.invalidParams.map((p) => p.name)).toContain(`json.schedule.${field}`);
    expect((await call("/feed.atom")).status).toBe(200);
  });

  it("refuses a one-off window longer than a year", async () => {
    const res = await schedule({
      title: "Long",
      body: "b",
      probeIds: ["shop-home"],
      schedule: { kind: "once", startsAt: Date.now(), endsAt: Date.now() + 400 * 86_400_000 },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { invalidParams: { name: string }[] }).invalidParams.map((p) => p.name)).toEqual([
      "json.schedule.endsAt",
    ]);
  });
});

describe("bounded outputs (finding 8)", () => {
  beforeAll(async () => {
    // The worst a token can write: every minute, for a week, with the longest body; five times,
    // and a sparse one whose occurrences do not merge.
    for (let i = 0; i < 5; i++) {
      const res = await schedule({
        title: `Flood ${i}`,
        body: "x".repeat(5000),
        probeIds: ["shop-home", "shop-checkout"],
        schedule: { kind: "recurring", cron: "* * * * *", durationMinutes: 10080, timeZone: "UTC" },
      });
      expect(res.status).toBe(201);
    }
    for (let i = 0; i < 10; i++) {
      const res = await schedule({
        title: `Sparse ${i}`,
        body: "y".repeat(5000),
        probeIds: ["shop-home"],
        schedule: { kind: "recurring", cron: "*/2 * * * *", durationMinutes: 1, timeZone: "UTC" },
      });
      expect(res.status).toBe(201);
    }
  });

  it("every public GET route stays within the size budget", async () => {
    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const paths = Object.entries(doc.paths)
      .filter(([, methods]) => "get" in methods)
      .map(([path]) =>
        path.replace("{id}", "shop-home").replace("{group}", "Storefront").replace("{metric}", "status"),
      );
    const sizes: [string, number, number][] = [];
    for (const path of paths) {
      const res = await call(path);
      sizes.push([path, res.status, (await res.arrayBuffer()).byteLength]);
    }
    expect(sizes.filter(([, status]) => status >= 500)).toEqual([]);
    expect(sizes.filter(([, , bytes]) => bytes > BUDGET)).toEqual([]);
    // One request per route in sequence (about 30): a generous limit, so a loaded machine cannot fail it.
  }, 60_000);

  it("occurrences merge, are capped, and none ended before the maintenance existed", async () => {
    const before = Date.now();
    const all = (await (await call("/api/v2/scheduled-maintenances.json")).json()) as {
      scheduled_maintenances: { name: string; scheduled_for: string; scheduled_until: string }[];
    };
    const list = all.scheduled_maintenances;
    expect(list.length).toBeLessThanOrEqual(MAX_PER_RESPONSE);
    // Each flood is one merged window (its minutes overlap), starting no earlier than a week before it was created.
    const floods = list.filter((m) => m.name.startsWith("Flood"));
    expect(floods).toHaveLength(5);
    for (const m of floods) expect(Date.parse(m.scheduled_until)).toBeGreaterThan(before - 60_000);
    expect(list.filter((m) => m.name === "Sparse 0").length).toBeLessThanOrEqual(10);
  });
});
