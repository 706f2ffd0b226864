/**
 * The edge cache of public reads in the real Workers Cache API (miniflare's): through the
 * Worker's entry point with D1 wrapped to count statements, and on a small app of its own for
 * what the real routes cannot show yet (a token holder's answer that differs from the public's).
 * Each test uses a host of its own, so no test sees another's copies.
 */
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppDeps, AppEnv } from "../../../src/api/app-env.ts";
import { createApp } from "../../../src/api/app.ts";
import { edgeCache } from "../../../src/api/edge-cache.ts";
import { parseConfig } from "../../../src/config.ts";
import { PAGE_CACHE } from "../../../src/page/page-routes.tsx";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { D1IncidentStore } from "../../../src/storage/incident-store.ts";
import { D1ReleaseStore } from "../../../src/storage/release-store.ts";
import { D1TokenStore } from "../../../src/storage/token-store.ts";
import { countingDb } from "../support/counting-db.ts";
import { fetchWorker } from "../support/fetch-worker.ts";

const TOKEN = { authorization: "Bearer afl_0123456789abcdef_not-a-real-secret" };

/** GETs through the Worker with the edge cache on (the default), counting the D1 statements each prepares. */
function worker(host: string, bindings: Partial<Cloudflare.Env> = {}) {
  return async (path: string, headers: Record<string, string> = {}) => {
    const counting = countingDb();
    const res = await fetchWorker(`http://${host}${path}`, { headers }, { DB: counting.db, ...bindings });
    return { res, statements: counting.prepared.length, body: await res.text() };
  };
}

const nonceOf = (csp: string | null) => /style-src 'nonce-([^']+)'/.exec(csp ?? "")?.[1];

