/**
 * Every documented endpoint, fed generated bad input (path parameters, query strings, bodies,
 * headers): never a 5xx, and every error is application/problem+json.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createToken } from "../support/tokens.ts";

// Valid write tokens, so bad input also reaches the handlers behind the auth guard. Several,
// so the per-token write rate limit (30 a minute) does not answer in their place.
const writeTokens: string[] = [];
beforeAll(async () => {
  for (let i = 0; i < 20; i++) writeTokens.push(await createToken(`fuzz${i}`, ["write", "read"]));
});

interface Operation {
  method: string;
  path: string;
}

async function operations(): Promise<Operation[]> {
  const doc = (await (await exports.default.fetch("http://afterlife.test/api/openapi.json")).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
  );
}

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    "",
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "../../etc/passwd",
    "%00",
    "%ff%fe",
    "<script>",
    "' OR 1=1 --",
    "a".repeat(5000),
    "😀",
    "\u0000",
    "[]",
    "{}",
  ),
  fc.integer().map(String),
  fc.double().map(String),
);

const queryArb = fc.dictionary(
  fc.constantFrom(
    "probe",
    "region",
    "status",
    "from",
    "to",
    "cursor",
    "limit",
    "window",
    "group",
    "step",
    "token",
    "x",
  ),
  nasty,
  { maxKeys: 4 },
);
const bodyArb = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json().map((j) => j),
  nasty,
  fc.constantFrom('{"title": ', "\u0000", '{"a":"\u0000"}', '{"startsAt":8640000000000001}'),
);
const headersArb = fc.record({
  authorization: fc.oneof(
    fc.nat({ max: 19 }).map((i) => `Bearer ${writeTokens[i]}`),
    fc.nat({ max: 19 }).map((i) => `bearer ${writeTokens[i]}`),
    fc.constant(undefined),
    fc.constant("Bearer afl_AAAAAAAA_" + "b".repeat(32)),
    fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
    fc.string({ maxLength: 30 }),
  ),
  "content-type": fc.constantFrom(
    undefined,
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "garbage/x;;==",
  ),
});

function fill(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, () => encodeURIComponent(value));
}

describe("fuzzing every endpoint", () => {
  it("never answers 5xx, and errors are problem+json", async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(5);
    let ip = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops),
        nasty,
        queryArb,
        bodyArb,
        headersArb,
        async (op, param, query, body, headers) => {
          const url = new URL(`http://afterlife.test${fill(op.path, param)}`);
          for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
          const init: RequestInit = {
            method: op.method,
            headers: Object.fromEntries(
              Object.entries({ ...headers, "cf-connecting-ip": `10.0.${(ip >> 8) & 255}.${ip++ & 255}` }).filter(
                ([, v]) => v !== undefined,
              ),
            ) as Record<string, string>,
          };
          if (op.method !== "GET" && op.method !== "HEAD" && body !== undefined)
            init.body = typeof body === "string" ? body : JSON.stringify(body);
          const res = await exports.default.fetch(url.toString(), init);
          const text = await res.text();
          expect(
            res.status,
            `${op.method} ${url.pathname}${url.search} -> ${res.status} ${text.slice(0, 200)}`,
          ).toBeLessThan(500);
          if (res.status >= 400)
            expect(res.headers.get("content-type"), `${op.method} ${url}`).toBe("application/problem+json");
        },
      ),
      { numRuns: 600 },
    );
    // 600 requests: a busy machine takes longer than the default 5 s, which says nothing about the answers.
  }, 120_000);
});
