/**
 * The pages through the real app and a real local D1: headers (CSP script hash, cache, ETag), status
 * codes, private and hidden probes, the page settings, and a fixed number of D1 batches per
 * render whatever the length of the history.
 */
import { runResult } from "../support/run-result.ts";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppDeps } from "../../../src/api/app-env.ts";
import { createApp } from "../../../src/api/app.ts";
import { parseConfig } from "../../../src/config.ts";
import { ASSET_CACHE, PAGE_CACHE } from "../../../src/api/routes/pages.tsx";
import { STYLESHEET_URL } from "../../../src/page/styles.ts";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { refreshDayHistory } from "../../../src/status/refresh-day-history.ts";
import { readStatusBoard } from "../../../src/queries/page.ts";
import { boardRow } from "../../../src/page/status-board.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { D1IncidentStore } from "../../../src/storage/incident-store.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { D1ReleaseStore } from "../../../src/storage/release-store.ts";
import { D1TokenStore } from "../../../src/storage/token-store.ts";
import { D1HeartbeatStore } from "../../../src/storage/heartbeat-store.ts";
import { fetchWorker } from "../support/fetch-worker.ts";
import { setFault, tick } from "../support/network.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const base = Math.floor(Date.now() / MINUTE) * MINUTE;

/** `work` done again (up to 3 times) until it started and ended in the same clock minute. */
async function withinOneMinute<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const minute = Math.floor(Date.now() / MINUTE);
    const result = await work();
    if (Math.floor(Date.now() / MINUTE) === minute || attempt === 3) return result;
  }
}

// The edge cache off (PUBLIC_CACHE_SECONDS=0): these tests see each render; test/worker/api/edge-cache.test.ts tests the cache.
const get = (path: string, headers: Record<string, string> = {}) =>
  fetchWorker(`http://afterlife.test${path}`, { headers });

beforeAll(async () => {
  await setFault(null);
  await tick(base - 2 * MINUTE);
  await tick(base - MINUTE);
});

