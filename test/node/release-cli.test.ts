/**
 * `npm run probe -- release` from a pipeline's side, against the local network (`npm start`'s
 * wrangler dev, local D1, the demo shop): releases marked by the CLI, minutes of real ticks
 * fired through /cdn-cgi/handler/scheduled, a latency fault in one region set with the shop's
 * knob, and `release watch --wait` exiting 0 on healthy, 1 on regressed and 3 on inconclusive.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startLocalNetwork, type LocalNetwork } from "../../scripts/local/local-network.ts";
import { freePort } from "../../scripts/local/ports.ts";
import { httpRequest } from "./support/http.ts";

const MINUTE = 60_000;

/** Runs the CLI without blocking this process (the network's children keep answering meanwhile). */
function cli(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, "scripts/cli/probe.ts"), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("npm run probe -- release", () => {
  let network: LocalNetwork;
  let state: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "afterlife-releases-"));
    network = await startLocalNetwork({
      persistTo: state,
      cronDriver: false,
      workerPort: await freePort(19887),
      shopPort: await freePort(19890),
    });
    const created = await cli({}, "token", "create", "--name", "ci", "--scope", "write", "--persist-to", state);
    const token = /afl_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}/.exec(created.out)?.[0];
    expect(token).toBeDefined();
    env = { AFTERLIFE_API_URL: network.workerUrl, AFTERLIFE_TOKEN: token! };
  });
  afterAll(async () => {
    await network?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("exits 1 on a release that slows one region, 0 on one that changed nothing, 3 while there is no verdict", async () => {
    const base = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * 60 * MINUTE;
    for (let i = 0; i < 15; i++) await network.fireTick(base + i * MINUTE);
    const at = new Date(base + 15 * MINUTE - 30_000).toISOString();
    const bad = await cli(
      env,
      "release",
      "v2.0.0",
      "--probe",
      "shop-checkout",
      "--at",
      at,
      "--watch-minutes",
      "10",
      "--baseline-minutes",
      "15",
      "--url",
      "https://ci.example.test/run/42",
    );
    expect(bad.code, bad.err).toBe(0);
    const badId = /rel_[A-Za-z0-9]{12}/.exec(bad.out)![0];
    const fine = await cli(
      env,
      "release",
      "v2.0.0-home",
      "--group",
      "Storefront",
      "--at",
      at,
      "--watch-minutes",
      "10",
      "--baseline-minutes",
      "15",
    );
    const fineId = /rel_[A-Za-z0-9]{12}/.exec(fine.out)![0];

    // No look yet: inconclusive when the timeout runs out.
    const early = await cli(env, "release", "watch", badId, "--wait", "--timeout", "2s", "--interval", "1s");
    expect(early.code).toBe(3);
    expect(early.out).toMatch(/inconclusive \(watching\)/);

    await httpRequest(`${network.shopUrl}/_control/faults`, {
      method: "POST",
      body: JSON.stringify({ path: "/api/cart", region: "weur", delayMs: 400 }),
    });
    try {
      for (let i = 15; i < 25; i++) await network.fireTick(base + i * MINUTE);
    } finally {
      await httpRequest(`${network.shopUrl}/_control/faults`, { method: "DELETE" });
    }

    const regressed = await cli(env, "release", "watch", badId, "--wait", "--timeout", "5m", "--interval", "1s");
    expect(regressed.code, regressed.out + regressed.err).toBe(1);
    expect(regressed.out).toMatch(/regressed at minute (5|10) of 10/);
    expect(regressed.out).toMatch(/shop-checkout weur latency: median \d+ ms before \(1[0-5] runs\), \d+ ms after/);
    expect(regressed.out).toMatch(/runs: shop-checkout\.weur\.\d+/);

    const healthy = await cli(env, "release", "watch", fineId, "--wait", "--interval", "1s");
    expect(healthy.code, healthy.out + healthy.err).toBe(0);
    expect(healthy.out).toMatch(/healthy at minute 10 of 10/);

    const listed = await cli(env, "release", "list");
    expect(listed.out).toMatch(new RegExp(`${badId} .* v2\\.0\\.0  regressed`));
  }, 600_000);

  it("explains bad input with exit code 2 and API refusals with exit code 4", async () => {
    expect(await cli(env, "release", "v1")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--group G or --probe ID"),
    });
    expect(await cli(env, "release", "watch", "rel_x", "--timeout", "soon")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--timeout soon: expected a duration"),
    });
    expect(await cli(env, "release", "v1", "--probe", "nope")).toMatchObject({
      code: 4,
      err: expect.stringContaining("json.probeIds: unknown probes nope"),
    });
    expect(
      await cli(
        { ...env, AFTERLIFE_TOKEN: "" },
        "release",
        "v1",
        "--group",
        "Storefront",
        "--token",
        "afl_AAAAAAAA_" + "A".repeat(32),
      ),
    ).toMatchObject({ code: 4, err: expect.stringContaining("401") });
  });
});
