/** The QA command line, run as QA runs it: a real process, the real runner, the demo shop. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/local/local-network.ts";
import { estimateCost, fmt } from "../../src/cost/estimate.ts";
import { hypotheticalFleet } from "../../src/cost/hypothetical-fleet.ts";
import { DEFAULT_RETENTION } from "../../src/storage/retention.ts";

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "scripts/cli/probe.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SHOP_PASSWORD: "cli-secret-5e1d" },
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("npm run probe", () => {
  it("lists the probes", () => {
    const { code, out } = cli("list");
    expect(code).toBe(0);
    expect(out).toMatch(/^shop-checkout\s+1m\s+weur,enam,apac\s+Checkout \/ Checkout journey/m);
    expect(out).toMatch(/^shop-home\s+1m/m);
  });

  it("validates the probes", () => {
    const { code, out } = cli("validate");
    expect(code).toBe(0);
    expect(out).toContain("4 probe(s) valid: nightly-backup, shop-checkout, shop-home, shop-storefront");
  });

  it("runs a journey against the demo shop and prints a step table (exit 0 when up)", () => {
    const { code, out } = cli("run", "shop-checkout", "--demo");
    expect(code).toBe(0);
    expect(out).toMatch(/✓ log in\s+200/);
    expect(out).toMatch(/✓ every product opens\s+200→200→200→200/);
    expect(out).toMatch(/^UP {2}in \d+ ms/m);
    expect(out).not.toContain("cli-secret-5e1d");
  });

  it("prints the run as JSON for other tools", () => {
    const { code, out } = cli("run", "probes/shop-home.ts", "--demo", "--json", "--region", "apac");
    expect(code).toBe(0);
    const run = JSON.parse(out) as { status: string; region: string; steps: unknown[] };
    expect([run.status, run.region, run.steps.length]).toEqual(["up", "apac", 2]);
  });

  it("exits 1 with evidence and a curl repro when the target is down", () => {
    const { code, out } = cli("run", "shop-checkout", "--base-url", "http://127.0.0.1:1");
    expect(code).toBe(1);
    expect(out).toMatch(/^DOWN {2}in \d+ ms — connect failure in "open shop"/m);
    expect(out).toContain("Reproduce");
    expect(out).toContain("curl");
  });

  it("prints the cost options with --help", () => {
    const { code, out } = cli("cost", "--help");
    expect(code).toBe(0);
    for (const flag of [
      "--plan free|paid",
      "--views-per-second N",
      "--slo-polls-per-minute N",
      "--failure-share X",
      "--colos N",
      "--cache-seconds N",
      "--probes N",
      "--regions N",
      "--schedule S",
      "--json",
    ])
      expect(out).toContain(flag);
  });

  it("prices a fleet given by its size, rows written line by line, and refuses a bad flag", () => {
    const { code, out } = cli(
      "cost",
      "--probes",
      "200",
      "--regions",
      "5",
      "--schedule",
      "1m",
      "--views-per-second",
      "10",
    );
    expect(code).toBe(0);
    expect(out).toMatch(/200 probes, 1,000 \(probe, region\) pairs, 1,000 runs a minute/);
    // The lines are the planner's own figures for the same fleet.
    const e = estimateCost(hypotheticalFleet(200, 5, "1m"), {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 10,
    });
    const line = (label: string, value: number) =>
      new RegExp(`^\\s+${label.replace(/[()]/g, "\\$&")}\\s+${fmt(value)}$`, "m");
    expect(out).toMatch(line(e.writes[0]!.label, e.writes[0]!.perMonth));
    expect(out).toMatch(new RegExp(`^\\s+per run\\s+${e.rowsWrittenPerRun.toFixed(3)}$`, "m"));
    expect(e.rowsWrittenPerRun).toBeLessThan(1.1);
    expect(out).toMatch(/rendered at most once per 60 s in each of 20 Cloudflare locations/);
    expect(out).toMatch(line(e.reads[0]!.label, e.reads[0]!.perMonth));
    expect(out).toMatch(/Estimated bill: \$9\.79\/month/);
    const uncached = cli(
      "cost",
      "--probes",
      "200",
      "--regions",
      "5",
      "--views-per-second",
      "10",
      "--colos",
      "100",
      "--cache-seconds",
      "0",
    );
    expect(uncached.out).toMatch(/each one rendered \(edge cache off\)/);
    const uncachedEstimate = estimateCost(hypotheticalFleet(200, 5, "1m"), {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 10,
      colos: 100,
      cacheSeconds: 0,
    });
    expect(uncached.out).toContain(`Estimated bill: $${uncachedEstimate.usd.total.toFixed(2)}/month`);
    expect(cli("cost", "--probes", "200", "--colos", "0").err).toContain("--colos 0: expected a number from 1 up");
    const bad = cli("cost", "--regions", "3");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("give --probes N too");
  });

  it("exits 2 on bad input, naming the problem", () => {
    expect(cli("run", "nope")).toMatchObject({
      code: 2,
      err: expect.stringContaining("no probe 'nope'; known: nightly-backup, shop-checkout, shop-home"),
    });
    expect(cli("run", "nightly-backup")).toMatchObject({
      code: 2,
      err: expect.stringContaining("nightly-backup is a heartbeat"),
    });
    expect(cli("run", "shop-home", "--var", "novalue")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--var novalue: expected name=value"),
    });
    expect(cli("frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining("unknown command 'frobnicate'") });
    expect(cli("run", "shop-home", "--region", "xx")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--region xx: expected one of wnam, enam, sam, weur, eeur, apac, oc, afr, me"),
    });
    expect(cli("run", "shop-home", "extra")).toMatchObject({
      code: 2,
      err: expect.stringContaining("run: unexpected argument 'extra'"),
    });
    expect(cli("list", "extra")).toMatchObject({
      code: 2,
      err: expect.stringContaining("list: unexpected argument 'extra'"),
    });
    expect(cli("run", "shop-home", "--base-url", "ftp://x")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--base-url ftp://x: expected an http(s) URL"),
    });
    expect(cli("test", "--reporter", "xml")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--reporter xml: expected text, junit or github"),
    });
    expect(cli("run", "shop-home", "--frobnicate")).toMatchObject({
      code: 2,
      err: expect.stringContaining("Unknown option '--frobnicate'"),
    });
  });

  it("prints the usage and exits 2 without a command", () => {
    const { code, err } = cli();
    expect(code).toBe(2);
    expect(err).toContain("a command is needed");
    expect(err).toContain("npm run probe -- validate [paths…]");
  });

  it("lists every probe as JSON with --json", () => {
    const { code, out } = cli("list", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([
      {
        id: "nightly-backup",
        kind: "heartbeat",
        name: "Nightly backup",
        group: "Jobs",
        schedule: "1d",
        regions: ["push"],
        file: "probes/nightly-backup.ts",
      },
      {
        id: "shop-checkout",
        kind: "script",
        name: "Checkout journey",
        group: "Checkout",
        schedule: "1m",
        regions: ["weur", "enam", "apac"],
        file: "probes/shop-checkout.ts",
      },
      {
        id: "shop-home",
        kind: "journey",
        name: "Storefront",
        group: "Storefront",
        schedule: "1m",
        regions: ["weur", "enam", "apac"],
        file: "probes/shop-home.ts",
      },
      {
        id: "shop-storefront",
        kind: "browser",
        name: "Storefront purchase (browser)",
        group: "Shop in a browser",
        schedule: "5m",
        regions: ["weur", "enam"],
        file: "probes/shop-storefront.ts",
      },
    ]);
  });

  it("shows expected and actual for passing assertions too", () => {
    const { out } = cli("run", "shop-home", "--demo");
    expect(out).toMatch(/✓ json \$\.count gt: expected > 0, got 3/);
    expect(out).toMatch(/✓ status: expected 200, got 200/);
  });

  it("runs a draft outside probes/ before it goes live", () => {
    const dir = mkdtempSync(join(tmpdir(), "afterlife-draft-"));
    try {
      const file = join(dir, "variant.ts");
      writeFileSync(
        file,
        `import { check, defineProbe } from "${join(ROOT, "src/probe/define-probe.ts")}";\nexport default defineProbe({ id: "shop-home-variant", name: "Variant", baseUrl: "{{env:SHOP_URL}}", steps: [{ name: "products", url: "/api/products", assert: [check.json('$.products[?@.id=="sku-2"].stock').contains(3)] }] });\n`,
      );
      const { code, out } = cli("run", file, "--demo");
      expect(code).toBe(0);
      expect(out).toMatch(/✓ json \$\.products\[\?@\.id=="sku-2"\]\.stock contains: expected contains 3, got \[3\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