describe("through the Worker", () => {
  it("serves the status page with the security and cache headers, and a policy that allows its one script by its hash", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(res.headers.get("cache-control")).toBe(PAGE_CACHE);
    expect(res.headers.get("etag")).toMatch(/^W\/"[0-9a-f]{16}"$/);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=31536000/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("style-src 'self'");
    const hash = /script-src 'sha256-([A-Za-z0-9+/]{43}=)'/.exec(csp)?.[1];
    expect(hash).toBeTruthy();
    expect(csp).not.toContain("nonce-");
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true);
    expect(html).toContain(`<link rel="stylesheet" href="${STYLESHEET_URL}"/>`);
    expect(html).not.toContain("nonce");
    // The hash in the policy is the SHA-256 of the script exactly as the page carries it.
    const script = /<script>([^<]*)<\/script>/.exec(html)![1]!;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script)));
    expect(btoa(String.fromCharCode(...digest))).toBe(hash);
    expect(html).toContain('data-probe="shop-checkout"');
    expect(html).toContain('id="overall">All systems operational<');
  });

  it("serves the stylesheet for a year, and revalidates it and the feed with 304s", async () => {
    const css = await get(STYLESHEET_URL);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("cache-control")).toBe(ASSET_CACHE);
    expect(await css.text()).toContain("prefers-color-scheme:dark");
    const again = await get(STYLESHEET_URL, { "if-none-match": css.headers.get("etag")! });
    expect(again.status).toBe(304);

    const feed = await get("/feed.atom");
    expect(feed.status).toBe(200);
    expect(feed.headers.get("content-type")).toBe("application/atom+xml; charset=utf-8");
    expect(feed.headers.get("cache-control")).toBe(PAGE_CACHE);
    const cached = await get("/feed.atom", { "if-none-match": feed.headers.get("etag")! });
    expect(cached.status).toBe(304);
  });

  it("revalidates the pages with 304s while they show the same thing, serves the same bytes to every reader, and sends no policy with a 304", async () => {
    for (const path of ["/", "/probes/shop-home", "/history"]) {
      // Pages are as of the current minute: take both within one (a minute boundary between them changes today's counts).
      const [first, second, cached] = await withinOneMinute(async () => {
        const one = await get(path);
        return [one, await get(path), await get(path, { "if-none-match": `"other", ${one.headers.get("etag")}` })];
      });
      expect(first.status, path).toBe(200);
      const etag = first.headers.get("etag")!;
      expect(etag, path).toMatch(/^W\/"[0-9a-f]{16}"$/);
      expect(second.headers.get("etag"), path).toBe(etag);
      // Byte-stable: two renders of the same view are the same bytes (no per-response nonce).
      expect(await first.text(), path).toBe(await second.text());

      expect(cached.status, path).toBe(304);
      expect(await cached.text(), path).toBe("");
      expect(cached.headers.get("etag"), path).toBe(etag);
      expect(cached.headers.get("cache-control"), path).toBe(PAGE_CACHE);
      expect(cached.headers.get("content-security-policy"), path).toBeNull();
      expect((await get(path, { "if-none-match": '"something-else"' })).status, path).toBe(200);
    }
  });

  it("changes a page's ETag when what it shows changes", async () => {
    const before = (await get("/")).headers.get("etag");
    const probeBefore = (await get("/probes/shop-home")).headers.get("etag");
    await tick(base - 30 * MINUTE); // more runs today (the newest runs stay those of base - 1 min)
    const after = await get("/", { "if-none-match": before! });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(before);
    expect((await get("/probes/shop-home", { "if-none-match": probeBefore! })).status).toBe(200);
  });

  it("serves a component's page per range, and problems for unknown ids and bad input", async () => {
    for (const range of ["", "?range=24h", "?range=7d", "?range=30d"]) {
      const res = await get(`/probes/shop-home${range}`);
      expect(res.status, range).toBe(200);
      const html = await res.text();
      expect(html).toContain("<h1>Storefront</h1>");
      expect(html).toContain('<svg class="plot"');
      expect(html).toContain(
        `aria-current="page">${range.includes("7d") ? "7 days" : range.includes("30d") ? "30 days" : "24 hours"}<`,
      );
    }
    const missing = await get("/probes/no-such-probe");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("application/problem+json");
    for (const bad of ["/probes/Not%20An%20Id", "/probes/shop-home?range=1y"]) {
      const res = await get(bad);
      expect(res.status, bad).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });

  it("shows the checkout journey down, with its failure in the recent failures, once the cart fails", async () => {
    await setFault({ path: "/api/cart", status: 503 });
    try {
      await tick(base);
    } finally {
      await setFault(null);
    }
    const page = await (await get("/")).text();
    expect(page).toContain('id="overall">Partial outage<');
    expect(page).toMatch(/data-probe="shop-checkout".*?data-state="down"/);
    const detail = await (await get("/probes/shop-checkout")).text();
    expect(detail).toMatch(/<ul class="failures"[^>]*><li>.*Unexpected HTTP status/);
    expect(detail).not.toContain("Step “read cart”"); // the evidence is off by default
  });

  it("serves the history page and the API reference with the same layout", async () => {
    for (const path of ["/history", "/api/docs"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain(`<link rel="stylesheet" href="${STYLESHEET_URL}"`);
    }
  });
});

// ---------------------------------------------------------------- with deps of our own

interface Tally {
  batches: number;
  statements: number;
}

