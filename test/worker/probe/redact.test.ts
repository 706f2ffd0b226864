import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createRedactor,
  detectBodyKind,
  findSensitiveSpans,
  isSensitiveHeader,
  isSensitiveJsonKey,
  isSensitiveParam,
  REDACTION_MARKER,
  SENSITIVE_NAME,
  splitUrl,
} from "../../../src/probe/redact.ts";

const CANARY = "canary-secret-7f3a9c";

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("sensitive names", () => {
  it.each([
    "token",
    "X-CSRF-Token",
    "accessToken",
    "client_secret",
    "Password",
    "passwd",
    "apiKey",
    "api_key",
    "X-API-Key",
    "private_key",
    "aws_credentials",
    "sessionId",
    "X-Amz-Signature",
    "Cookie",
    "Authorization",
    "x-auth-token",
  ])("SENSITIVE_NAME matches %s", (name) => {
    expect(SENSITIVE_NAME.test(name)).toBe(true);
  });

  it.each([
    "content-type",
    "accept",
    "user-agent",
    "x-request-id",
    "name",
    "email",
    "page",
    "id",
    "code",
    "key",
    "pass",
  ])("SENSITIVE_NAME does not match %s", (name) => {
    expect(SENSITIVE_NAME.test(name)).toBe(false);
  });

  it("is not stateful (no g flag)", () => {
    expect(SENSITIVE_NAME.flags.includes("g")).toBe(false);
    expect([SENSITIVE_NAME.test("token"), SENSITIVE_NAME.test("token"), SENSITIVE_NAME.test("token")]).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("classifies headers, parameters and JSON keys", () => {
    for (const h of [
      "authorization",
      "Proxy-Authorization",
      "cookie",
      "set-cookie",
      "x-api-key",
      "api-key",
      "x-auth-token",
      "X-Session-Id",
    ]) {
      expect(isSensitiveHeader(h), h).toBe(true);
    }
    for (const h of ["content-type", "accept-encoding", "location", "x-afterlife-region"])
      expect(isSensitiveHeader(h), h).toBe(false);
    for (const p of [
      "token",
      "access_token",
      "id_token",
      "refresh_token",
      "api_key",
      "apikey",
      "key",
      "KEY",
      "secret",
      "password",
      "pass",
      "pwd",
      "signature",
      "sig",
      "auth",
      "code",
      "session",
      "client_secret",
    ]) {
      expect(isSensitiveParam(p), p).toBe(true);
    }
    for (const p of ["q", "page", "monkey", "sort", "lang", "keyword"]) expect(isSensitiveParam(p), p).toBe(false);
    for (const k of ["password", "pass", "pwd", "passwd", "passphrase", "refresh_token", "sessionToken"])
      expect(isSensitiveJsonKey(k), k).toBe(true);
    for (const k of ["code", "key", "id", "name", "passenger", "compass"]) expect(isSensitiveJsonKey(k), k).toBe(false);
  });
});

describe("text", () => {
  it("labels secrets by name and learned values by label", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    r.learn("tok-0123456789", "authToken");
    expect(r.text(`password ${CANARY} and token tok-0123456789, again ${CANARY}`)).toBe(
      "password [secret:SHOP_PASSWORD] and token [redacted:authToken], again [secret:SHOP_PASSWORD]",
    );
  });

  it("returns the input unchanged when nothing is known", () => {
    expect(createRedactor({}).text("nothing to hide here")).toBe("nothing to hide here");
  });

  it("replaces the longest value first", () => {
    const r = createRedactor({ SHORT: "abcd" });
    r.learn("abcdefgh", "long");
    expect(r.text("xabcdefghx abcdx")).toBe("x[redacted:long]x [secret:SHORT]x");
  });

  it("hides every character of overlapping values", () => {
    const r = createRedactor({ A: "abcdef", B: "defghi" });
    expect(r.text("1abcdefghi2")).toBe("1[secret:A]2");
    expect(r.text("defghi abcdef")).toBe("[secret:B] [secret:A]");
  });

  it("ignores learned values shorter than 4 characters, or blank", () => {
    const r = createRedactor({});
    r.learn("abc", "short");
    r.learn("    ", "blank");
    r.learn("  ab  ", "padded");
    r.learn("abcd", "ok");
    expect(r.text("abc    abcd")).toBe("abc    [redacted:ok]");
  });

  it("scrubs a secret of any non-blank length, but never an empty one", () => {
    const r = createRedactor({ PIN: "42", EMPTY: "", BLANK: "  " });
    expect(r.text("pin 42, 1420")).toBe("pin [secret:PIN], 1[secret:PIN]0");
  });

  it("gives the first secret name (sorted) when two secrets share a value", () => {
    const r = createRedactor({ ZED: "same-value", ALPHA: "same-value" });
    expect(r.text("same-value")).toBe("[secret:ALPHA]");
  });

  it("keeps a secret's label when the same value is learned later", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    r.learn(CANARY, "password");
    expect(r.text(CANARY)).toBe("[secret:SHOP_PASSWORD]");
  });

  it("scrubs the encoded forms a value takes on the wire", () => {
    const r = createRedactor({ PW: 'p@ss w"rd/é' });
    expect(r.text('raw p@ss w"rd/é')).toBe("raw [secret:PW]");
    expect(r.text("uri p%40ss%20w%22rd%2F%C3%A9")).toBe("uri [secret:PW]");
    expect(r.text("form p%40ss+w%22rd%2F%C3%A9")).toBe("form [secret:PW]");
    expect(r.text('json {"p":"p@ss w\\"rd/é"}')).toBe('json {"p":"[secret:PW]"}');
  });

  it("does not let a label and its neighbours spell the value again", () => {
    // "[secret:XY]" followed by "zz" contains "Y]zz", the secret itself: plain markers instead.
    const r = createRedactor({ XY: "Y]zz" });
    expect(r.text("Y]zzzz")).toBe("[redacted]zz");
  });

  it("drops labels that contain a known value", () => {
    // A learned "secret" is inside every "[secret:NAME]" label.
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    r.learn("secret", "password");
    expect(r.text(`${CANARY} and secret`)).toBe("[redacted] and [redacted]");
    r.learn("redacted", "weird");
    expect(r.text(`${CANARY} and secret`)).toBe("[hidden] and [hidden]");
  });

  it("deletes occurrences when no marker is safe", () => {
    const r = createRedactor({ A: "[hidden]" });
    r.learn("redacted", "x");
    expect(r.text("a [hidden] b redacted c")).toBe("a  b  c");
  });

  it("cleans brackets out of labels so markers stay parseable", () => {
    const r = createRedactor({});
    r.learn("value-1234", "items[0]");
    expect(r.text("a value-1234 b")).toBe("a [redacted:items0] b");
  });

  it("does not learn its own markers", () => {
    const r = createRedactor({});
    r.learn("[redacted]", "x");
    r.learn("[redacted:token]", "x");
    r.learn("[secret:NAME]", "x");
    expect(r.text("[redacted] [redacted:token] [secret:NAME]")).toBe("[redacted] [redacted:token] [secret:NAME]");
  });

  it("is idempotent", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    r.learn("tok-0123456789", "token");
    const once = r.text(`a ${CANARY} b tok-0123456789`);
    expect(r.text(once)).toBe(once);
  });

  it("never throws, even for lone surrogates", () => {
    const r = createRedactor({ S: "\ud800abcd" });
    r.learn("\udfffwxyz", "lone");
    expect(r.text("1\ud800abcd2\udfffwxyz3")).toBe("1[secret:S]2[redacted:lone]3");
  });
});

