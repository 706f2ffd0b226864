/**
 * The edge cache of public reads in the real Workers Cache API (miniflare's) and this isolate's
 * memory: through the Worker's entry point with D1 wrapped to count statements, and on small apps
 * of their own for what the real routes cannot show (a token holder's answer that differs from the
 * public's, a clock past the minute, a slow render). Each test uses a host of its own, so no test
 * sees another's copies.
 */
import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppDeps, AppEnv } from "../../../src/api/app-env.ts";
import { createApp } from "../../../src/api/app.ts";
import { CACHE_NAME, cacheKey, edgeCache, heldAnswer, type Render } from "../../../src/api/edge-cache.ts";
import { IsolateCopies } from "../../../src/api/edge-cache-memory.ts";
import { parseConfig } from "../../../src/config.ts";
import { PAGE_CACHE } from "../../../src/api/routes/pages.tsx";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { D1ReleaseStore } from "../../../src/storage/release-store.ts";
import { D1TokenStore } from "../../../src/storage/token-store.ts";
import { D1HeartbeatStore } from "../../../src/storage/heartbeat-store.ts";
import { countingDb } from "../support/counting-db.ts";
import { fetchWorker } from "../support/fetch-worker.ts";
import { createToken } from "../support/tokens.ts";

const TOKEN = { authorization: "Bearer afl_0123456789abcdef_not-a-real-secret" };

/** GETs through the Worker with the edge cache on (the default), counting the D1 statements each prepares. */
function worker(host: string, bindings: Partial<Cloudflare.Env> = {}) {
  return async (path: string, headers: Record<string, string> = {}) => {
    const counting = countingDb();
    const res = await fetchWorker(`http://${host}${path}`, { headers }, { DB: counting.db, ...bindings });
    return { res, statements: counting.prepared.length, body: await res.text() };
  };
}

/**
 * A copy is fresh to the end of the minute it was rendered in, by the Worker's clock: the clock
 * stands still a few seconds into a minute in every test here, so no test's second read can fall
 * into the next minute however slowly a loaded machine runs it. Only Date is faked.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.UTC(2026, 11, 6, 12, 0, 5));
});
afterEach(() => vi.useRealTimers());

/** A small app's cache has nothing to revalidate through: these tests never let a copy go stale. */
const noRender: Render = () => Promise.reject(new Error("no revalidation in this test"));

describe("through the Worker", () => {
  it("serves a second GET of / within its lifetime from the cache: no D1 statement, the same bytes and headers, its policy allowing the script by hash", async () => {
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
    expect(second.res.headers.get("content-security-policy")).toBe(first.res.headers.get("content-security-policy"));
    expect(second.res.headers.get("content-security-policy")).toMatch(/script-src 'sha256-[A-Za-z0-9+/]{43}='/);
    expect(second.body).not.toContain("nonce");
    expect(second.res.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
    expect([...second.res.headers.keys()].filter((name) => name.startsWith("afterlife-"))).toEqual([]);
  });

  it("caches the public API reads too: /api/v1/status, /api/v1/slo, Statuspage v2, badges, the feed and the history", async () => {
    const get = worker("cache-2.test");
    for (const path of [
      "/api/v1/status",
      "/api/v1/slo",
      "/api/v2/summary.json",
      "/api/v2/status.json",
      "/api/v1/badges/probes/shop-home/status",
      "/feed.atom",
      "/history",
      "/probes/shop-home",
    ]) {
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
    const post = () =>
      fetchWorker("http://cache-3.test/api/v1/incidents", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      });
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
    expect(publicCopy.statements).toBeGreaterThan(0);
    const withToken = await get("/", TOKEN);
    expect(withToken.res.status).toBe(200);
    expect(withToken.statements).toBeGreaterThan(0);
    expect(withToken.res.headers.get("cache-control")).toBe("private, no-store");

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
      {
        file: "probes/open.ts",
        definition: {
          id: "open",
          name: "Open",
          group: "Team",
          regions: ["weur"],
          schedule: "1h",
          steps: [{ name: "s", url: "http://x.test/" }],
        },
      },
      {
        file: "probes/secret.ts",
        definition: {
          id: "secret",
          name: "Secret",
          group: "Team",
          regions: ["weur"],
          schedule: "1h",
          steps: [{ name: "s", url: "http://x.test/" }],
          public: false,
        },
      },
    ]);
    const counting = countingDb();
    const deps: AppDeps = {
      config: parseConfig(env),
      probes,
      store: new D1RunStore(counting.db),
      dayHistory: new D1DayHistoryStore(counting.db),
      tokens: new D1TokenStore(env.DB),
      ...incidentStores(counting.db),
      heartbeats: new D1HeartbeatStore(env.DB),
      releases: new D1ReleaseStore(counting.db),
      rateLimits: {
        publicReads: env.PUBLIC_RATE_LIMIT,
        writes: env.WRITE_RATE_LIMIT,
        heartbeats: env.HEARTBEAT_RATE_LIMIT,
      },
      version: "v",
      runNow: () => Promise.reject(new Error("not in this test")),
      now: Date.now,
    };
    const app = createApp();
    const get = (headers: Record<string, string> = {}) =>
      app.request("http://cache-13.test/probes/secret", { headers }, { deps });
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
    app.use("/probes/*", edgeCache(noRender, { copies: new IsolateCopies() }));
    app.get("/probes/:id", (c) => {
      renders++;
      const holder = c.req.header("authorization") !== undefined;
      return holder ? c.text(`private ${renders}`, 200, { "cache-control": PAGE_CACHE }) : c.text("not found", 404);
    });
    const deps = { config: { publicCacheSeconds: 60 } } as AppDeps;
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
    app.use("*", edgeCache(noRender, { copies: new IsolateCopies() }));
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
    const deps = { config: { publicCacheSeconds: 60 } } as AppDeps;
    for (const path of Object.keys(headers)) {
      const before = renders;
      await app.request(`http://cache-15.test${path}`, {}, { deps });
      await app.request(`http://cache-15.test${path}`, {}, { deps });
      expect(renders - before, path).toBe(path === "/public" ? 1 : 2);
    }
  });
});

