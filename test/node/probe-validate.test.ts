/**
 * `probe validate`: one pass finds every problem of every file, each with file:line:col, for
 * files in probes/ and drafts anywhere on disk; exit 2 on any problem.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local/project-root.ts";
import { probeCli } from "./support/probe-cli.ts";

const DSL = join(ROOT, "src/probe/define-probe.ts");

/** Six different mistakes, one of each kind `validate` knows. */
const SIX_MISTAKES = `import { check, defineProbe, extract, script } from "${DSL}";

export default defineProbe({
  id: "orders-journey",
  name: "Orders journey",
  schedule: "3m",
  baseUrl: "{{env:SHOP_URL}}",
  steps: [
    {
      name: "log in",
      method: "POST",
      url: "/api/login",
      body: { json: { username: "qa@afterlife.test", password: "{{secret:ORDERS_API_KEY}}" } },
      extract: { authToken: extract.json("$.token") },
    },
    {
      name: "list orders",
      url: "/api/orders",
      headers: { authorization: "Bearer {{authTokn}}" },
      expectStatuss: 200,
      assert: [check.json('$.items[?@.sku==]').exists()],
    },
    script("every order opens", async (ctx) => {
      const list = await ctx.http.gett("/api/orders");
      ctx.expect(list.status, "status").toBe(200);
    }),
  ],
});
`;

describe("npm run probe -- validate", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "afterlife-drafts-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reports all six mistakes of one draft in one run, each with its position, and exits 2", () => {
    const file = join(dir, "orders-journey.ts");
    writeFileSync(file, SIX_MISTAKES);
    const { code, out, err } = probeCli(["validate", file], { SHOP_URL: "http://127.0.0.1:1" });
    expect(out).toBe("");
    expect(code).toBe(2);
    const lines = err.trim().split("\n");
    expect(lines[0]).toBe("6 problems in 1 of 1 file:");
    expect(lines.slice(1)).toEqual([
      `  ${file}:6:3  schedule: got "3m"; expected one of 1m, 2m, 5m, 10m, 15m, 30m, 1h`,
      `  ${file}:13:65  steps[0].body.json.password: secret 'ORDERS_API_KEY' has no value here: add ORDERS_API_KEY="..." to .dev.vars (or export it), and \`npx wrangler secret put ORDERS_API_KEY\` for production`,
      `  ${file}:19:41  steps[1].headers.authorization: variable {{authTokn}} is not defined by an earlier step; did you mean {{authToken}}? (or pass --var authTokn=...)`,
      `  ${file}:20:7  steps[1].expectStatuss: unknown key 'expectStatuss'; did you mean 'expectStatus'?`,
      `  ${file}:21:16  steps[1].assert[0].path: invalid JSONPath "$.items[?@.sku==]" at position 16: expected a number, '-0', a quoted name, 'true', 'false', 'null', '@' or '$', found ']'`,
      expect.stringMatching(
        new RegExp(
          `^  ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:24:35  type: Property 'gett' does not exist on type .*Did you mean 'get'\\? \\(TS2551\\)$`,
        ),
      ),
    ]);
  });

  it("reports a syntax error with its position instead of failing to load", () => {
    const file = join(dir, "broken.ts");
    writeFileSync(
      file,
      `import { defineProbe } from "${DSL}";\nexport default defineProbe({ id: "broken" name: "x", steps: [] });\n`,
    );
    const { code, err } = probeCli(["validate", file]);
    expect(code).toBe(2);
    expect(err).toContain(`${file}:2:43  syntax: ',' expected. (TS1005)`);
  });

  it("blames a duplicate id on the newer file and names both", () => {
    const older = join(dir, "a.ts");
    const newer = join(dir, "b.ts");
    const probe = (name: string) =>
      `import { defineProbe } from "${DSL}";\nexport default defineProbe({ id: "same-id", name: "${name}", baseUrl: "http://127.0.0.1:1", steps: [{ name: "home", url: "/" }] });\n`;
    writeFileSync(newer, probe("B"));
    writeFileSync(older, probe("A"));
    utimesSync(older, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const { code, err } = probeCli(["validate", older, newer]);
    expect(code).toBe(2);
    expect(err).toContain(`${newer}:2:30  id: duplicate id 'same-id': ${older} already has it`);
    expect(err).not.toContain(`${older}:`);
  });

  it("passes the probes in probes/ (exit 0)", () => {
    const { code, out } = probeCli(["validate"], { SHOP_PASSWORD: "x" });
    expect(code).toBe(0);
    expect(out).toContain("4 probe(s) valid: nightly-backup, shop-checkout, shop-home, shop-storefront");
  });

  it("refuses a path that does not exist", () => {
    expect(probeCli(["validate", "extra"])).toMatchObject({
      code: 2,
      err: expect.stringContaining("extra: no such file or folder"),
    });
  });
});
