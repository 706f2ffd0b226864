import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractValue } from "../../../src/probe/extract.ts";
import type { Extracted } from "../../../src/probe/extract.ts";
import type { ObservedResponse } from "../../../src/probe/observed-response.ts";
import type { Extractor } from "../../../src/probe/schema.ts";

function response(init: { headers?: HeadersInit; body?: string } = {}): ObservedResponse {
  const body = init.body ?? "";
  return { status: 200, headers: new Headers(init.headers ?? {}), bodyText: body, bodyBytes: body.length, totalMs: 1 };
}

const ok = (value: string): Extracted => ({ ok: true, value });
const err = (error: string): Extracted => ({ ok: false, error });

describe("json", () => {
  const r = response({
    body: JSON.stringify({
      token: "abc.def",
      id: 42,
      ratio: 0.5,
      active: true,
      none: null,
      user: { name: "Ada", roles: ["admin"] },
      items: [{ id: "x" }, { id: "y" }],
      quoted: '"q"',
    }),
  });
  const json = (path: string): Extractor => ({ from: "json", path });

  it.each<[string, Extracted]>([
    ["$.token", ok("abc.def")],
    ["$.quoted", ok('"q"')],
    ["$.id", ok("42")],
    ["$.ratio", ok("0.5")],
    ["$.active", ok("true")],
    ["$.none", ok("null")],
    ["$.user", ok('{"name":"Ada","roles":["admin"]}')],
    ["$.user.roles", ok('["admin"]')],
    ["$.user.roles[0]", ok("admin")],
    ["$.items[*].id", ok("x")],
    ["$..id", ok("42")],
    ["$.items[-1].id", ok("y")],
    ["$.items.length", ok("2")],
    ["$.missing", err("no match for $.missing in the JSON body")],
    ["$.items[5].id", err("no match for $.items[5].id in the JSON body")],
    ["$..nothing", err("no match for $..nothing in the JSON body")],
    [
      "$.items[",
      err(
        `invalid JSONPath "$.items[" at position 8: expected a quoted name, '*', a number, ':' or '?', found the end of the path`,
      ),
    ],
  ])("%s", (path, expected) => {
    expect(extractValue(json(path), r)).toEqual(expected);
  });

  it("says why a non-JSON body cannot be read", () => {
    const result = extractValue(json("$.token"), response({ body: "<html>login</html>" }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^cannot read \$\.token: the body is not valid JSON \(.+\)$/);
  });

  it("says the body is empty", () => {
    expect(extractValue(json("$.token"), response({ body: "" }))).toEqual(
      err("cannot read $.token: the body is empty, not JSON"),
    );
  });

  it("round-trips any generated string value unchanged", () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        expect(extractValue(json("$.v"), response({ body: JSON.stringify({ v: value }) }))).toEqual(ok(value));
      }),
    );
  });

  it("gives any non-string value in a form JSON.parse reads back", () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => typeof v !== "string"),
        (value) => {
          const result = extractValue(json("$.v"), response({ body: JSON.stringify({ v: value }) }));
          expect(result.ok).toBe(true);
          expect(result.ok && JSON.parse(result.value)).toEqual(JSON.parse(JSON.stringify(value)));
        },
      ),
    );
  });
});

describe("header", () => {
  const r = response({ headers: { "X-Request-Id": "req-42", "Content-Type": "text/html" } });
  const header = (name: string): Extractor => ({ from: "header", name });

  it.each<[string, Extracted]>([
    ["x-request-id", ok("req-42")],
    ["X-REQUEST-ID", ok("req-42")],
    ["content-type", ok("text/html")],
    ["x-trace", err("no header named x-trace in the response (headers seen: content-type, x-request-id)")],
    ["bad name", err('"bad name" is not a valid header name')],
  ])("%s", (name, expected) => {
    expect(extractValue(header(name), r)).toEqual(expected);
  });

  it("returns an empty header value as it is", () => {
    expect(extractValue(header("x-empty"), response({ headers: { "x-empty": "" } }))).toEqual(ok(""));
  });

  it("says when there are no headers at all", () => {
    expect(extractValue(header("x-id"), response())).toEqual(
      err("no header named x-id in the response (headers seen: none)"),
    );
  });

  it("lists each header name once and at most 20", () => {
    const many = response({
      headers: [
        ...Array.from({ length: 25 }, (_, i) => [`x-h${String(i).padStart(2, "0")}`, "1"] as [string, string]),
        ["set-cookie", "a=1"],
        ["set-cookie", "b=2"],
      ],
    });
    const names = Array.from({ length: 20 }, (_, i) => `x-h${String(i).padStart(2, "0")}`).slice(0, 19);
    expect(extractValue(header("x-id"), many)).toEqual(
      err(`no header named x-id in the response (headers seen: set-cookie, ${names.join(", ")}, and 6 more)`),
    );
  });
});