describe("by the minute", () => {
  /** A small app whose answer says which render it is, with the pages' Cache-Control, and a clock the test moves. */
  function countingApp(host: string, handler?: (render: number) => Promise<void>) {
    let renders = 0;
    let clock = Date.UTC(2026, 10, 20, 12, 0, 10);
    const app = new Hono<AppEnv>();
    const deps = { config: { publicCacheSeconds: 60 } } as AppDeps;
    const copies = new IsolateCopies();
    app.use(
      "*",
      edgeCache(async (request) => app.fetch(request, { deps }), { copies, now: () => clock }),
    );
    app.get("*", async (c) => {
      const render = ++renders;
      await handler?.(render);
      return c.text(`render ${render}`, 200, { "cache-control": PAGE_CACHE });
    });
    const get = async (headers: Record<string, string> = {}) =>
      (await app.request(`http://${host}/`, { headers }, { deps })).text();
    return { get, renders: () => renders, setClock: (at: number) => (clock = at), copies };
  }

  it("answers at the entry point only from a fresh copy, as the middleware would, and leaves everything else to the app", async () => {
    const { get, setClock, copies } = countingApp("held.test");
    const at = Date.UTC(2026, 10, 20, 12, 0, 10);
    setClock(at);
    expect(await get()).toBe("render 1");
    const request = (init: RequestInit = {}) => new Request("http://held.test/?unknown=1", init);
    const fresh = heldAnswer(request(), at + 1000, copies);
    expect([fresh?.status, await fresh?.text()]).toEqual([200, "render 1"]);
    expect(fresh?.headers.get("cache-control")).toBe(PAGE_CACHE);
    const etag = fresh!.headers.get("etag");
    if (etag) expect(heldAnswer(request({ headers: { "if-none-match": etag } }), at + 1000, copies)?.status).toBe(304);
    // Stale (past the minute): the middleware serves it and revalidates; a token holder and a write never get it.
    expect(heldAnswer(request(), Date.UTC(2026, 10, 20, 12, 1, 0), copies)).toBeUndefined();
    expect(heldAnswer(request({ headers: TOKEN }), at + 1000, copies)).toBeUndefined();
    expect(heldAnswer(request({ method: "POST" }), at + 1000, copies)).toBeUndefined();
    expect(heldAnswer(new Request("http://held.test/other"), at + 1000, copies)).toBeUndefined();
  });

  it("keeps a copy fresh to the end of its minute, then answers with it at once while one render replaces it in the background", async () => {
    const page = countingApp("minute-1.test");
    expect(await page.get()).toBe("render 1");
    page.setClock(Date.UTC(2026, 10, 20, 12, 0, 59, 999));
    expect(await page.get()).toBe("render 1");
    expect(page.renders()).toBe(1);

    // The next minute: the stale copy is answered, and a single background render starts.
    page.setClock(Date.UTC(2026, 10, 20, 12, 1, 0, 5));
    const stale = await Promise.all([page.get(), page.get(), page.get()]);
    expect(stale).toEqual(["render 1", "render 1", "render 1"]);
    await vi.waitFor(() => expect(page.renders()).toBe(2));
    await vi.waitFor(async () => expect(await page.get()).toBe("render 2"));
    expect(page.renders()).toBe(2);
  });

  it("renders a copy past its stale window again before answering: a page unseen for minutes is never served old", async () => {
    const page = countingApp("minute-2.test");
    expect(await page.get()).toBe("render 1");
    page.setClock(Date.UTC(2026, 10, 20, 12, 2, 0, 1)); // fresh to 12:01, stale to 12:02
    expect(await page.get()).toBe("render 2");
  });

  it("renders a miss once for every reader who asks while it renders", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const page = countingApp("minute-3.test", async (render) => {
      if (render === 1) await gate;
    });
    const crowd = Array.from({ length: 8 }, () => page.get());
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    expect(await Promise.all(crowd)).toEqual(Array.from({ length: 8 }, () => "render 1"));
    expect(page.renders()).toBe(1);
  });

  it("does not keep a render that was under way when a write purged the copy: it may show what the write changed", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const page = countingApp("minute-4.test", async (render) => {
      if (render === 1) await gate;
    });
    const first = page.get();
    await new Promise((resolve) => setTimeout(resolve, 20));
    page.copies.purge("http://minute-4.test/");
    release();
    expect(await first).toBe("render 1");
    expect(await page.get()).toBe("render 2");
    expect(await page.get()).toBe("render 2");
  });

  it("serves a copy from the location's Cache API to an isolate that has none in memory, and then from memory", async () => {
    let renders = 0;
    const deps = { config: { publicCacheSeconds: 60 } } as AppDeps;
    const appWith = (copies: IsolateCopies) => {
      const app = new Hono<AppEnv>();
      app.use("*", edgeCache(noRender, { copies }));
      app.get("*", (c) => c.text(`render ${++renders}`, 200, { "cache-control": PAGE_CACHE }));
      return app;
    };
    const first = new IsolateCopies();
    expect(await (await appWith(first).request("http://layers.test/", {}, { deps })).text()).toBe("render 1");
    expect(first.size).toBe(1);
    const second = new IsolateCopies();
    expect(await (await appWith(second).request("http://layers.test/", {}, { deps })).text()).toBe("render 1");
    expect(second.size).toBe(1);
    // Gone from the location (as after a purge elsewhere): this isolate still answers from memory until the minute ends.
    await (await caches.open(CACHE_NAME)).delete(cacheKey("http://layers.test/"));
    expect(await (await appWith(second).request("http://layers.test/", {}, { deps })).text()).toBe("render 1");
    expect(renders).toBe(1);
  });
});

