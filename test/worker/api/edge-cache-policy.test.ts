/** What the edge cache may keep and for how long: pure rules over a response's headers. */
import { describe, expect, it } from "vitest";
import { cacheDirectives, edgeLifetime, forStorage, fromStorage, notModified } from "../../../src/api/edge-cache-policy.ts";
import { PAGE_CACHE } from "../../../src/page/page-routes.tsx";

const response = (headers: Record<string, string>, status = 200) => new Response(status === 304 ? null : "body", { status, headers });

describe("edgeLifetime", () => {
  it.each([
    ["a page: its own max-age", { "cache-control": PAGE_CACHE }, 200, 15, 15],
    ["bounded by the setting", { "cache-control": "public, max-age=60, stale-while-revalidate=300" }, 200, 15, 15],
    ["its own max-age under the setting", { "cache-control": "public, max-age=10" }, 200, 60, 10],
    ["s-maxage before max-age", { "cache-control": "public, max-age=60, s-maxage=5" }, 200, 15, 5],
    ["the setting at 0: off", { "cache-control": PAGE_CACHE }, 200, 0, 0],
    ["no freshness of its own", {}, 200, 15, 0],
    ["max-age=0", { "cache-control": "public, max-age=0" }, 200, 15, 0],
    ["private", { "cache-control": "private, max-age=15" }, 200, 15, 0],
    ["no-store", { "cache-control": "no-store" }, 200, 15, 0],
    ["no-cache", { "cache-control": "no-cache, max-age=15" }, 200, 15, 0],
    ["Private, No-Store in capitals", { "cache-control": "Private, No-Store" }, 200, 15, 0],
    ["a cookie set", { "cache-control": PAGE_CACHE, "set-cookie": "a=b" }, 200, 15, 0],
    ["Vary: Authorization (only anonymous GETs are kept)", { "cache-control": PAGE_CACHE, vary: "Authorization" }, 200, 15, 15],
    ["Vary: Accept-Encoding", { "cache-control": PAGE_CACHE, vary: "accept-encoding" }, 200, 15, 15],
    ["Vary: Origin (not in the key)", { "cache-control": PAGE_CACHE, vary: "Authorization, Origin" }, 200, 15, 0],
    ["Vary: *", { "cache-control": PAGE_CACHE, vary: "*" }, 200, 15, 0],
    ["a 404", { "cache-control": PAGE_CACHE }, 404, 15, 0],
    ["a 500", { "cache-control": PAGE_CACHE }, 500, 15, 0],
    ["a 304", { "cache-control": PAGE_CACHE }, 304, 15, 0],
  ])("%s", (_name, headers, status, limit, expected) => {
    expect(edgeLifetime(response(headers, status), limit)).toBe(expected);
  });
});

describe("a stored copy", () => {
  it("is kept for the decided seconds alone, and reaches readers with the answer's own Cache-Control", async () => {
    const stored = forStorage(response({ "cache-control": PAGE_CACHE, etag: 'W/"a"' }), 15);
    expect(cacheDirectives(stored.headers.get("cache-control"))).toEqual(new Map([["public", ""], ["max-age", "15"]]));
    const served = fromStorage(stored);
    expect(served.headers.get("cache-control")).toBe(PAGE_CACHE);
    expect([...served.headers.keys()].sort()).toEqual(["cache-control", "content-type", "etag"]);
    expect(await served.text()).toBe("body");
  });

  it("becomes a 304 with its validators and security headers, without its body headers or its CSP", async () => {
    const res = notModified(response({ "cache-control": PAGE_CACHE, etag: 'W/"a"', "content-security-policy": "default-src 'none'", "strict-transport-security": "max-age=31536000", "content-length": "4" }));
    expect(res.status).toBe(304);
    expect(Object.fromEntries(res.headers)).toEqual({ "cache-control": PAGE_CACHE, etag: 'W/"a"', "strict-transport-security": "max-age=31536000" });
    expect(await res.text()).toBe("");
  });
});
