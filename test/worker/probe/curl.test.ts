import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { shellWord, toCurl, type CurlRequest } from "../../../src/probe/curl.ts";
import { createRedactor } from "../../../src/probe/redact.ts";

const CANARY = "canary-secret-7f3a9c";

function curl(request: CurlRequest, secrets: Record<string, string> = {}): string {
  return toCurl(request, secrets, createRedactor(secrets));
}

/**
 * A small POSIX-shell word splitter, enough to read what toCurl writes without running a shell:
 * backslash-newline continuations, single quotes, double quotes with \" \\ \$ \` escapes and
 * ${NAME} expansion. It throws on anything a real shell would expand or complain about
 * (unescaped $ or backtick, ! inside double quotes, unterminated quotes).
 */
function shellSplit(command: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let current: string | null = null;
  let i = 0;
  const append = (s: string) => (current = (current ?? "") + s);
  while (i < command.length) {
    const c = command[i]!;
    if (c === "\\" && command[i + 1] === "\n") {
      i += 2;
    } else if (c === "\\" && command[i + 1] !== undefined) {
      append(command[i + 1]!); // outside quotes a backslash quotes the next character ('\'')
      i += 2;
    } else if (c === " " || c === "\n" || c === "\t") {
      if (current !== null) words.push(current);
      current = null;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) throw new Error("unterminated single quote");
      append(command.slice(i + 1, end));
      i = end + 1;
    } else if (c === '"') {
      i++;
      append("");
      for (;;) {
        const d = command[i];
        if (d === undefined) throw new Error("unterminated double quote");
        if (d === '"') break;
        if (d === "\\") {
          const next = command[i + 1]!;
          if ('"\\$`'.includes(next)) append(next);
          else if (next !== "\n") append(`\\${next}`);
          i += 2;
        } else if (d === "$") {
          const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(command.slice(i));
          if (!m) throw new Error(`unescaped $ at ${i}`);
          const value = env[m[1]!];
          if (value === undefined) throw new Error(`unset variable ${m[1]}`);
          append(value);
          i += m[0].length;
        } else if (d === "`") {
          throw new Error(`unescaped backtick at ${i}`);
        } else if (d === "!") {
          throw new Error(`history expansion hazard at ${i}`);
        } else {
          append(d);
          i++;
        }
      }
      i++;
    } else if ("$`\"'\\|&;<>()*?[#~!{}".includes(c)) {
      throw new Error(`unquoted special character ${JSON.stringify(c)} at ${i}`);
    } else {
      append(c);
      i++;
    }
  }
  if (current !== null) words.push(current);
  return words;
}

