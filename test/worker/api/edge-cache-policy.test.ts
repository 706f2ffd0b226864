/** What the edge cache may keep and for how long: pure rules over a response's headers and the clock. */
import { describe, expect, it } from "vitest";
import {
  cacheDirectives,
  edgeLifetime,
  forStorage,
  fromStorage,
  isStale,
  MAX_STALE_SECONDS,
  notModified,
} from "../../../src/api/edge-cache-policy.ts";
import { PAGE_CACHE } from "../../../src/api/routes/pages.tsx";

const response = (headers: Record<string, string>, status = 200) =>
  new Response(status === 304 ? null : "body", { status, headers });
/** 12:00:10 UTC: 50 s left in the minute. */
const NOW = Date.UTC(2026, 10, 20, 12, 0, 10);
const MINUTE_END = Date.UTC(2026, 10, 20, 12, 1, 0);

describe("edgeLifetime", () => {
  it.each([
    [
      "a page: fresh to the end of the minute (its s-maxage is 60)",
      { "cache-control": PAGE_CACHE },
      200,
      60,
      MINUTE_END,
    ],
    [
      "bounded by the setting",
      { "cache-control": "public, max-age=60, stale-while-revalidate=300" },
      200,
      15,
      NOW + 15_000,
    ],
    ["its own max-age under the setting", { "cache-control": "public, max-age=10" }, 200, 60, NOW + 10_000],
    ["s-maxage before max-age", { "cache-control": "public, max-age=60, s-maxage=5" }, 200, 15, NOW + 5_000],
    [
      "never past the end of the minute, whatever the setting",
      { "cache-control": "public, max-age=300" },
      200,
      300,
      MINUTE_END,
    ],
    ["the setting at 0: off", { "cache-control": PAGE_CACHE }, 200, 0, null],
    ["no freshness of its own", {}, 200, 60, null],
    ["max-age=0", { "cache-control": "public, max-age=0" }, 200, 60, null],
    ["private", { "cache-control": "private, max-age=15" }, 200, 60, null],
    ["no-store", { "cache-control": "no-store" }, 200, 60, null],
    ["no-cache", { "cache-control": "no-cache, max-age=15" }, 200, 60, null],
    ["Private, No-Store in capitals", { "cache-control": "Private, No-Store" }, 200, 60, null],
    ["a cookie set", { "cache-control": PAGE_CACHE, "set-cookie": "a=b" }, 200, 60, null],
    [
      "Vary: Authorization (only anonymous GETs are kept)",
      { "cache-control": PAGE_CACHE, vary: "Authorization" },
      200,
      60,
      MINUTE_END,
    ],
    ["Vary: Accept-Encoding", { "cache-control": PAGE_CACHE, vary: "accept-encoding" }, 200, 60, MINUTE_END],
    ["Vary: Origin (not in the key)", { "cache-control": PAGE_CACHE, vary: "Authorization, Origin" }, 200, 60, null],
    ["Vary: *", { "cache-control": PAGE_CACHE, vary: "*" }, 200, 60, null],
    ["a 404", { "cache-control": PAGE_CACHE }, 404, 60, null],
    ["a 500", { "cache-control": PAGE_CACHE }, 500, 60, null],
    ["a 304", { "cache-control": PAGE_CACHE }, 304, 60, null],
  ])("%s", (_name, headers, status, limit, freshUntil) => {
    expect(edgeLifetime(response(headers, status), limit, NOW)?.freshUntil ?? null).toBe(freshUntil);
  });

  it("serves a copy stale for its stale-while-revalidate, at most a minute, and not at all without one", () => {
    expect(edgeLifetime(response({ "cache-control": PAGE_CACHE }), 60, NOW)?.staleSeconds).toBe(60);
    expect(
      edgeLifetime(response({ "cache-control": "public, max-age=60, stale-while-revalidate=300" }), 60, NOW)
        ?.staleSeconds,
    ).toBe(MAX_STALE_SECONDS);
    expect(edgeLifetime(response({ "cache-control": "public, max-age=60" }), 60, NOW)?.staleSeconds).toBe(0);
  });

  it("turns every copy rendered within a minute stale at the same moment, the minute's end", () => {
    for (const second of [0, 1, 30, 59]) {
      const at = Date.UTC(2026, 10, 20, 12, 0, second, 500);
      expect(edgeLifetime(response({ "cache-control": PAGE_CACHE }), 60, at)?.freshUntil).toBe(MINUTE_END);
    }
  });
});

describe("a stored copy", () => {
  it("is kept while fresh and stale, knows when it turns stale, and reaches readers with the answer's own Cache-Control", async () => {
    const stored = forStorage(
      response({ "cache-control": PAGE_CACHE, etag: 'W/"a"' }),
      { freshUntil: MINUTE_END, staleSeconds: 60 },
      NOW,
    );
    expect(cacheDirectives(stored.headers.get("cache-control"))).toEqual(
      new Map([
        ["public", ""],
        ["max-age", "110"],
      ]),
    );
    expect(isStale(stored, NOW)).toBe(false);
    expect(isStale(stored, MINUTE_END - 1)).toBe(false);
    expect(isStale(stored, MINUTE_END)).toBe(true);
    const served = fromStorage(stored);
    expect(served.headers.get("cache-control")).toBe(PAGE_CACHE);
    expect([...served.headers.keys()].sort()).toEqual(["cache-control", "content-type", "etag"]);
    expect(await served.text()).toBe("body");
  });

  it("becomes a 304 with its validators and security headers, without its body headers or its CSP", async () => {
    const res = notModified(
      response({
        "cache-control": PAGE_CACHE,
        etag: 'W/"a"',
        "content-security-policy": "default-src 'none'",
        "strict-transport-security": "max-age=31536000",
        "content-length": "4",
      }),
    );
    expect(res.status).toBe(304);
    expect(Object.fromEntries(res.headers)).toEqual({
      "cache-control": PAGE_CACHE,
      etag: 'W/"a"',
      "strict-transport-security": "max-age=31536000",
    });
    expect(await res.text()).toBe("");
  });
});
