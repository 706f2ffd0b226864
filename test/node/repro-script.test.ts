/**
 * The repro script of a failed journey, run as an engineer would paste it: against the demo
 * shop with a fault injected in the third step, it logs in, captures the token and gets the
 * same 500; against a slow step it stops at the step's deadline.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startShop, type RunningShop } from "../../scripts/demo-target/shop.ts";
import { ROOT } from "../../scripts/local/project-root.ts";
import { probeCliAsync, runAsync } from "./support/probe-cli.ts";

const PASSWORD = "repro-secret-9d2c";

/** Runs the script as pasted into a shell: only PATH and what the test exports. */
function sh(file: string, env: Record<string, string>) {
  return runAsync("sh", [file], { PATH: process.env.PATH ?? "", ...env });
}

describe("the repro script of a failed journey", () => {
  let shop: RunningShop;
  let dir: string;

  beforeAll(async () => {
    shop = await startShop({ password: PASSWORD });
    dir = mkdtempSync(join(tmpdir(), "afterlife-repro-"));
  });
  afterAll(async () => {
    await shop.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("replays the journey up to the failing step and gets the same 500, with the extracted token and no secret in it", async () => {
    shop.faults.splice(0, shop.faults.length, { path: "/api/cart", status: 500 });
    const file = join(dir, "checkout-repro.sh");
    const run = await probeCliAsync(["run", "shop-checkout", "--base-url", shop.url, "--repro", file], {
      SHOP_PASSWORD: PASSWORD,
    });
    expect(run.code).toBe(1);
    expect(run.out).toContain(`Reproduce (the journey up to "read cart"; written to ${file})`);
    const script = readFileSync(file, "utf8");
    expect(script).not.toContain(PASSWORD);
    expect(script).toContain(
      '--data-raw "{\\"username\\":\\"qa@afterlife.test\\",\\"password\\":\\"${SHOP_PASSWORD}\\"}"',
    );
    expect(script).toContain('-H "authorization: Bearer ${authToken}"');
    expect(script).toContain("--max-time 5");
    expect(script).not.toContain("every product opens");

    const replay = await sh(file, { SHOP_PASSWORD: PASSWORD });
    expect(replay.out).toContain("1. open shop: HTTP 200\n2. log in: HTTP 200\n3. read cart: HTTP 500\n");
    expect(replay.out).toContain('{"error":"injected fault","status":500}');
    expect(replay.out).toContain("expected status 200-299, got 500");
    expect(replay.code).toBe(1);

    // Repaired, the same script shows the step passing: the token it captured was real.
    shop.faults.splice(0);
    const repaired = await sh(file, { SHOP_PASSWORD: PASSWORD });
    expect(repaired.out).toContain("3. read cart: HTTP 200");
    expect(repaired.out).toContain('"totalCents":3097');
    expect(repaired.code).toBe(0);

    const noSecret = await sh(file, {});
    expect(noSecret.code).not.toBe(0);
    expect(noSecret.err).toContain("SHOP_PASSWORD: export SHOP_PASSWORD=... first");
  });

  it("stops at the step's deadline (--max-time) when the run timed out, and the run names the deadline", async () => {
    shop.faults.splice(0, shop.faults.length, { path: "/api/slow", delayMs: 3000 });
    const probe = join(dir, "slow.ts");
    writeFileSync(
      probe,
      `import { defineProbe } from "${join(ROOT, "src/probe/define-probe.ts")}";\nexport default defineProbe({ id: "slow", name: "Slow", baseUrl: "{{env:SHOP_URL}}", stepTimeoutMs: 500,\n  steps: [{ name: "home", url: "/" }, { name: "list orders", url: "/api/slow", expectStatus: 404 }] });\n`,
    );
    const file = join(dir, "slow-repro.sh");
    const run = await probeCliAsync(["run", probe, "--base-url", shop.url, "--repro", file]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/✗ list orders\s+—\s+5\d\d ms {2}\(no response\)/);
    expect(run.out).toMatch(
      /timeout failure in "list orders": no complete response from GET http:\/\/127\.0\.0\.1:\d+\/api\/slow within the step's 500 ms deadline \(stopped after 5\d\d ms\)/,
    );
    const script = readFileSync(file, "utf8");
    expect(script).toContain("--max-time 0.5");
    const replay = await sh(file, {});
    expect(replay.out).toContain("1. home: HTTP 200");
    expect(replay.out).toContain("2. list orders: curl failed with exit code 28");
    expect(replay.code).toBe(28);
  });
});