describe("headers", () => {
  it("redacts every sensitive header and passes the others through text()", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    const out = r.headers({
      Authorization: "Bearer abc.def.ghi",
      "Proxy-Authorization": "Basic dXNlcjpwYXNz",
      Cookie: "sid=0123456789abcdef; theme=dark",
      "Set-Cookie": "sid=fedcba9876543210; Path=/; HttpOnly",
      "X-API-Key": "key-123456",
      "api-key": "key-654321",
      "X-Auth-Token": "t-111111",
      "X-CSRF-Token": "csrf-222222",
      "X-Session-Id": "sess-333333",
      "X-Amz-Signature": "sig-444444",
      "Content-Type": "application/json",
      "X-Echo": `pw=${CANARY}`,
      Empty: "",
    });
    expect(out).toEqual({
      Authorization: "[redacted]",
      "Proxy-Authorization": "[redacted]",
      Cookie: "[redacted]",
      "Set-Cookie": "[redacted]",
      "X-API-Key": "[redacted]",
      "api-key": "[redacted]",
      "X-Auth-Token": "[redacted]",
      "X-CSRF-Token": "[redacted]",
      "X-Session-Id": "[redacted]",
      "X-Amz-Signature": "[redacted]",
      "Content-Type": "application/json",
      // "pass" (learned from the Basic credentials) is in the label, compared case-insensitively:
      // the label gives way to a plain marker rather than print a learned value.
      "X-Echo": "pw=[redacted]",
      Empty: "",
    });
  });

  it("learns what sensitive headers carry, before it scrubs the other headers", () => {
    const r = createRedactor({});
    const out = r.headers({
      referer: "https://app.example/cb?t=abc.def.ghi",
      authorization: "Bearer abc.def.ghi",
    });
    expect(out).toEqual({ referer: "https://app.example/cb?t=[redacted:authorization]", authorization: "[redacted]" });
    expect(r.text("echo Bearer abc.def.ghi and abc.def.ghi")).toBe(
      "echo [redacted:authorization] and [redacted:authorization]",
    );
  });

  it("learns the password inside Basic credentials", () => {
    const r = createRedactor({});
    r.headers({ Authorization: `Basic ${btoa("alice:wonder-land-42")}` });
    expect(r.text("the password wonder-land-42 echoed")).toBe("the password [redacted:authorization] echoed");
  });

  it("learns long cookie values, not short preferences", () => {
    const r = createRedactor({});
    r.headers({ cookie: "sid=0123456789abcdef; theme=dark; lang=en-GB" });
    r.headers({ "set-cookie": "refresh=rt-9876543210; Path=/; Secure" });
    expect(r.text("sid 0123456789abcdef refresh rt-9876543210 theme dark lang en-GB")).toBe(
      "sid [redacted:cookie] refresh [redacted:set-cookie] theme dark lang en-GB",
    );
  });
});

