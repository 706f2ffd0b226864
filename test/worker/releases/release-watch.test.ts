/**
 * The release watch end to end inside workerd: releases marked through the real API, the real
 * tick (dispatch, storage, the release-watch stage, the outbox) against a demo shop of this
 * file's own over real HTTP on 127.0.0.1, and a latency fault injected in one region with the
 * shop's knob.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { probeModules } from "../../../src/generated/probe-registry.ts";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import type { Release } from "../../../src/releases/model.ts";
import { runTick } from "../../../src/tick/run-tick.ts";
import { appDeps, appFetch } from "../support/app-deps.ts";
import { fleetTickDeps } from "../support/tick-deps.ts";
import { createToken } from "../support/tokens.ts";

const MINUTE = 60_000;
// Recent enough that a release may be marked at it (at most 24 h back), in whole minutes.
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 3 * 60 * MINUTE;
const registry = loadRegistry(probeModules);
// A probe that runs every 10 minutes on its own: the watch runs it every minute.
const slow = loadRegistry([
  {
    file: "probes/slow-search.ts",
    definition: {
      id: "slow-search",
      name: "Search",
      group: "Search",
      regions: ["weur", "enam"],
      schedule: "10m",
      baseUrl: "{{env:SHOP_URL}}",
      steps: [{ name: "search", url: "/api/products", expectStatus: 200 }],
    },
  },
]);
const hidden = loadRegistry([
  {
    file: "probes/hidden-job.ts",
    definition: {
      id: "hidden-job",
      name: "Hidden",
      group: "Internal",
      regions: ["weur"],
      schedule: "1h",
      public: false,
      baseUrl: "{{env:SHOP_URL}}",
      steps: [{ name: "home", url: "/" }],
    },
  },
]);
const probes: LoadedProbe[] = [...registry, ...slow, ...hidden];
const deps = () => fleetTickDeps(probes, { values: { SHOP_URL: env.RELEASE_SHOP_URL }, runnerPrefix: "release-watch" });
const api = appFetch(appDeps(probes));

async function ticks(from: number, count: number) {
  const summaries = [];
  for (let i = 0; i < count; i++) summaries.push(await runTick(from + i * MINUTE, deps()));
  return summaries;
}

async function setFault(fault: Record<string, unknown> | null) {
  const res = await fetch(
    `${env.RELEASE_SHOP_URL}/_control/faults`,
    fault ? { method: "POST", body: JSON.stringify(fault) } : { method: "DELETE" },
  );
  expect(res.ok).toBe(true);
}

async function release(token: string, body: Record<string, unknown>): Promise<Release> {
  const res = await api("/api/v1/releases", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Release;
}

const getRelease = async (id: string) => (await (await api(`/api/v1/releases/${id}`)).json()) as Release;

describe("release watch", () => {
  it("calls a release that slows one region regressed within its window, naming that region, and one that changed nothing healthy", async () => {
    const token = await createToken("ci", ["write"]);
    // 15 minutes of baseline, no fault.
    await setFault(null);
    await ticks(BASE, 15);
    const releasedAt = BASE + 15 * MINUTE - 30_000; // went live mid-minute; the watch starts at the next minute
    const bad = await release(token, {
      version: "v2.0.0",
      probeIds: ["shop-checkout"],
      at: new Date(releasedAt).toISOString(),
      watchMinutes: 10,
      baselineMinutes: 15,
      url: "https://ci.example.test/run/42",
    });
    const fine = await release(token, {
      version: "v2.0.0-home",
      group: "Storefront",
      at: new Date(releasedAt).toISOString(),
      watchMinutes: 10,
      baselineMinutes: 15,
    });
    expect(bad).toMatchObject({
      probeIds: ["shop-checkout"],
      watchFrom: BASE + 15 * MINUTE,
      watchUntil: BASE + 25 * MINUTE,
      judgement: { verdict: "inconclusive", final: false },
    });
    expect(fine.probeIds).toEqual(["shop-home"]);

    // The release slows the cart by 400 ms in weur only (the checkout journey reads it; the storefront does not).
    await setFault({ path: "/api/cart", region: "weur", delayMs: 400 });
    try {
      const summaries = await ticks(BASE + 15 * MINUTE, 10);
      const watch = summaries.map((s) => s.reports["release-watch"] as { judged: number; final: string[] });
      expect(watch.every((w) => w.judged >= 1)).toBe(true);
    } finally {
      await setFault(null);
    }

    const judged = await getRelease(bad.id);
    expect(judged.judgement).toMatchObject({ verdict: "regressed", final: true });
    expect(judged.judgement.atMinute).toBeLessThanOrEqual(10);
    const worst = judged.judgement.findings[0]!;
    expect([worst.probeId, worst.region, worst.measure, worst.regressed]).toEqual([
      "shop-checkout",
      "weur",
      "latency",
      true,
    ]);
    expect(worst.after.value!).toBeGreaterThan(worst.before.value! + 300);
    expect(worst.p).toBeLessThan(worst.threshold);
    expect(worst.evidence.length).toBeGreaterThan(0);
    expect(worst.evidence.every((id) => id.startsWith("shop-checkout.weur."))).toBe(true);
    expect(judged.judgement.findings.filter((f) => f.regressed).every((f) => f.region === "weur")).toBe(true);
    // The evidence runs are real runs of the API.
    const evidence = await api(`/api/v1/runs/${worst.evidence[0]}`);
    expect(evidence.status).toBe(200);
    expect(((await evidence.json()) as { durationMs: number }).durationMs).toBeGreaterThan(400);

    const healthy = await getRelease(fine.id);
    expect(healthy.judgement).toMatchObject({ verdict: "healthy", final: true, atMinute: 10 });

    // One notice per verdict and channel, through the outbox.
    const outbox = await env.DB.prepare("SELECT id, payload FROM outbox WHERE id LIKE 'rel_%' ORDER BY id").all<{
      id: string;
      payload: string;
    }>();
    const byRelease = new Map(
      outbox.results.map((r) => [
        r.id.split(":")[0],
        JSON.parse(r.payload) as { transition: string; regions: string[]; release: { version: string } },
      ]),
    );
    expect(outbox.results).toHaveLength(2);
    expect(byRelease.get(bad.id)).toMatchObject({
      transition: "release-regressed",
      regions: ["weur"],
      release: { version: "v2.0.0" },
    });
    expect(byRelease.get(fine.id)).toMatchObject({ transition: "release-healthy" });

    // A replayed tick changes nothing: no second notice, the verdict stays.
    await ticks(BASE + 24 * MINUTE, 1);
    expect(
      (await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE id LIKE 'rel_%'").first<{ n: number }>())!.n,
    ).toBe(2);

    // Listed newest first, and per probe.
    const listed = (await (await api("/api/v1/releases?probe=shop-home")).json()) as { releases: Release[] };
    expect(listed.releases.map((r) => r.id)).toEqual([fine.id]);
  }, 300_000);

  it("runs a watched probe every minute from all its regions, whatever its schedule, and counts those runs", async () => {
    const token = await createToken("ci-slow", ["write"]);
    const at = BASE + 60 * MINUTE;
    const before = await ticks(at - 5 * MINUTE, 5);
    expect(before.reduce((n, s) => n + (s.reports.dispatch as { watchRuns: number }).watchRuns, 0)).toBe(0);
    await release(token, {
      version: "search-1",
      probeIds: ["slow-search"],
      at: new Date(at).toISOString(),
      watchMinutes: 5,
      baselineMinutes: 10,
    });
    const during = await ticks(at, 5);
    const watchRuns = during.map((s) => (s.reports.dispatch as { watchRuns: number }).watchRuns);
    // Due on its own once in 10 minutes; watched, every minute in both regions.
    expect(watchRuns.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(8);
    const stored = await env.DB.prepare(
      "SELECT count(*) AS n FROM run_blocks b, json_each(b.probes) p WHERE p.value = 'slow-search' AND b.hour_at <= ?",
    )
      .bind(at + 5 * MINUTE)
      .first<{ n: number }>();
    expect(stored!.n).toBeGreaterThan(0);
    const runs = await appDeps(probes).store.read([
      appDeps(probes).store.recentRunsRead(
        [
          { probeId: "slow-search", region: "weur" },
          { probeId: "slow-search", region: "enam" },
        ],
        at,
        at + 5 * MINUTE,
      ),
    ] as const);
    expect(runs[0].map((r) => `${r.region}@${(r.slotAt - at) / MINUTE}`).sort()).toEqual([
      "enam@0",
      "enam@1",
      "enam@2",
      "enam@3",
      "enam@4",
      "weur@0",
      "weur@1",
      "weur@2",
      "weur@3",
      "weur@4",
    ]);
  }, 300_000);

  it("refuses bad releases with a problem naming the field and the fix", async () => {
    const token = await createToken("ci-bad", ["write"]);
    const post = (body: unknown) =>
      api("/api/v1/releases", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const problem = async (body: unknown) => {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      return ((await res.json()) as { invalidParams: { name: string; reason: string }[] }).invalidParams;
    };
    expect((await problem({ version: "v1", probeIds: ["nope"] }))[0]).toMatchObject({
      name: "json.probeIds",
      reason: expect.stringContaining("unknown probes nope"),
    });
    expect((await problem({ version: "v1" }))[0]).toMatchObject({
      name: "json.probeIds",
      reason: expect.stringContaining("either probeIds"),
    });
    expect((await problem({ version: "v1", group: "Nope" }))[0]).toMatchObject({ name: "json.group" });
    expect((await problem({ version: "v1", group: "Storefront", watchMinutes: 2 }))[0]!.name).toBe("json.watchMinutes");
    expect(
      (await problem({ version: "v1", group: "Storefront", at: new Date(Date.now() + 3_600_000).toISOString() }))[0],
    ).toMatchObject({ name: "json.at", reason: expect.stringContaining("future") });
    expect((await problem({ version: "v1", group: "Storefront", at: "yesterday" }))[0]!.name).toBe("json.at");
    expect((await problem({ version: "", group: "Storefront" }))[0]!.name).toBe("json.version");
    expect(
      (
        await post({ version: "v1", group: "Storefront" }).then(() =>
          api("/api/v1/releases", { method: "POST", body: "{}" }),
        )
      ).status,
    ).toBe(401);
  });

  it("shows releases on the probe page's latency chart and 90-day bars, refreshing the cached page, and never a private probe's release in public", async () => {
    const token = await createToken("ci-page", ["write"]);
    const page = async () => (await api("/probes/shop-home")).text();
    await page(); // now in this location's edge cache
    const shown = await release(token, {
      version: "v3.1.4",
      probeIds: ["shop-home"],
      at: new Date(BASE + 30 * MINUTE).toISOString(),
      watchMinutes: 5,
      baselineMinutes: 10,
    });
    const html = await page();
    expect(html).toContain(`data-release="${shown.id}"`);
    expect(html).toContain("Release v3.1.4 (watching)");
    expect(html).toMatch(/Released: [^<]*v3\.1\.4/);

    const secret = await release(token, { version: "internal-7", probeIds: ["shop-home", "hidden-job"] });
    const publicList = (await (await api("/api/v1/releases")).json()) as { releases: Release[] };
    expect(publicList.releases.map((r) => r.id)).toContain(shown.id);
    expect(publicList.releases.map((r) => r.id)).not.toContain(secret.id);
    expect((await api(`/api/v1/releases/${secret.id}`)).status).toBe(404);
    expect(await page()).not.toContain("internal-7");
    const withToken = (await (
      await api("/api/v1/releases", { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { releases: Release[] };
    expect(withToken.releases.map((r) => r.id)).toContain(secret.id);
  });
});