describe("toCurl: exact commands", () => {
  it("writes a short request on one line", () => {
    expect(curl({ method: "GET", url: "https://example.com/health", headers: {} })).toBe(
      "curl -sS -i -X GET --max-redirs 0 'https://example.com/health'",
    );
  });

  it("turns a secret into a ${NAME} placeholder inside double quotes", () => {
    const command = curl(
      {
        method: "POST",
        url: "https://shop.example/api/login",
        headers: { "content-type": "application/json", "x-afterlife-region": "weur" },
        body: JSON.stringify({ user: "alice", password: CANARY }),
      },
      { SHOP_PASSWORD: CANARY },
    );
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        "  -H 'content-type: application/json' \\",
        "  -H 'x-afterlife-region: weur' \\",
        '  --data-raw "{\\"user\\":\\"alice\\",\\"password\\":\\"${SHOP_PASSWORD}\\"}" \\',
        "  --max-redirs 0 \\",
        "  'https://shop.example/api/login'",
      ].join("\n"),
    );
  });

  it("keeps the scheme of a sensitive header around a secret, hides one without a secret", () => {
    const command = curl(
      {
        method: "GET",
        url: "https://api.example/v1/me",
        headers: { Authorization: "Bearer tok-live-123456", "X-Api-Key": `${CANARY}`, Cookie: "sid=abcdef0123456789" },
      },
      { API_TOKEN: "tok-live-123456", SHOP_PASSWORD: CANARY },
    );
    expect(command).toBe(
      [
        "curl -sS -i -X GET \\",
        '  -H "Authorization: Bearer ${API_TOKEN}" \\',
        '  -H "X-Api-Key: ${SHOP_PASSWORD}" \\',
        "  -H 'Cookie: <redacted>' \\",
        "  --max-redirs 0 \\",
        "  'https://api.example/v1/me'",
      ].join("\n"),
    );
  });

  it("redacts sensitive query parameters, placeholders secret ones, drops userinfo and fragment", () => {
    const command = curl(
      {
        method: "GET",
        url: "https://u:pw@api.example/search?q=shoes&token=tok-unknown-1&api_key=key-abcdef&page=2#top",
        headers: {},
      },
      { API_KEY: "key-abcdef" },
    );
    expect(command).toBe(
      [
        "curl -sS -i -X GET \\",
        "  --max-redirs 0 \\",
        '  "https://api.example/search?q=shoes&token=<redacted>&api_key=${API_KEY}&page=2"',
      ].join("\n"),
    );
  });

  it("hides learned values wherever they appear, including under innocent names", () => {
    const redactor = createRedactor({});
    redactor.learn("session-from-step-1", "session");
    const command = toCurl(
      {
        method: "POST",
        url: "https://api.example/echo?ref=session-from-step-1",
        headers: { "x-trace": "t session-from-step-1" },
        body: "note=session-from-step-1",
      },
      {},
      redactor,
    );
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        "  -H 'x-trace: t <redacted>' \\",
        "  --data-raw 'note=<redacted>' \\",
        "  --max-redirs 0 \\",
        "  'https://api.example/echo?ref=<redacted>'",
      ].join("\n"),
    );
  });

  it("learns from the request itself: a body token is hidden from the URL too", () => {
    const command = curl({
      method: "POST",
      url: "https://api.example/x?trace=rt-0123456789",
      headers: { "content-type": "application/json" },
      body: '{"refresh_token":"rt-0123456789","n":1}',
    });
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        "  -H 'content-type: application/json' \\",
        `  --data-raw '{"refresh_token":"<redacted>","n":1}' \\`,
        "  --max-redirs 0 \\",
        "  'https://api.example/x?trace=<redacted>'",
      ].join("\n"),
    );
  });

  it("handles form bodies, verbatim and encoded secrets", () => {
    const command = curl(
      {
        method: "POST",
        url: "https://shop.example/login",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: `username=alice&password=${CANARY}&pin=${encodeURIComponent("p@ss word")}`,
      },
      { SHOP_PASSWORD: CANARY, SHOP_PIN: "p@ss word" },
    );
    // The encoded secret is not the bytes ${SHOP_PIN} would expand to, so it is hidden instead.
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        "  -H 'Content-Type: application/x-www-form-urlencoded' \\",
        '  --data-raw "username=alice&password=${SHOP_PASSWORD}&pin=<redacted>" \\',
        "  --max-redirs 0 \\",
        "  'https://shop.example/login'",
      ].join("\n"),
    );
  });

  it("hides a JSON secret that needed escaping, and an unknown password", () => {
    const command = curl(
      {
        method: "PUT",
        url: "https://x.example/",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ a: 'q"uote-secret', password: "hunter22" }),
      },
      { QUOTED: 'q"uote-secret' },
    );
    expect(command).toBe(
      [
        "curl -sS -i -X PUT \\",
        "  -H 'content-type: application/json' \\",
        `  --data-raw '{"a":"<redacted>","password":"<redacted>"}' \\`,
        "  --max-redirs 0 \\",
        "  'https://x.example/'",
      ].join("\n"),
    );
  });

  it("sends HEAD with --head, empty headers with ';', and leaves Content-Length to curl", () => {
    expect(curl({ method: "HEAD", url: "https://x.example/", headers: {} })).toBe(
      "curl -sS -i --head --max-redirs 0 'https://x.example/'",
    );
    expect(curl({ method: "head", url: "https://x.example/", headers: {} })).toBe(
      "curl -sS -i --head --max-redirs 0 'https://x.example/'",
    );
    // fetch() sends "patch" as written, so curl must too; odd tokens are quoted.
    expect(curl({ method: "patch", url: "https://x.example/", headers: {} })).toBe(
      "curl -sS -i -X patch --max-redirs 0 'https://x.example/'",
    );
    expect(curl({ method: "M-SEARCH", url: "https://x.example/", headers: {} })).toBe(
      "curl -sS -i -X 'M-SEARCH' --max-redirs 0 'https://x.example/'",
    );
    expect(
      curl({
        method: "post",
        url: "https://x.example/",
        headers: { "X-Empty": "", "Content-Length": "3" },
        body: "abc",
      }),
    ).toBe(
      [
        "curl -sS -i -X POST \\",
        "  -H 'X-Empty;' \\",
        "  --data-raw 'abc' \\",
        "  --max-redirs 0 \\",
        "  'https://x.example/'",
      ].join("\n"),
    );
  });

  it("hides short sensitive values too short to be learned", () => {
    const command = curl({
      method: "POST",
      url: "https://x.example/?sig=s1&q=ok",
      headers: { authorization: "xyz", "content-type": "application/json" },
      body: '{"password":"pw1","name":"al"}',
    });
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        "  -H 'authorization: <redacted>' \\",
        "  -H 'content-type: application/json' \\",
        `  --data-raw '{"password":"<redacted>","name":"al"}' \\`,
        "  --max-redirs 0 \\",
        "  'https://x.example/?sig=<redacted>&q=ok'",
      ].join("\n"),
    );
  });

  it("hides overlapping secrets and secrets whose name is not a shell variable", () => {
    const command = curl(
      { method: "POST", url: "https://x.example/", headers: {}, body: "abcdefghi and zz-value" },
      { A: "abcdef", B: "defghi", "bad-name": "zz-value" },
    );
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        "  --data-raw '<redacted> and <redacted>' \\",
        "  --max-redirs 0 \\",
        "  'https://x.example/'",
      ].join("\n"),
    );
  });

  it("uses the longer secret when one contains another", () => {
    const command = curl(
      { method: "POST", url: "https://x.example/", headers: {}, body: "xx-long-secret-yy" },
      { SHORT: "secret", LONG: "long-secret" },
    );
    expect(command).toBe(
      [
        "curl -sS -i -X POST \\",
        '  --data-raw "xx-${LONG}-yy" \\',
        "  --max-redirs 0 \\",
        "  'https://x.example/'",
      ].join("\n"),
    );
  });
});