describe("url", () => {
  it.each<[string, string]>([
    [
      "https://api.example.com/v1/items?page=2&token=tok-abc123",
      "https://api.example.com/v1/items?page=2&token=[redacted]",
    ],
    ["https://alice:s3cret-pw@example.com/x", "https://example.com/x"],
    ["https://alice@example.com/x", "https://example.com/x"],
    ["https://bob:p@ss-word@example.com/x?a=b@c", "https://example.com/x?a=b@c"], // userinfo ends at the last "@"
    ["https://example.com/cb?code=oauth-code-1&state=xyz", "https://example.com/cb?code=[redacted]&state=xyz"],
    [
      "https://example.com/?access_token=a1b2&id_token=c3d4&refresh_token=e5f6",
      "https://example.com/?access_token=[redacted]&id_token=[redacted]&refresh_token=[redacted]",
    ],
    [
      "https://example.com/?api_key=k1&apikey=k2&key=k3&secret=k4",
      "https://example.com/?api_key=[redacted]&apikey=[redacted]&key=[redacted]&secret=[redacted]",
    ],
    [
      "https://example.com/?password=p1&pass=p2&pwd=p3",
      "https://example.com/?password=[redacted]&pass=[redacted]&pwd=[redacted]",
    ],
    [
      "https://example.com/?signature=s1&sig=s2&auth=s3&session=s4",
      "https://example.com/?signature=[redacted]&sig=[redacted]&auth=[redacted]&session=[redacted]",
    ],
    [
      "https://s3.example.com/o?X-Amz-Signature=abcdef&X-Amz-Date=20240101",
      "https://s3.example.com/o?X-Amz-Signature=[redacted]&X-Amz-Date=20240101",
    ],
    [
      "https://example.com/?TOKEN=upper&client_secret=cs",
      "https://example.com/?TOKEN=[redacted]&client_secret=[redacted]",
    ],
    ["https://example.com/?token=&q=search", "https://example.com/?token=&q=search"],
    ["https://example.com/?q=a+b&monkey=banana", "https://example.com/?q=a+b&monkey=banana"],
    [
      "https://example.com/cb#access_token=frag-token&expires_in=3600",
      "https://example.com/cb#access_token=[redacted]&expires_in=3600",
    ],
    ["https://example.com/cb#section-2", "https://example.com/cb#section-2"],
    ["/relative/path?token=rel-token-1", "/relative/path?token=[redacted]"],
    ["not a url?password=oops-pw-1", "not a url?password=[redacted]"],
    ["https://user:pw@example.com\\@evil.test/?sig=s", "https://example.com\\@evil.test/?sig=[redacted]"],
  ])("%s", (input, expected) => {
    expect(createRedactor({}).url(input)).toBe(expected);
  });

  it("learns sensitive parameter values and the URL password", () => {
    const r = createRedactor({});
    r.url("https://bob:pa%24%24word-1@example.com/?token=tok%2Fabc-123");
    expect(r.text("pa$$word-1 tok/abc-123 tok%2Fabc-123")).toBe(
      "[redacted:url password] [redacted:token] [redacted:token]",
    );
  });

  it("scrubs known values anywhere in the URL", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    expect(r.url(`https://example.com/reset/${CANARY}?next=${encodeURIComponent(`/x?p=${CANARY}`)}`)).toBe(
      "https://example.com/reset/[secret:SHOP_PASSWORD]?next=%2Fx%3Fp%3D[secret:SHOP_PASSWORD]",
    );
  });
});

