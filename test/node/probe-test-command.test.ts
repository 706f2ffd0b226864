/**
 * `probe test`: many probes at once against the demo shop, a summary line each, and reports a CI
 * system reads: JUnit XML (parsed here by a real XML parser) and GitHub workflow annotations.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local/project-root.ts";
import { probeCli } from "./support/probe-cli.ts";

const DSL = join(ROOT, "src/probe/define-probe.ts");

describe("npm run probe -- test", () => {
  let dir: string;
  let failing: string;
  let slow: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "afterlife-test-cmd-"));
    failing = join(dir, "teapot.ts");
    writeFileSync(
      failing,
      `import { defineProbe } from "${DSL}";\nexport default defineProbe({ id: "teapot", name: "Teapot <&>", baseUrl: "{{env:SHOP_URL}}",\n  steps: [\n    { name: "home", url: "/" },\n    { name: "brew", url: "/", expectStatus: 418 },\n  ],\n});\n`,
    );
    slow = join(dir, "no-such-page.ts");
    writeFileSync(
      slow,
      `import { check, defineProbe } from "${DSL}";\nexport default defineProbe({ id: "no-such-page", name: "Missing page", baseUrl: "{{env:SHOP_URL}}",\n  steps: [{ name: "products", url: "/api/products", assert: [check.json("$.count").equals(99)] }],\n});\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes JUnit XML: one testcase per probe, failures with their class and message", () => {
    const output = join(dir, "report.xml");
    const { code, out } = probeCli([
      "test",
      join(ROOT, "probes"),
      failing,
      slow,
      "--demo",
      "--reporter",
      "junit",
      "--output",
      output,
    ]);
    expect(code).toBe(1);
    expect(out).toMatch(/^✓ shop-checkout\s+UP/m);
    expect(out).toMatch(/^✗ teapot\s+DOWN .* status failure in "brew": expected status 418, got 200$/m);
    expect(out).toMatch(/^✓ shop-storefront\s+UP/m);
    expect(out).toContain("3 passed, 2 failed (5 probes)");

    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(
      readFileSync(output, "utf8"),
      "text/xml",
    );
    expect(errors).toEqual([]);
    const suites = doc.documentElement!;
    expect(suites.tagName).toBe("testsuites");
    expect([suites.getAttribute("tests"), suites.getAttribute("failures")]).toEqual(["5", "2"]);
    const cases = Array.from(doc.getElementsByTagName("testcase"));
    expect(cases.map((c) => c.getAttribute("name"))).toEqual([
      "shop-checkout (Checkout journey)",
      "shop-home (Storefront)",
      "shop-storefront (Storefront purchase (browser))",
      "teapot (Teapot <&>)",
      "no-such-page (Missing page)",
    ]);
    expect(cases.map((c) => c.getAttribute("file"))).toEqual([
      "probes/shop-checkout.ts",
      "probes/shop-home.ts",
      "probes/shop-storefront.ts",
      failing,
      slow,
    ]);
    expect(cases.map((c) => c.getElementsByTagName("failure").length)).toEqual([0, 0, 0, 1, 1]);
    const teapot = cases[3]!.getElementsByTagName("failure")[0]!;
    expect(teapot.getAttribute("type")).toBe("status");
    expect(teapot.getAttribute("message")).toBe('status failure in "brew": expected status 418, got 200');
    expect(teapot.textContent).toContain("✗ brew");
    expect(teapot.textContent).toContain("#!/bin/sh");
    const missing = cases[4]!.getElementsByTagName("failure")[0]!;
    expect(missing.getAttribute("type")).toBe("assertion");
    expect(missing.getAttribute("message")).toBe(
      'assertion failure in "products": json $.count equals: expected 99, got 3',
    );
  });

  it("prints GitHub annotations on the line of the failing step", () => {
    const { code, out, err } = probeCli(["test", failing, slow, "--demo", "--reporter", "github"]);
    expect(code).toBe(1);
    expect(out.trim().split("\n")).toEqual([
      `::error file=${failing},line=5,title=teapot DOWN::status failure in "brew": expected status 418, got 200`,
      `::error file=${slow},line=3,title=no-such-page DOWN::assertion failure in "products": json $.count equals: expected 99, got 3`,
    ]);
    expect(err).toContain("0 passed, 2 failed (2 probes)");
  });

  it("exits 0 when every probe is up, and 2 when a file is invalid", () => {
    expect(probeCli(["test", "--demo"])).toMatchObject({
      code: 0,
      out: expect.stringContaining("3 passed, 0 failed (3 probes)"),
    });
    const bad = join(dir, "bad.ts");
    writeFileSync(
      bad,
      `import { defineProbe } from "${DSL}";\nexport default defineProbe({ id: "bad", name: "Bad", schedule: "3m", steps: [{ name: "a", url: "http://127.0.0.1:1/" }] });\n`,
    );
    expect(probeCli(["test", bad])).toMatchObject({
      code: 2,
      err: expect.stringContaining(`${bad}:2:54  schedule: got "3m"`),
    });
  });
});
