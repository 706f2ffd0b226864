/**
 * Heartbeats end to end in workerd: pings through the Worker's app into the real local D1, the
 * real tick (heartbeats stage, incident step, outbox) judging them, with time passed in.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateHeartbeatSecret } from "../../../src/auth/heartbeat-secret.ts";
import { judgeHeartbeat } from "../../../src/heartbeats/judge.ts";
import { defineProbe } from "../../../src/probe/define-probe.ts";
import { inspectProbes, loadRegistry } from "../../../src/probe/registry.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { setSecretSql } from "../../../src/storage/heartbeat-store.ts";
import { runTick } from "../../../src/tick/run-tick.ts";
import { appDeps, appFetch } from "../support/app-deps.ts";
import { fleetTickDeps } from "../support/tick-deps.ts";

const MINUTE = 60_000;
const probes = loadRegistry(
  ["backup", "etl", "report", "never", "limited"].map((id) => ({
    file: `probes/${id}.ts`,
    definition: defineProbe({
      kind: "heartbeat",
      id,
      name: `Job ${id}`,
      group: "Jobs",
      period: "1h",
      grace: id === "backup" ? "10m" : "5m",
    }),
  })),
);
const { incidents, outbox: outboxStore } = incidentStores(env.DB);
const runs = new D1RunStore(env.DB);

async function secretFor(id: string): Promise<string> {
  const { secret, secretHash } = await generateHeartbeatSecret();
  await env.DB.prepare(setSecretSql(id, secretHash, Date.now())).run();
  return secret;
}

function pinger(at: number, rateLimited = false) {
  const deps = appDeps(probes, { now: () => at, ...(rateLimited ? {} : {}) });
  return appFetch(
    rateLimited ? { ...deps, rateLimits: { ...deps.rateLimits, heartbeats: env.HEARTBEAT_RATE_LIMIT } } : deps,
  );
}

async function ping(id: string, secret: string, at: number, action = ""): Promise<Response> {
  return pinger(at)(`/hb/${id}${action}`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}` },
    body: "log line with password=hunter2",
  });
}

const tick = (slotAt: number) =>
  runTick(slotAt, { ...fleetTickDeps(probes, { runnerPrefix: "hb" }), now: () => slotAt + 5_000 });

async function runsOf(id: string) {
  const page = await runs.listRuns({ pairs: [{ probeId: id, region: "push" }], limit: 50 });
  return page.runs
    .map((r) => ({ slotAt: r.slotAt, status: r.status, class: r.failure?.class }))
    .sort((a, b) => a.slotAt - b.slotAt);
}

async function noticesOf(id: string): Promise<string[]> {
  const outbox = await outboxStore.listOutbox({ limit: 500 });
  return outbox
    .filter((o) => (o.payload as { probe?: { id: string } }).probe?.id === id)
    .sort((a, b) => (a.payload as { at: number }).at - (b.payload as { at: number }).at)
    .map((o) => (o.payload as { transition: string }).transition);
}

describe("heartbeat incidents", () => {
  it("a heartbeat missed past its grace opens an incident with one DOWN; a success ping closes it with one UP", async () => {
    const t0 = Date.UTC(2026, 10, 20, 0, 0);
    const secret = await secretFor("backup");
    expect((await ping("backup", secret, t0 + 30_000)).status).toBe(200);
    await tick(t0 + MINUTE);
    await tick(t0 + 60 * MINUTE); // due by t0 + 70.5 min: not yet
    expect(await incidents.listIncidents({ limit: 10 })).toEqual([]);
    await tick(t0 + 71 * MINUTE); // the deadline passed in this window
    await tick(t0 + 72 * MINUTE);
    const [open] = (await incidents.listIncidents({ limit: 10 })).filter((i) => i.probeIds.includes("backup"));
    expect(open).toMatchObject({
      id: `backup-${t0 + 71 * MINUTE}`,
      status: "investigating",
      failure: { step: "heartbeat", class: "timeout" },
    });
    expect(await noticesOf("backup")).toEqual(["down"]);

    expect((await ping("backup", secret, t0 + 75 * MINUTE + 1_000)).status).toBe(200);
    await tick(t0 + 76 * MINUTE);
    await tick(t0 + 76 * MINUTE); // a replayed tick changes nothing
    await tick(t0 + 77 * MINUTE);
    const [closed] = (await incidents.listIncidents({ limit: 10 })).filter((i) => i.probeIds.includes("backup"));
    expect(closed).toMatchObject({ status: "resolved", resolvedAt: t0 + 76 * MINUTE });
    expect(await noticesOf("backup")).toEqual(["down", "up"]);
    // Each period is one SLO event: the success, the missed period, the success.
    expect(await runsOf("backup")).toEqual([
      { slotAt: t0 + MINUTE, status: "up", class: undefined },
      { slotAt: t0 + 71 * MINUTE, status: "down", class: "timeout" },
      { slotAt: t0 + 76 * MINUTE, status: "up", class: undefined },
    ]);
  });

  it("/fail is a failure at once", async () => {
    const t1 = Date.UTC(2026, 10, 20, 6, 0);
    const secret = await secretFor("etl");
    await ping("etl", secret, t1 + 10_000);
    await tick(t1 + MINUTE);
    expect((await ping("etl", secret, t1 + 2 * MINUTE + 10_000, "/fail")).status).toBe(200);
    await tick(t1 + 3 * MINUTE);
    expect(await runsOf("etl")).toEqual([
      { slotAt: t1 + MINUTE, status: "up", class: undefined },
      { slotAt: t1 + 3 * MINUTE, status: "down", class: "script" },
    ]);
    expect(await noticesOf("etl")).toEqual(["down"]);
  });

  it("a /start without a success within the grace is a failure", async () => {
    const t2 = Date.UTC(2026, 10, 20, 8, 0);
    const secret = await secretFor("report");
    await ping("report", secret, t2 + 10_000, "/start");
    await tick(t2 + MINUTE);
    await tick(t2 + 5 * MINUTE); // still inside the 5m grace (due by t2 + 5m10s)
    expect(await runsOf("report")).toEqual([]);
    await tick(t2 + 6 * MINUTE);
    expect(await runsOf("report")).toEqual([{ slotAt: t2 + 6 * MINUTE, status: "down", class: "timeout" }]);
  });

  it("before the first ping a heartbeat is no data: no run, no incident", async () => {
    const t3 = Date.UTC(2026, 10, 20, 10, 0);
    await secretFor("never");
    for (const m of [1, 61, 125, 200]) await tick(t3 + m * MINUTE);
    expect(await runsOf("never")).toEqual([]);
    expect((await incidents.listIncidents({ limit: 50 })).filter((i) => i.probeIds.includes("never"))).toEqual([]);
    const status = (await (await pinger(t3)("/api/v1/probes/never")).json()) as {
      kind: string;
      state: string;
      lastRunAt: number | null;
      heartbeat: unknown;
    };
    expect(status).toMatchObject({
      kind: "heartbeat",
      state: "no-data",
      lastRunAt: null,
      heartbeat: { period: "1h", grace: "5m" },
    });
  });
});

describe("heartbeat pings", () => {
  it("an unknown id, a wrong secret and no secret get the same 401; the secret works in the header or the path", async () => {
    const secret = await secretFor("etl");
    const other = (await generateHeartbeatSecret()).secret;
    const at = Date.UTC(2026, 10, 21);
    const answers = await Promise.all([
      pinger(at)("/hb/etl", { method: "POST", headers: { authorization: `Bearer ${other}` } }),
      pinger(at)("/hb/no-such-job", { method: "POST", headers: { authorization: `Bearer ${secret}` } }),
      pinger(at)("/hb/shop-home", { method: "POST", headers: { authorization: `Bearer ${secret}` } }),
      pinger(at)("/hb/etl", { method: "POST" }),
      pinger(at)(`/hb/no-such-job/${other}/fail`),
    ]);
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401, 401, 401]);
    // The same answer but for the path it was asked at (`instance`).
    expect(new Set(bodies.map((b) => JSON.stringify({ ...JSON.parse(b), instance: undefined }))).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ status: 401, detail: "Unknown heartbeat or wrong secret." });

    const viaPath = await pinger(at)(`/hb/etl/${secret}/start`);
    expect(viaPath.status).toBe(200);
    expect(viaPath.headers.get("cache-control")).toContain("no-store");
    expect(await viaPath.json()).toMatchObject({ ok: true, heartbeat: "etl", ping: "start", at });
    const badAction = await pinger(at)(`/hb/etl/${secret}/finish`);
    expect(badAction.status).toBe(404);
    expect(await badAction.text()).not.toContain(secret);
  });

  it("rate-limits pings per heartbeat with a 429 and Retry-After", async () => {
    const secret = await secretFor("limited");
    const call = pinger(Date.UTC(2026, 10, 22), true);
    const statuses: number[] = [];
    for (let i = 0; i < 100 && !statuses.includes(429); i++) {
      const res = await call("/hb/limited", { method: "POST", headers: { authorization: `Bearer ${secret}` } });
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get("retry-after")).toBe("60");
    }
    expect(statuses[0]).toBe(200);
    expect(statuses.at(-1)).toBe(429);
  });

  it("stores the secret only as its hash, and no ping body anywhere", async () => {
    const secret = await secretFor("backup");
    await ping("backup", secret, Date.UTC(2026, 10, 23));
    const { results: tables } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    ).all<{ name: string }>();
    let dump = "";
    for (const { name } of tables)
      dump += JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results);
    expect(dump).toContain("backup");
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(3));
    expect(dump).not.toContain("hunter2");
  });
});

describe("heartbeat definitions", () => {
  const problems = (definition: Record<string, unknown>) =>
    inspectProbes([{ file: "probes/job.ts", definition }]).problems.map((p) => `${p.path}: ${p.message}`);
  const base = { kind: "heartbeat", id: "job", name: "Job", period: "1h", grace: "10m" };

  it("accepts a heartbeat and keeps probes without a kind valid", () => {
    expect(problems(base)).toEqual([]);
    expect(problems({ id: "web", name: "Web", steps: [{ name: "home", url: "https://example.com/" }] })).toEqual([]);
  });

  it("names the field and the fix", () => {
    expect(problems({ ...base, period: "90d" })).toEqual([expect.stringMatching(/^period: at most 30d/)]);
    expect(problems({ ...base, period: "hourly" })).toEqual([
      expect.stringMatching(/^period: a duration in whole minutes, hours or days/),
    ]);
    expect(problems({ ...base, grace: "2h" })).toEqual([expect.stringMatching(/^grace: at most the period \(1h\)/)]);
    expect(problems({ ...base, kind: "heartbet" })).toEqual([
      expect.stringMatching(/^kind: got "heartbet"; expected one of .*heartbeat.* \(did you mean "heartbeat"\?\)/),
    ]);
    expect(problems({ ...base, regions: ["weur"] })).toEqual([expect.stringMatching(/^: unknown key 'regions'/)]);
    expect(problems({ ...base, slo: { availability: 0.99, latency: { percent: 0.9, underMs: 100 } } })).toEqual([
      expect.stringMatching(/^slo.latency: a heartbeat has no latency/),
    ]);
  });
});

describe("judgeHeartbeat", () => {
  const timing = { periodMs: 60 * MINUTE, graceMs: 10 * MINUTE };
  const instant = fc.option(fc.integer({ min: 0, max: 10 * 60 * MINUTE }), { nil: null });

  it("never judges anything before the first ping, and a window's newest success or fail decides", () => {
    fc.assert(
      fc.property(
        instant,
        instant,
        instant,
        fc.integer({ min: 0, max: 10 * 60 * MINUTE }),
        fc.integer({ min: 1, max: 120 * MINUTE }),
        (s, st, f, from, length) => {
          const pings = { lastSuccessAt: s, lastStartAt: st, lastFailAt: f };
          const j = judgeHeartbeat(timing, pings, from, from + length);
          if (s === null && st === null && f === null) expect(j).toBeNull();
          if (j) expect(j.at >= from && j.at < from + length).toBe(true);
          if (s !== null && s >= from && s < from + length && (f === null || f < s)) {
            // A success in the window: only a deadline or a start timeout after it may beat it.
            if (j!.status === "down") expect(j!.at).toBeGreaterThan(s);
            else expect(j).toEqual({ status: "up", reason: "success", at: s });
          }
        },
      ),
    );
  });
});