describe("body", () => {
  it("redacts JSON values under sensitive keys, at any depth, and keeps formatting", () => {
    const r = createRedactor({});
    const body =
      '{\n  "user": "alice",\n  "password": "hunter22",\n  "auth": {"otp": "otp-998877", "list": ["tok-a1", 7, true, null]},\n  "big": 12345678901234567890\n}';
    expect(r.body(body, "application/json")).toBe(
      '{\n  "user": "alice",\n  "password": "[redacted]",\n  "auth": {"otp": "[redacted]", "list": ["[redacted]", 7, true, null]},\n  "big": 12345678901234567890\n}',
    );
    expect(r.text("hunter22 otp-998877 tok-a1")).toBe("[redacted:password] [redacted:auth] [redacted:auth]");
  });

  it("handles escapes in JSON strings", () => {
    const r = createRedactor({});
    const body = JSON.stringify({ 'we"ird': "x\\y", token: 'a"b\\c\u2028d', note: "plain" });
    expect(r.body(body, "application/vnd.api+json; charset=utf-8")).toBe(
      '{"we\\"ird":"x\\\\y","token":"[redacted]","note":"plain"}',
    );
    expect(r.text('got a"b\\c\u2028d')).toBe("got [redacted:token]");
  });

  it("keeps JSON `code` and `key` (error codes, ids) but hides them in forms", () => {
    const r = createRedactor({});
    expect(r.body('{"code":"E_RATE_LIMIT","key":"item-1"}', "application/json")).toBe(
      '{"code":"E_RATE_LIMIT","key":"item-1"}',
    );
    expect(r.body("code=authcode-1&key=k-1&state=s", "application/x-www-form-urlencoded")).toBe(
      "code=[redacted]&key=[redacted]&state=s",
    );
  });

  it("redacts form fields and learns their decoded values", () => {
    const r = createRedactor({});
    expect(r.body("username=alice&password=p%40ss+word&remember=1", "application/x-www-form-urlencoded")).toBe(
      "username=alice&password=[redacted]&remember=1",
    );
    expect(r.text("echo p@ss word")).toBe("echo [redacted:password]");
  });

  it("sniffs JSON and forms when there is no content type", () => {
    const r = createRedactor({});
    expect(r.body('{"refresh_token":"rt-1234"}')).toBe('{"refresh_token":"[redacted]"}');
    expect(r.body("grant_type=refresh_token&refresh_token=rt-5678")).toBe(
      "grant_type=refresh_token&refresh_token=[redacted]",
    );
    expect(r.body("password: hunter22 (not structured)")).toBe("password: hunter22 (not structured)");
  });

  it("falls back to text() for invalid JSON and other types, without throwing", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    expect(r.body(`{"password": "${CANARY}", broken`, "application/json")).toBe(
      '{"password": "[secret:SHOP_PASSWORD]", broken',
    );
    expect(r.body(`<p>${CANARY}</p>`, "text/html")).toBe("<p>[secret:SHOP_PASSWORD]</p>");
    expect(r.body('{"password":"not-json-typed"}', "text/plain")).toBe('{"password":"not-json-typed"}');
    expect(r.body("", "application/json")).toBe("");
  });

  it("knows body kinds and span positions", () => {
    expect(detectBodyKind("{}", "application/json")).toBe("json");
    expect(detectBodyKind("{", "application/json")).toBe("text");
    expect(detectBodyKind("a=1", "application/x-www-form-urlencoded; charset=utf-8")).toBe("form");
    expect(detectBodyKind(" [1] ")).toBe("json");
    expect(detectBodyKind("a=1&b=2")).toBe("form");
    expect(detectBodyKind("hello world")).toBe("text");
    expect(findSensitiveSpans('{"a":{"token":"xy"},"b":"token"}', "json")).toEqual([
      { start: 15, end: 17, name: "token", decoded: "xy" },
    ]);
    expect(findSensitiveSpans("a=1&pwd=x%2By&pwd=", "form")).toEqual([
      { start: 8, end: 13, name: "pwd", decoded: "x+y" },
    ]);
    expect(splitUrl("https://u:p@h/p?q#f")).toEqual({
      userinfo: { start: 8, end: 12 },
      query: { start: 16, end: 17 },
      fragment: { start: 18, end: 19 },
    });
    expect(splitUrl("/p")).toEqual({ userinfo: null, query: null, fragment: null });
  });
});

