/** Write routes: bearer tokens (hash-only storage, scopes, revocation), no CORS, rate limits. */
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { generateToken } from "../../../src/auth/api-token.ts";
import { insertTokenSql } from "../../../src/storage/token-store.ts";
import { storedRuns } from "../support/network.ts";

const tokens: Record<"write" | "read" | "revoked", string> = { write: "", read: "", revoked: "" };

async function createToken(name: string, scopes: ("read" | "write")[], revoked = false): Promise<string> {
  const token = await generateToken();
  await env.DB.prepare(
    insertTokenSql({ id: token.id, name, scopes, secretHash: token.secretHash, createdAt: Date.now() }),
  ).run();
  if (revoked)
    await env.DB.prepare("UPDATE api_tokens SET revoked_at = ? WHERE id = ?").bind(Date.now(), token.id).run();
  return token.token;
}

const runNow = (init: RequestInit = {}, path = "/api/v1/probes/shop-home/run") =>
  exports.default.fetch(`http://afterlife.test${path}`, { method: "POST", ...init });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  tokens.write = await createToken("writer", ["write"]);
  tokens.read = await createToken("reader", ["read"]);
  tokens.revoked = await createToken("old", ["write"], true);
});

describe("write routes", () => {
  it("run a probe now with a write token, returning the run without storing it", async () => {
    const before = (await storedRuns()).length;
    const res = await runNow({ headers: bearer(tokens.write) }, "/api/v1/probes/shop-home/run?region=apac");
    expect(res.status).toBe(200);
    const run = (await res.json()) as { status: string; region: string; steps: unknown[] };
    expect([run.status, run.region, run.steps.length]).toEqual(["up", "apac", 2]);
    expect((await storedRuns()).length).toBe(before);
  });

  it.each([
    ["no token", {}, 401],
    ["not an Afterlife token", bearer("abc"), 401],
    ["a wrong secret", { authorization: `Bearer ${"afl_XXXXXXXX_" + "a".repeat(32)}` }, 401],
    ["a revoked token", "revoked", 401],
    ["a read-only token", "read", 403],
  ] as const)("refuses %s", async (_name, headers, status) => {
    const res = await runNow({
      headers: typeof headers === "string" ? bearer(tokens[headers as keyof typeof tokens]) : headers,
    });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    if (status === 401) expect(res.headers.get("www-authenticate")).toBe('Bearer realm="afterlife"');
  });

  it("never accepts a token in the query string", async () => {
    const res = await runNow({}, `/api/v1/probes/shop-home/run?token=${tokens.write}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ invalidParams: [{ name: "query.token" }] });
  });

  it("names the bad field: unknown probe, region the probe does not use", async () => {
    expect((await runNow({ headers: bearer(tokens.write) }, "/api/v1/probes/nope/run")).status).toBe(404);
    const res = await runNow({ headers: bearer(tokens.write) }, "/api/v1/probes/shop-home/run?region=afr");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ invalidParams: [{ name: "query.region" }] });
  });

  it("sends no CORS headers on writes, even to a cross-origin caller", async () => {
    const res = await runNow({ headers: { ...bearer(tokens.write), origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await exports.default.fetch("http://afterlife.test/api/v1/probes/shop-home/run", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-methods") ?? "").not.toContain("POST");
    const read = await exports.default.fetch("http://afterlife.test/api/v1/status", {
      headers: { origin: "https://any.example" },
    });
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("rate-limits writes per token with a 429 and Retry-After", async () => {
    const token = await createToken("busy", ["write"]);
    const statuses: number[] = [];
    // 30 writes a minute: the limiter's window may turn once during the loop, so at most 59 get through.
    for (let i = 0; i < 100 && !statuses.includes(429); i++) {
      const res = await runNow({ headers: bearer(token) }, "/api/v1/probes/nope/run");
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get("retry-after")).toBe("60");
    }
    const passed = statuses.filter((s) => s === 404).length;
    expect(passed).toBeGreaterThanOrEqual(30);
    expect(passed).toBeLessThanOrEqual(59);
    expect(statuses.at(-1)).toBe(429);
  });

  it.each(["bearer", "BEARER", "BeArEr"])("matches the scheme %s case-insensitively (RFC 9110)", async (scheme) => {
    const res = await runNow({ headers: { authorization: `${scheme} ${tokens.write}` } }, "/api/v1/probes/nope/run");
    expect(res.status).toBe(404);
  });
});

describe("responses to a token holder (issue 13, finding 7)", () => {
  const read = (path: string, headers: Record<string, string> = {}) =>
    exports.default.fetch(`http://afterlife.test${path}`, { headers: { origin: "https://any.example", ...headers } });

  it.each(["/api/v1/outbox", "/api/v1/status", "/api/v1/incidents", "/"])(
    "%s with a token is private, uncacheable, without CORS, and varies by Authorization",
    async (path) => {
      const res = await read(path, bearer(tokens.read));
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
      expect(res.headers.get("vary") ?? "").toMatch(/\bAuthorization\b/i);
    },
  );

  it("a public read without a token stays public and also varies by Authorization", async () => {
    const res = await read("/api/v1/status");
    expect(res.headers.get("cache-control")).toBe("public, max-age=15, s-maxage=60, stale-while-revalidate=60");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("vary") ?? "").toMatch(/\bAuthorization\b/i);
  });
});
