/**
 * Finding 10 of issue 13: bodies that hono's own validator rejects (malformed JSON, an empty
 * body, a NUL byte, a non-JSON content type) reach the one onError and come back as a 4xx
 * problem naming the body, never a 500.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../support/tokens.ts";

const routes: [string, string][] = [
  ["POST", "/api/v1/incidents"],
  ["PATCH", "/api/v1/incidents/inc-unknown"],
  ["POST", "/api/v1/incidents/inc-unknown/updates"],
  ["POST", "/api/v1/maintenances"],
];

// One token per route: the write rate limit (30 a minute per token) must not answer first.
const tokens = new Map<string, string>();
beforeAll(async () => {
  for (const [method, path] of routes)
    tokens.set(method + path, await createToken(`writer${tokens.size}`, ["write", "read"]));
});

const bodies: [string, string | undefined, string | undefined][] = [
  ["malformed JSON", '{"title": ', "application/json"],
  ["an empty body", "", "application/json"],
  ["no body at all", undefined, "application/json"],
  ["a NUL byte", "\u0000", "application/json"],
  ["a NUL byte inside JSON", '{"title":"a\u0000b"', "application/json"],
  ["a non-JSON content type", '{"title":"x"}', "text/plain"],
  ["a form body", "title=x", "application/x-www-form-urlencoded"],
  ["no content type", '{"title":"x"}', undefined],
];

describe("bad request bodies on write routes", () => {
  for (const [method, path] of routes) {
    it.each(bodies)(`${method} ${path} with %s answers a 4xx problem`, async (_name, body, contentType) => {
      const headers: Record<string, string> = { authorization: `Bearer ${tokens.get(method + path)}` };
      if (contentType) headers["content-type"] = contentType;
      const res = await exports.default.fetch(`http://afterlife.test${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const problem = (await res.json()) as {
        status: number;
        title: string;
        invalidParams?: { name: string; reason: string }[];
      };
      expect(res.status, JSON.stringify(problem)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(problem.status).toBe(res.status);
      expect(problem.invalidParams?.[0]?.name).toMatch(/^(json|header\.content-type)$/);
    });
  }
});