describe("deep", () => {
  it("copies a JSON-like value with every string value scrubbed, keys and non-strings kept", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    const input = {
      status: "down",
      n: 3,
      ok: false,
      none: null,
      missing: undefined,
      message: `login failed for ${CANARY}`,
      steps: [{ name: "login", evidence: { headers: { "x-echo": CANARY } }, list: [CANARY, 1, [CANARY]] }],
    };
    const out = r.deep(input);
    expect(out).toEqual({
      status: "down",
      n: 3,
      ok: false,
      none: null,
      missing: undefined,
      message: "login failed for [secret:SHOP_PASSWORD]",
      steps: [
        {
          name: "login",
          evidence: { headers: { "x-echo": "[secret:SHOP_PASSWORD]" } },
          list: ["[secret:SHOP_PASSWORD]", 1, ["[secret:SHOP_PASSWORD]"]],
        },
      ],
    });
    expect(out).not.toBe(input);
    expect(input.message).toBe(`login failed for ${CANARY}`); // the original is untouched
  });

  it("handles primitives and cycles without throwing", () => {
    const r = createRedactor({ S: "abcd" });
    expect(r.deep("xabcdx")).toBe("x[secret:S]x");
    expect(r.deep(42)).toBe(42);
    expect(r.deep(null)).toBe(null);
    const cyclic: Record<string, unknown> = { a: "abcd" };
    cyclic.self = cyclic;
    expect(r.deep(cyclic)).toEqual({ a: "[secret:S]", self: "[redacted]" });
  });

  it("copies shared (non-cyclic) references twice", () => {
    const shared = { v: "abcd" };
    expect(createRedactor({ S: "abcd" }).deep({ x: shared, y: shared })).toEqual({
      x: { v: "[secret:S]" },
      y: { v: "[secret:S]" },
    });
  });
});