describe("toCurl: quoting", () => {
  it("quotes single-quoted words", () => {
    expect(shellWord(["it's"])).toBe(`'it'\\''s'`);
    expect(shellWord(['say "hi" $HOME `id` \\ !'])).toBe(`'say "hi" $HOME \`id\` \\ !'`);
    expect(shellWord(["two\nlines"])).toBe("'two\nlines'");
    expect(shellWord([""])).toBe("''");
    expect(shellWord(["POST"])).toBe("'POST'");
  });

  it("quotes double-quoted words around placeholders", () => {
    expect(shellWord(['a"b\\c$d`e', { secret: "S" }, "it's!"])).toBe(`"a\\"b\\\\c\\$d\\\`e\${S}it's"'!'""`);
    expect(shellWord([{ secret: "ONLY" }])).toBe('"${ONLY}"');
  });

  it("round-trips every awkward character through a shell reading", () => {
    const secrets = { SHOP_PASSWORD: CANARY, WEIRD: `w'"$\`\\!x` };
    const request: CurlRequest = {
      method: "POST",
      url: "https://x.example/a'b?q=$(id)&r=`id`",
      headers: { "x-note": `it's "quoted" $HOME \`id\` \\ ! done`, "x-both": `pre'"$\`!\\ ${CANARY} post` },
      body: `line one\nit's "two" $PATH \`id\` \\n !\n${CANARY} and ${secrets.WEIRD}`,
    };
    const command = toCurl(request, secrets, createRedactor(secrets));
    expect(shellSplit(command, secrets)).toEqual([
      "curl",
      "-sS",
      "-i",
      "-X",
      "POST",
      "-H",
      `x-note: it's "quoted" $HOME \`id\` \\ ! done`,
      "-H",
      `x-both: pre'"$\`!\\ ${CANARY} post`,
      "--data-raw",
      request.body,
      "--max-redirs",
      "0",
      "https://x.example/a'b?q=$(id)&r=`id`",
    ]);
    // And the command itself holds no secret value, only the placeholders.
    expect(command.includes(CANARY)).toBe(false);
    expect(command).toContain("${SHOP_PASSWORD}");
    expect(command).toContain("${WEIRD}");
  });

  it("property: any body, with or without a secret, reads back as the bytes sent", () => {
    const secret = "s3cr3t-VALUE";
    fc.assert(
      fc.property(
        fc.string({ unit: "binary-ascii", maxLength: 30 }),
        fc.string({ unit: "binary-ascii", maxLength: 30 }),
        fc.boolean(),
        (a, b, withSecret) => {
          fc.pre(!a.includes("\0") && !b.includes("\0"));
          const body = withSecret ? `${a}${secret}${b}` : a + b;
          const command = toCurl(
            { method: "POST", url: "https://x.example/", headers: {}, body },
            { SEC: secret },
            createRedactor({ SEC: secret }),
          );
          const words = shellSplit(command, { SEC: secret });
          return words[words.indexOf("--data-raw") + 1] === body && !command.includes(secret);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
