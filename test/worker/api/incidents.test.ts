/** Manual incidents and maintenance through the write API: lifecycle, validation, visibility. */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../../src/auth/api-token.ts";
import { insertTokenSql } from "../../../src/storage/token-store.ts";

let token = "";
const call = (path: string, init: RequestInit = {}) =>
  exports.default.fetch(`http://afterlife.test${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(init.headers ?? {}) },
  });
const post = (path: string, body: unknown, method = "POST") => call(path, { method, body: JSON.stringify(body) });

beforeAll(async () => {
  const t = await generateToken();
  await env.DB.prepare(
    insertTokenSql({
      id: t.id,
      name: "ops",
      scopes: ["write", "read"],
      secretHash: t.secretHash,
      createdAt: Date.now(),
    }),
  ).run();
  token = t.token;
});

describe("manual incidents", () => {
  it("open, update, edit and resolve an incident; it is served by v1 and Statuspage v2", async () => {
    const created = await post("/api/v1/incidents", {
      title: "Checkout slow for some cards",
      impact: "minor",
      probeIds: ["shop-checkout"],
      body: "We are looking into it.",
    });
    expect(created.status).toBe(201);
    const incident = (await created.json()) as {
      id: string;
      status: string;
      updates: { status: string; body: string }[];
    };
    expect([incident.status, incident.updates.map((u) => u.body)]).toEqual([
      "investigating",
      ["We are looking into it."],
    ]);

    expect(
      (
        await post(`/api/v1/incidents/${incident.id}/updates`, {
          status: "identified",
          body: "A card provider is failing.",
        })
      ).status,
    ).toBe(201);
    expect((await post(`/api/v1/incidents/${incident.id}`, { impact: "major" }, "PATCH")).status).toBe(200);

    const unresolved = (await (await call("/api/v1/incidents?unresolved=true")).json()) as {
      incidents: { id: string; impact: string; status: string }[];
    };
    expect(unresolved.incidents.find((i) => i.id === incident.id)).toMatchObject({
      impact: "major",
      status: "identified",
    });
    const page = await (await call("/")).text();
    expect(page).toContain("Checkout slow for some cards");
    expect(page).toContain("A card provider is failing.");

    const resolved = await post(`/api/v1/incidents/${incident.id}/updates`, {
      status: "resolved",
      body: "Fixed by the provider.",
    });
    const after = (await resolved.json()) as {
      status: string;
      resolvedAt: number | null;
      updates: { status: string }[];
    };
    expect([after.status, after.resolvedAt !== null, after.updates.map((u) => u.status)]).toEqual([
      "resolved",
      true,
      ["resolved", "identified", "investigating"],
    ]);

    const v2 = (await (await call("/api/v2/incidents.json")).json()) as {
      incidents: { name: string; status: string; impact: string; incident_updates: { body: string }[] }[];
    };
    expect(v2.incidents.find((i) => i.name === "Checkout slow for some cards")).toMatchObject({
      status: "resolved",
      impact: "major",
    });
    const history = await (await call("/history")).text();
    expect(history).toContain("Fixed by the provider.");
    const feed = await (await call("/feed.atom")).text();
    expect(feed).toContain("<title>[Resolved] Checkout slow for some cards</title>");
  });

  // Issue 13, finding 12: bidirectional controls would make the text show something else.
  it.each(["\u202e", "\u202a", "\u2066", "\u2069", "\u200f", "\u061c"])(
    "refuses the bidi control U+%s in titles and bodies",
    async (control) => {
      const res = await post("/api/v1/incidents", {
        title: `Invoice ${control}fdp.exe`,
        probeIds: ["shop-checkout"],
        body: `x${control}y`,
      });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { invalidParams: { name: string; reason: string }[] };
      expect(problem.invalidParams.map((p) => p.name).sort()).toEqual(["json.body", "json.title"]);
      expect(problem.invalidParams[0]!.reason).toMatch(/bidirectional/);
      const maintenance = await post("/api/v1/maintenances", {
        title: `Up${control}grade`,
        body: "b",
        probeIds: ["shop-checkout"],
        schedule: { kind: "once", startsAt: Date.now() + 60_000, endsAt: Date.now() + 120_000 },
      });
      expect(maintenance.status).toBe(400);
    },
  );

  it("validates text and probes, naming each bad field", async () => {
    const res = await post("/api/v1/incidents", {
      title: "",
      impact: "catastrophic",
      probeIds: [],
      body: "x",
      extra: 1,
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { invalidParams: { name: string }[] };
    expect(problem.invalidParams.map((p) => p.name).sort()).toEqual([
      "json",
      "json.impact",
      "json.probeIds",
      "json.title",
    ]);
    const unknown = await post("/api/v1/incidents", { title: "t", probeIds: ["nope"], body: "b" });
    expect(await unknown.json()).toMatchObject({ status: 400, invalidParams: [{ name: "json.probeIds" }] });
  });

  it("needs a write token", async () => {
    const res = await exports.default.fetch("http://afterlife.test/api/v1/incidents", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(401);
  });
});

describe("maintenance", () => {
  it("schedules one-off and recurring windows and cancels them", async () => {
    const now = Date.now();
    const once = await post("/api/v1/maintenances", {
      title: "Database upgrade",
      body: "Read-only for 10 minutes.",
      probeIds: ["shop-checkout"],
      schedule: { kind: "once", startsAt: now + 3_600_000, endsAt: now + 4_200_000 },
    });
    expect(once.status).toBe(201);
    const weekly = await post("/api/v1/maintenances", {
      title: "Weekly deploy",
      body: "Rolling restart.",
      probeIds: ["shop-home"],
      schedule: { kind: "recurring", cron: "0 2 * * SUN", durationMinutes: 30, timeZone: "Europe/Berlin" },
    });
    expect(weekly.status).toBe(201);
    const { id } = (await weekly.json()) as { id: string };
    const listed = (await (await call("/api/v1/maintenances")).json()) as {
      maintenances: { title: string; excludeFromSlo: boolean }[];
    };
    expect(listed.maintenances.map((m) => [m.title, m.excludeFromSlo]).sort()).toEqual([
      ["Database upgrade", true],
      ["Weekly deploy", true],
    ]);
    const upcoming = (await (await call("/api/v2/scheduled-maintenances/upcoming.json")).json()) as {
      scheduled_maintenances: { name: string; status: string; impact: string; scheduled_for: string }[];
    };
    expect(upcoming.scheduled_maintenances.find((m) => m.name === "Database upgrade")).toMatchObject({
      status: "scheduled",
      impact: "maintenance",
      scheduled_for: new Date(now + 3_600_000).toISOString(),
    });
    expect(upcoming.scheduled_maintenances.filter((m) => m.name === "Weekly deploy").length).toBeGreaterThanOrEqual(4); // weekly over the next 30 days
    const active = (await (await call("/api/v2/scheduled-maintenances/active.json")).json()) as {
      scheduled_maintenances: unknown[];
    };
    expect(active.scheduled_maintenances).toEqual([]);
    expect((await call(`/api/v1/maintenances/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await call(`/api/v1/maintenances/${id}`, { method: "DELETE" })).status).toBe(404);
  });

  it("refuses a bad cron, time zone or window", async () => {
    const res = await post("/api/v1/maintenances", {
      title: "t",
      body: "b",
      probeIds: ["shop-home"],
      schedule: { kind: "recurring", cron: "0 25 * * *", durationMinutes: 30, timeZone: "Mars/Olympus" },
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { invalidParams: { name: string }[] };
    expect(problem.invalidParams.map((p) => p.name)).toEqual(["json.schedule.cron", "json.schedule.timeZone"]);
    const backwards = await post("/api/v1/maintenances", {
      title: "t",
      body: "b",
      probeIds: ["shop-home"],
      schedule: { kind: "once", startsAt: Date.UTC(2030, 0, 1, 2), endsAt: Date.UTC(2030, 0, 1, 1) },
    });
    expect(await backwards.json()).toMatchObject({ invalidParams: [{ name: "json.schedule.endsAt" }] });
  });
});