describe("through the Worker", () => {
  it("serves a second GET of / within its lifetime from the cache: no D1 statement, the same page with the CSP of its own nonce", async () => {
    const get = worker("cache-1.test");
    const first = await get("/");
    expect(first.res.status).toBe(200);
    expect(first.statements).toBeGreaterThan(0);

    const second = await get("/");
    expect(second.res.status).toBe(200);
    expect(second.statements).toBe(0);
    expect(second.body).toBe(first.body);
    expect(second.res.headers.get("cache-control")).toBe(PAGE_CACHE);
    expect(second.res.headers.get("etag")).toBe(first.res.headers.get("etag"));
    const nonce = nonceOf(second.res.headers.get("content-security-policy"));
    expect(nonce).toBeTruthy();
    expect(nonce).toBe(nonceOf(first.res.headers.get("content-security-policy")));
    expect(second.body).toContain(`<script nonce="${nonce}">`);
    expect(second.res.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
    expect(second.res.headers.has("afterlife-origin-cache-control")).toBe(false);
  });

  it("caches the public API reads too: /api/v1/status, /api/v1/slo, Statuspage v2, badges, the feed and the history", async () => {
    const get = worker("cache-2.test");
    for (const path of ["/api/v1/status", "/api/v1/slo", "/api/v2/summary.json", "/api/v2/status.json", "/api/v1/badges/probes/shop-home/status", "/feed.atom", "/history", "/probes/shop-home"]) {
      const first = await get(path);
      expect(first.res.status, path).toBe(200);
      expect(first.statements, path).toBeGreaterThan(0);
      const second = await get(path);
      expect(second.statements, path).toBe(0);
      expect(second.body, path).toBe(first.body);
    }
  });

  it("never caches /metrics (no-store: scrapers want it fresh) nor a write route", async () => {
    const get = worker("cache-3.test");
    await get("/metrics");
    expect((await get("/metrics")).statements).toBeGreaterThan(0);
    const post = () => fetchWorker("http://cache-3.test/api/v1/incidents", { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
    expect((await post()).status).toBe(401);
    expect((await post()).status).toBe(401);
  });

  it("keys by the path and the parameters the routes read: another range is another copy, an unknown parameter is not", async () => {
    const get = worker("cache-4.test");
    await get("/probes/shop-home?range=24h");
    expect((await get("/probes/shop-home?range=24h")).statements).toBe(0);
    expect((await get("/probes/shop-home?range=7d")).statements).toBeGreaterThan(0);
    // Random parameters cannot force a render (and a D1 read) per request.
    expect((await get("/probes/shop-home?range=24h&bust=1")).statements).toBe(0);
    expect((await get("/probes/shop-home?bust=2&range=24h")).statements).toBe(0);
    await get("/?x=1");
    expect((await get("/?x=2")).statements).toBe(0);
    expect((await get("/")).statements).toBe(0);
  });

  it("never answers a request with Authorization from the cache, and never stores its answer", async () => {
    const get = worker("cache-5.test");
    const publicCopy = await get("/");
    const withToken = await get("/", TOKEN);
    expect(withToken.res.status).toBe(200);
    expect(withToken.statements).toBeGreaterThan(0);
    expect(nonceOf(withToken.res.headers.get("content-security-policy"))).not.toBe(nonceOf(publicCopy.res.headers.get("content-security-policy")));

    // Nothing stored from a token holder's GET: the next anonymous GET of a new URL renders.
    const other = worker("cache-6.test");
    expect((await other("/", TOKEN)).statements).toBeGreaterThan(0);
    expect((await other("/")).statements).toBeGreaterThan(0);
    expect((await other("/")).statements).toBe(0);
  });

  it("answers a matching If-None-Match from the cached copy with a 304 and no policy, and a stale one with the copy", async () => {
    const get = worker("cache-7.test");
    const first = await get("/");
    const etag = first.res.headers.get("etag")!;
    const revalidated = await get("/", { "if-none-match": `"other", ${etag}` });
    expect(revalidated.res.status).toBe(304);
    expect(revalidated.statements).toBe(0);
    expect(revalidated.body).toBe("");
    expect(revalidated.res.headers.get("etag")).toBe(etag);
    expect(revalidated.res.headers.get("cache-control")).toBe(PAGE_CACHE);
    expect(revalidated.res.headers.get("content-security-policy")).toBeNull();

    const changed = await get("/", { "if-none-match": '"something-else"' });
    expect(changed.res.status).toBe(200);
    expect(changed.statements).toBe(0);
    expect(changed.body).toBe(first.body);
  });

  it("fills the cache from a conditional miss, and still answers it with a 304", async () => {
    const etag = (await worker("cache-8.test")("/")).res.headers.get("etag")!; // the same view on another host: the same ETag
    const get = worker("cache-9.test");
    const miss = await get("/", { "if-none-match": etag });
    expect(miss.res.status).toBe(304);
    expect(miss.statements).toBeGreaterThan(0);
    expect(miss.res.headers.get("content-security-policy")).toBeNull();
    const next = await get("/");
    expect(next.res.status).toBe(200);
    expect(next.statements).toBe(0);
  });

  it("never caches an error: a 500 or a 404 is rendered again on the next GET", async () => {
    const broken = { STATUS_PAGE: '{"timeZone":"Mars/Olympus"}' };
    const failing = await worker("cache-10.test", broken)("/");
    expect(failing.res.status).toBe(500);
    const after = await worker("cache-10.test")("/");
    expect(after.res.status).toBe(200);
    expect(after.statements).toBeGreaterThan(0);

    const hidden = { STATUS_PAGE: JSON.stringify({ hiddenProbes: ["shop-home"] }) };
    expect((await worker("cache-11.test", hidden)("/probes/shop-home")).res.status).toBe(404);
    expect((await worker("cache-11.test")("/probes/shop-home")).res.status).toBe(200);
  });

  it("answers HEAD from the copy a GET stored, without a body", async () => {
    const get = worker("cache-16.test");
    const first = await get("/api/v1/status");
    const counting = countingDb();
    const head = await fetchWorker("http://cache-16.test/api/v1/status", { method: "HEAD" }, { DB: counting.db });
    expect(head.status).toBe(200);
    expect(counting.prepared.length).toBe(0);
    expect(head.headers.get("etag")).toBe(first.res.headers.get("etag"));
    expect(await head.text()).toBe("");
  });

  it("is off with PUBLIC_CACHE_SECONDS=0: every GET renders", async () => {
    const get = worker("cache-12.test", { PUBLIC_CACHE_SECONDS: "0" });
    await get("/");
    expect((await get("/")).statements).toBeGreaterThan(0);
  });
});

describe("private probes", () => {
  it("never caches a private probe's page, for anyone: a 404 without a token, and no copy from a token holder", async () => {
    const probes = loadRegistry([
      { file: "probes/open.ts", definition: { id: "open", name: "Open", group: "Team", regions: ["weur"], schedule: "1h", steps: [{ name: "s", url: "http://x.test/" }] } },
      { file: "probes/secret.ts", definition: { id: "secret", name: "Secret", group: "Team", regions: ["weur"], schedule: "1h", steps: [{ name: "s", url: "http://x.test/" }], public: false } },
    ]);
    const counting = countingDb();
    const deps: AppDeps = {
      config: parseConfig(env),
      probes,
      store: new D1RunStore(counting.db),
      dayHistory: new D1DayHistoryStore(counting.db),
      tokens: new D1TokenStore(env.DB),
      incidents: new D1IncidentStore(counting.db),
      releases: new D1ReleaseStore(counting.db),
      rateLimits: { publicReads: env.PUBLIC_RATE_LIMIT, writes: env.WRITE_RATE_LIMIT },
      version: "v",
      runNow: () => Promise.reject(new Error("not in this test")),
      now: Date.now,
    };
    const app = createApp();
    const get = (headers: Record<string, string> = {}) => app.request("http://cache-13.test/probes/secret", { headers }, { deps });
    expect((await get()).status).toBe(404);
    await get(TOKEN);
    expect((await get()).status).toBe(404);
    expect(await (await get()).text()).not.toContain("Secret");
    expect((await app.request("http://cache-13.test/probes/open", {}, { deps })).status).toBe(200);
  });

  it("never serves a token holder's answer to anyone, whatever its headers say, nor the public copy to a token holder", async () => {
    // What a route may do once token holders see private probes: another answer for them. Here
    // even marked public, the worst case: the cache must still keep it apart.
    let renders = 0;
    const app = new Hono<AppEnv>();
    app.use("/probes/*", edgeCache());
    app.get("/probes/:id", (c) => {
      renders++;
      const holder = c.req.header("authorization") !== undefined;
      return holder ? c.text(`private ${renders}`, 200, { "cache-control": PAGE_CACHE }) : c.text("not found", 404);
    });
    const deps = { config: { publicCacheSeconds: 15 } } as AppDeps;
    const get = async (headers: Record<string, string> = {}) => {
      const res = await app.request("http://cache-14.test/probes/secret", { headers }, { deps });
      return { status: res.status, body: await res.text() };
    };
    expect(await get(TOKEN)).toEqual({ status: 200, body: "private 1" });
    expect(await get()).toEqual({ status: 404, body: "not found" });
    expect(await get(TOKEN)).toEqual({ status: 200, body: "private 3" });
    expect(renders).toBe(3);
  });

  it("never stores an answer marked private or no-store, or one that sets a cookie", async () => {
    let renders = 0;
    const app = new Hono<AppEnv>();
    app.use("*", edgeCache());
    const headers: Record<string, Record<string, string>> = {
      "/private": { "cache-control": "private, max-age=15" },
      "/no-store": { "cache-control": "no-store" },
      "/cookie": { "cache-control": PAGE_CACHE, "set-cookie": "a=b" },
      "/vary-cookie": { "cache-control": PAGE_CACHE, vary: "Cookie" },
      "/public": { "cache-control": PAGE_CACHE, vary: "Authorization" },
    };
    app.get("*", (c) => {
      renders++;
      return c.text("x", 200, headers[c.req.path]);
    });
    const deps = { config: { publicCacheSeconds: 15 } } as AppDeps;
    for (const path of Object.keys(headers)) {
      const before = renders;
      await app.request(`http://cache-15.test${path}`, {}, { deps });
      await app.request(`http://cache-15.test${path}`, {}, { deps });
      expect(renders - before, path).toBe(path === "/public" ? 1 : 2);
    }
  });
});