describe("writes purge what they change", () => {
  it("shows a new incident on /, its probe's page and the Statuspage summary at the next read after the write, without waiting for the minute", async () => {
    const get = worker("purge-1.test");
    const paths = ["/", "/probes/shop-home", "/api/v2/summary.json", "/api/v2/incidents/unresolved.json"];
    for (const path of paths) await get(path);
    for (const path of paths) expect((await get(path)).statements, path).toBe(0);

    const token = await createToken("purge-test", ["write"]);
    const created = await fetchWorker(
      "http://purge-1.test/api/v1/incidents",
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          title: "Purge me: storefront slow",
          impact: "minor",
          status: "investigating",
          body: "Looking into it.",
          probeIds: ["shop-home"],
        }),
      },
      {},
    );
    expect(created.status).toBe(201);
    for (const path of paths) {
      const after = await get(path);
      expect(after.statements, path).toBeGreaterThan(0);
      expect(after.body, path).toContain("Purge me: storefront slow");
    }
    // Then cached again.
    expect((await get("/")).statements).toBe(0);
  });

  it("shows new and cancelled maintenance at once on / and the Statuspage maintenance lists", async () => {
    const get = worker("purge-2.test");
    for (const path of ["/", "/api/v2/scheduled-maintenances/upcoming.json"]) await get(path);
    const token = await createToken("purge-test-2", ["write"]);
    const write = (method: string, path: string, body?: unknown) =>
      fetchWorker(
        `http://purge-2.test${path}`,
        {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body ? { body: JSON.stringify(body) } : {}),
        },
        {},
      );
    const created = await write("POST", "/api/v1/maintenances", {
      title: "Purge window",
      body: "b",
      probeIds: ["shop-home"],
      schedule: { kind: "once", startsAt: Date.now() + 3_600_000, endsAt: Date.now() + 7_200_000 },
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await get("/")).body).toContain("Purge window");
    expect((await get("/api/v2/scheduled-maintenances/upcoming.json")).body).toContain("Purge window");
    expect((await write("DELETE", `/api/v1/maintenances/${id}`)).status).toBe(204);
    expect((await get("/")).body).not.toContain("Purge window");
    expect((await get("/api/v2/scheduled-maintenances/upcoming.json")).body).not.toContain("Purge window");
  });
});