/** env.DB, counting every batch and statement. */
function countingDb(tally: Tally): D1Database {
  const db = env.DB;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          tally.batches++;
          tally.statements += statements.length;
          return target.batch(statements);
        };
      }
      if (prop === "prepare") {
        return (sql: string) => {
          const statement = target.prepare(sql);
          const wrap = (s: D1PreparedStatement): D1PreparedStatement =>
            new Proxy(s, {
              get(t, p) {
                if (p === "bind") return (...values: unknown[]) => wrap(t.bind(...values));
                if (p === "all" || p === "first" || p === "run" || p === "raw") {
                  return (...a: unknown[]) => {
                    tally.batches++;
                    tally.statements++;
                    return (t[p] as (...x: unknown[]) => unknown)(...a);
                  };
                }
                const v: unknown = Reflect.get(t, p, t);
                return typeof v === "function" ? v.bind(t) : v;
              },
            });
          return wrap(statement);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function probe(id: string, extra: Record<string, unknown> = {}) {
  return {
    file: `probes/${id}.ts`,
    definition: {
      id,
      name: `Probe ${id}`,
      group: "Team",
      regions: ["weur", "enam", "apac"],
      schedule: "1h",
      steps: [{ name: "s", url: "http://x.test/" }],
      ...extra,
    },
  };
}

function ownProbes(): LoadedProbe[] {
  return loadRegistry([
    probe("short-history"),
    probe("long-history"),
    probe("secret", { public: false }),
    probe("other", { group: "Elsewhere" }),
  ]);
}

function run(probeId: string, region: string, slotAt: number, down = false): RunResult {
  return runResult(probeId, region, slotAt, {
    durationMs: 120,
    ...(down ? { status: "down", failure: { class: "timeout", step: "s", message: "timed out" } } : {}),
  });
}

function app(probes: readonly LoadedProbe[], tally: Tally, values: Record<string, string> = {}, version = "version-1") {
  const store = new D1RunStore(countingDb(tally));
  const config = parseConfig({ ...env, PUBLIC_CACHE_SECONDS: "0", ...values } as never);
  const deps: AppDeps = {
    config,
    probes,
    store,
    dayHistory: new D1DayHistoryStore(countingDb(tally)),
    tokens: new D1TokenStore(env.DB),
    ...incidentStores(countingDb(tally)),
    heartbeats: new D1HeartbeatStore(env.DB),
    releases: new D1ReleaseStore(countingDb(tally)),
    rateLimits: {
      publicReads: env.PUBLIC_RATE_LIMIT,
      writes: env.WRITE_RATE_LIMIT,
      heartbeats: env.HEARTBEAT_RATE_LIMIT,
    },
    version,
    runNow: () => Promise.reject(new Error("not in this test")),
    now: () => base,
  };
  const hono = createApp();
  return (path: string, headers: Record<string, string> = {}) =>
    hono.request(`http://afterlife.test${path}`, { headers }, { deps });
}

describe("a fixed number of D1 batches per render", () => {
  const probes = ownProbes();

  beforeAll(async () => {
    const store = new D1RunStore(env.DB);
    const runs: RunResult[] = [];
    for (const region of ["weur", "enam", "apac"]) {
      for (let h = 1; h <= 48; h++) runs.push(run("short-history", region, base - h * 3_600_000, h === 5));
      for (let d = 0; d < 89; d++)
        for (const h of [1, 9, 17])
          runs.push(run("long-history", region, base - d * DAY - h * 3_600_000, d % 7 === 3 && h === 9));
    }
    for (let i = 0; i < runs.length; i += 200) await store.saveRuns(runs.slice(i, i + 200));
  });

  it("renders the status page in one statement from the tick's status board whatever the number of probes, and the same page without a board", async () => {
    const more = loadRegistry(Array.from({ length: 40 }, (_, i) => probe(`many-${i}`)));
    for (const shown of [probes, more]) {
      await env.DB.prepare("DELETE FROM status_board").run();
      const cold = { batches: 0, statements: 0 };
      const coldHtml = await (await app(shown, cold)("/")).text();
      // The board and the notices (incidents, their updates, maintenance), packed into one
      // statement; no board, so the page builds one: newest runs, day histories, today's daily rollups and its blocks never
      // sealed yet; then the days without a history, from the daily rollups.
      expect(cold).toEqual({ batches: 3, statements: 6 });

      const histories = new D1DayHistoryStore(env.DB);
      await refreshDayHistory({
        probes: shown,
        histories,
        runs: new D1RunStore(env.DB),
        now: base,
        limit: shown.length,
      });
      const noBoard = { batches: 0, statements: 0 };
      expect(await (await app(shown, noBoard)("/")).text()).toBe(coldHtml);
      expect(noBoard).toEqual({ batches: 2, statements: 5 });

      await histories.saveBoard(
        boardRow(await readStatusBoard({ probes: shown, runs: new D1RunStore(env.DB), dayHistory: histories }, base)),
      );
      const warm = { batches: 0, statements: 0 };
      const html = await (await app(shown, warm)("/")).text();
      expect(warm).toEqual({ batches: 1, statements: 1 });
      expect(html).toBe(coldHtml);
      expect(html.match(/data-probe="/g)).toHaveLength(shown.filter((p) => p.probe.public).length);

      // A page that shows fewer probes than the board holds (a deploy removed one, STATUS_PAGE
      // hides one) still reads the board alone, and leaves them out.
      const hidden = shown[0]!.probe.id;
      const fewer = { batches: 0, statements: 0 };
      expect(await (await app(shown.slice(1), fewer)("/")).text()).not.toContain(`data-probe="${hidden}"`);
      const hiding = { batches: 0, statements: 0 };
      const hidingHtml = await (
        await app(shown, hiding, { STATUS_PAGE: JSON.stringify({ hiddenProbes: [hidden] }) })("/")
      ).text();
      expect(hidingHtml).not.toContain(`data-probe="${hidden}"`);
      expect([fewer, hiding]).toEqual([
        { batches: 1, statements: 1 },
        { batches: 1, statements: 1 },
      ]);
      // A probe whose figures mean something else now (a deploy changed its objective) is not on
      // this board: the page builds its own.
      const changed = shown.map((p, i) =>
        i === 0 ? { ...p, probe: { ...p.probe, slo: { ...p.probe.slo, availability: 0.5 } } } : p,
      );
      const other = { batches: 0, statements: 0 };
      expect((await app(changed, other)("/")).status).toBe(200);
      expect(other.batches).toBe(2);
    }
  });

  it("renders a component's page in the same number of batches for 2 days or 89 days of history", async () => {
    const short = { batches: 0, statements: 0 };
    const long = { batches: 0, statements: 0 };
    expect((await app(probes, short)("/probes/short-history")).status).toBe(200);
    expect((await app(probes, long)("/probes/long-history")).status).toBe(200);
    // One batch: newest runs, notices, rollups and the SLO report's reads; then one with a small
    // read per failure cell found (both histories have failed runs).
    expect(short).toMatchObject({ batches: 2 });
    expect(long).toMatchObject({ batches: 2 });
    expect(long.statements).toBeLessThanOrEqual(short.statements + 5);
    const html = await (await app(probes, { batches: 0, statements: 0 })("/probes/long-history")).text();
    expect(html.match(/<li><time/g)?.length).toBeGreaterThan(0);
  });

  it("gives the same page a new ETag in a new release, and a new ETag when an incident opens", async () => {
    const tally = { batches: 0, statements: 0 };
    for (const path of ["/", "/history", "/probes/long-history"]) {
      const etag = (await app(probes, tally)(path)).headers.get("etag")!;
      expect((await app(probes, tally)(path, { "if-none-match": etag })).status, path).toBe(304);
      const released = await app(probes, tally, {}, "version-2")(path, { "if-none-match": etag });
      expect(released.status, path).toBe(200);
      expect(released.headers.get("etag"), path).not.toBe(etag);
    }

    const before = {
      home: (await app(probes, tally)("/")).headers.get("etag")!,
      history: (await app(probes, tally)("/history")).headers.get("etag")!,
    };
    const incidents = new D1IncidentStore(env.DB);
    const incident = {
      id: "etag-incident",
      kind: "manual" as const,
      title: "Slow checkout",
      impact: "minor" as const,
      status: "investigating" as const,
      probeIds: ["long-history"],
      regions: [],
      startedAt: base - 3_600_000,
      resolvedAt: null,
      createdAt: base - 3_600_000,
      updatedAt: base - 3_600_000,
      failure: null,
      public: true,
      updates: [{ id: "u1", status: "investigating" as const, body: "Looking into it.", createdAt: base - 3_600_000 }],
    };
    await env.DB.batch(incidents.insertIncidentStatements(incident));
    const opened = {
      home: (await app(probes, tally)("/")).headers.get("etag")!,
      history: (await app(probes, tally)("/history")).headers.get("etag")!,
    };
    expect(opened.home).not.toBe(before.home);
    expect(opened.history).not.toBe(before.history);
    await env.DB.batch([
      env.DB.prepare("DELETE FROM incident_updates WHERE incident_id = ?").bind(incident.id),
      env.DB.prepare("DELETE FROM incidents WHERE id = ?").bind(incident.id),
    ]);
  });

  it("keeps private, hidden and non-public-group probes off the page and answers 404 for them", async () => {
    const tally = { batches: 0, statements: 0 };
    const html = await (await app(probes, tally)("/")).text();
    expect(html).toContain('data-probe="short-history"');
    expect(html).not.toContain('data-probe="secret"');
    expect((await app(probes, tally)("/probes/secret")).status).toBe(404);

    const config = {
      STATUS_PAGE: JSON.stringify({ publicGroups: ["Team"], hiddenProbes: ["short-history"], title: "Team status" }),
    };
    const limited = await (await app(probes, tally, config)("/")).text();
    expect(limited).toContain("<title>Team status</title>");
    expect(limited).toContain('data-probe="long-history"');
    expect(limited).not.toContain('data-probe="short-history"');
    expect(limited).not.toContain('data-probe="other"');
    expect((await app(probes, tally, config)("/probes/other")).status).toBe(404);
    expect((await app(probes, tally, config)("/probes/short-history")).status).toBe(404);
  });

  afterEach(() => vi.restoreAllMocks());

  it("a broken STATUS_PAGE is a logged error naming the field, and a generic 500 for the reader", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await app(probes, { batches: 0, statements: 0 }, { STATUS_PAGE: '{"timeZone":"Mars/Olympus"}' })("/");
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.text()).not.toContain("Mars");
    expect(logged.mock.calls.flat().join(" ")).toContain("STATUS_PAGE.timeZone: an IANA time zone");
  });
});