describe("regex", () => {
  const r = response({ body: '<form><input name="csrf" value="tok-123"><input name="n" value="v"></form>' });
  const regex = (pattern: string, group = 1): Extractor => ({ from: "regex", pattern, group });

  it.each<[string, number, Extracted]>([
    ['name="csrf" value="([^"]+)"', 1, ok("tok-123")],
    ['value="([^"]+)"', 1, ok("tok-123")],
    ["tok-\\d+", 0, ok("tok-123")],
    ['name="(\\w+)" value="(\\w+)"', 2, ok("v")],
    ['name="csrf" value="([^"]*)"', 1, ok("tok-123")],
    ['value="(x*)tok', 1, ok("")],
    ['name="session" value="([^"]+)"', 1, err('no match for /name="session" value="([^"]+)"/ in the body')],
    ["tok-\\d+", 1, err("/tok-\\d+/ has no capture group 1 (it has 0; group 0 is the whole match)")],
    ["(tok)-(\\d+)", 3, err("/(tok)-(\\d+)/ has no capture group 3 (it has 2; group 0 is the whole match)")],
    ["(csrf)|(nope)", 2, err("capture group 2 of /(csrf)|(nope)/ did not take part in the match")],
    ["(unclosed", 1, err("Invalid regular expression: /(unclosed/: Unterminated group")],
  ])("/%s/ group %i", (pattern, group, expected) => {
    expect(extractValue(regex(pattern, group), r)).toEqual(expected);
  });
});

describe("cookie", () => {
  const cookie = (name: string): Extractor => ({ from: "cookie", name });
  const withCookies = (...cookies: string[]) =>
    response({ headers: cookies.map((c): [string, string] => ["set-cookie", c]) });
  const r = withCookies(
    "theme=dark; Path=/",
    "session=s3cr3t=; Path=/; HttpOnly; Secure; SameSite=Lax",
    " spaced = yes ; Max-Age=60",
    "flag",
  );

  it.each<[string, Extracted]>([
    ["session", ok("s3cr3t=")],
    ["theme", ok("dark")],
    ["spaced", ok("yes")],
    ["Session", err("no Set-Cookie named Session (cookies seen: theme, session, spaced, (no name))")],
    ["csrf", err("no Set-Cookie named csrf (cookies seen: theme, session, spaced, (no name))")],
  ])("%s", (name, expected) => {
    expect(extractValue(cookie(name), r)).toEqual(expected);
  });

  it("takes the last Set-Cookie for a name, as a browser would", () => {
    expect(extractValue(cookie("sid"), withCookies("sid=old; Path=/", "other=1", "sid=new; Path=/"))).toEqual(
      ok("new"),
    );
  });

  it("returns an emptied cookie as an empty value", () => {
    expect(extractValue(cookie("sid"), withCookies("sid=; Max-Age=0"))).toEqual(ok(""));
  });

  it("keeps a quoted value as sent", () => {
    expect(extractValue(cookie("sid"), withCookies('sid="abc"; Path=/'))).toEqual(ok('"abc"'));
  });

  it("does not read cookies from other headers", () => {
    expect(extractValue(cookie("sid"), response({ headers: { cookie: "sid=1", "x-set-cookie": "sid=2" } }))).toEqual(
      err("no Set-Cookie named sid (no Set-Cookie headers)"),
    );
  });

  it("finds any generated cookie among others", () => {
    const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,12}$/);
    const value = fc.stringMatching(/^[A-Za-z0-9!#$%&'()*+\-./:<=>?@[\]^_`{|}~]{0,20}$/);
    fc.assert(
      fc.property(token, value, fc.array(fc.tuple(token, value), { maxLength: 4 }), (name, v, others) => {
        const rest = others.filter(([n]) => n !== name).map(([n, ov]) => `${n}=${ov}; Path=/`);
        const result = extractValue(cookie(name), withCookies(...rest, `${name}=${v}; HttpOnly`));
        expect(result).toEqual(ok(v));
      }),
    );
  });
});