describe("the canary never survives", () => {
  const places = (secret: string) => ({
    headers: { authorization: `Bearer ${secret}`, "x-api-key": secret, cookie: `session=${secret}`, "x-echo": secret },
    url: `https://shop.example/login?password=${encodeURIComponent(secret)}&next=%2F&token=${secret}`,
    json: JSON.stringify({ user: "alice", password: secret, nested: { deeper: [{ apiKey: secret }] } }),
    form: `username=alice&password=${encodeURIComponent(secret)}`,
    text: `Login failed for alice with ${secret}.`,
    nested: { a: [{ b: { c: `x${secret}y` } }], d: secret, e: [secret, [secret]] },
  });

  it("as a declared secret", () => {
    const r = createRedactor({ SHOP_PASSWORD: CANARY });
    const p = places(CANARY);
    const outputs = [
      JSON.stringify(r.headers(p.headers)),
      r.url(p.url),
      r.body(p.json, "application/json"),
      r.body(p.form, "application/x-www-form-urlencoded"),
      r.text(p.text),
      JSON.stringify(r.deep(p.nested)),
      r.body(p.json),
      r.body(p.text, "application/json"),
    ];
    for (const out of outputs) expect(count(out, CANARY), out).toBe(0);
    expect(outputs.join("\n")).toContain("[secret:SHOP_PASSWORD]");
  });

  it("as an unknown value under sensitive names, learned for the plain-text places", () => {
    const r = createRedactor({});
    const p = places(CANARY);
    expect(r.headers(p.headers)).toEqual({
      authorization: "[redacted]",
      "x-api-key": "[redacted]",
      cookie: "[redacted]",
      "x-echo": "[redacted:authorization]",
    });
    expect(r.url(p.url)).toBe("https://shop.example/login?password=[redacted]&next=%2F&token=[redacted]");
    expect(r.body(p.json, "application/json")).toBe(
      '{"user":"alice","password":"[redacted]","nested":{"deeper":[{"apiKey":"[redacted]"}]}}',
    );
    expect(r.body(p.form, "application/x-www-form-urlencoded")).toBe("username=alice&password=[redacted]");
    expect(r.text(p.text)).toBe("Login failed for alice with [redacted:authorization].");
    expect(count(JSON.stringify(r.deep(p.nested)), CANARY)).toBe(0);
  });

  it("learned in one step, scrubbed in later ones", () => {
    const r = createRedactor({});
    expect(r.text(`later ${CANARY}`)).toBe(`later ${CANARY}`);
    r.body(JSON.stringify({ access_token: CANARY }), "application/json");
    expect(r.text(`later ${CANARY}`)).toBe("later [redacted:access_token]");
    expect(r.url(`https://x.example/${CANARY}`)).toBe("https://x.example/[redacted:access_token]");
    expect(r.headers({ "x-trace": CANARY })).toEqual({ "x-trace": "[redacted:access_token]" });
    expect(r.body(`<b>${CANARY}</b>`, "text/html")).toBe("<b>[redacted:access_token]</b>");
  });
});

describe("properties", () => {
  const anyText = fc.string({ unit: "binary", maxLength: 40 });
  // A tiny alphabet shared with the labels makes label/neighbour collisions likely.
  const tricky = fc.string({
    unit: fc.constantFrom("S", "]", "[", ":", "s", "e", "c", "r", "t", "x", "%", "\\", '"'),
    minLength: 4,
    maxLength: 8,
  });

  it("text() never outputs a secret embedded anywhere in a string", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: "binary", minLength: 4, maxLength: 20 }), tricky),
        anyText,
        anyText,
        anyText,
        (secret, a, b, c) => {
          fc.pre(secret.length >= 4);
          const r = createRedactor({ S: secret });
          const out = r.text(`${a}${secret}${b}${secret}${c}`);
          return !out.includes(secret);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("text() never outputs a learned value, whatever else is known", () => {
    fc.assert(
      fc.property(tricky, tricky, fc.array(fc.oneof(anyText, tricky), { maxLength: 6 }), (learned, secret, parts) => {
        const r = createRedactor({ SECRET: secret });
        r.learn(learned, "t]x");
        const out = r.text(parts.join(learned) + parts.join(secret));
        return !out.includes(learned) && !out.includes(secret);
      }),
      { numRuns: 2000 },
    );
  });

  it("the structured methods never output a secret either", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii", minLength: 4, maxLength: 16 }), anyText, (secret, noise) => {
        fc.pre(secret.trim().length >= 4);
        const r = createRedactor({ S: secret });
        const deep = r.deep({ x: [noise, secret + noise] });
        const outs = [
          ...Object.values(r.headers({ a: `${noise}${secret}`, authorization: secret })),
          r.url(`https://h.example/${encodeURIComponent(secret)}?q=${encodeURIComponent(noise + secret)}`),
          r.body(JSON.stringify({ note: noise + secret + noise }), "application/json"),
          r.body(new URLSearchParams({ note: noise + secret }).toString(), "application/x-www-form-urlencoded"),
          ...deep.x,
        ];
        return outs.every((o) => !o.includes(secret));
      }),
      { numRuns: 1000 },
    );
  });

  it("markers can be found again", () => {
    const r = createRedactor({ A_B: "abcd" });
    r.learn("efgh", "x-y z");
    expect(r.text("abcd efgh").match(REDACTION_MARKER)).toEqual(["[secret:A_B]", "[redacted:x-y z]"]);
    expect("[redacted] [hidden] [other]".match(REDACTION_MARKER)).toEqual(["[redacted]", "[hidden]"]);
  });
});
