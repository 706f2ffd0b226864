/** Token lifecycle from QA's side: created by the CLI, accepted by the running Worker, revoked. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startLocalNetwork, type LocalNetwork } from "../../scripts/local/local-network.ts";
import { freePort } from "../../scripts/local/ports.ts";
import { httpRequest } from "./support/http.ts";

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "scripts/cli/probe.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

describe("npm run probe -- token", () => {
  let network: LocalNetwork;
  let state: string;

  beforeAll(async () => {
    state = mkdtempSync(join(tmpdir(), "afterlife-tokens-"));
    network = await startLocalNetwork({
      persistTo: state,
      cronDriver: false,
      workerPort: await freePort(19787),
      shopPort: await freePort(19790),
    });
  });
  afterAll(async () => {
    await network?.stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("creates a token that the Worker accepts, lists it, and revokes it", async () => {
    const created = cli("token", "create", "--name", "ci deploy", "--scope", "write", "--persist-to", state);
    expect(created.code).toBe(0);
    const token = /afl_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}/.exec(created.out)?.[0];
    expect(token).toBeDefined();
    const id = token!.slice(4, 12);

    // Each call on a fresh connection: the CLI runs in between take seconds (see support/http.ts).
    const call = () =>
      httpRequest(`${network.workerUrl}/api/v1/probes/shop-home/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call()).status).toBe(200);

    const listed = cli("token", "list", "--persist-to", state);
    expect(listed.out).toMatch(new RegExp(`^${id}\\s+ci deploy\\s+write`, "m"));
    expect(listed.out).not.toContain(token!.slice(13)); // the secret is never stored, so never listed

    expect(cli("token", "revoke", id, "--persist-to", state).code).toBe(0);
    expect((await call()).status).toBe(401);
  });

  it("explains bad input with exit code 2", () => {
    expect(cli("token", "create", "--scope", "write")).toMatchObject({
      code: 2,
      err: expect.stringContaining("needs --name"),
    });
    expect(cli("token", "create", "--name", "x", "--scope", "admin")).toMatchObject({
      code: 2,
      err: expect.stringContaining("--scope must be read or write"),
    });
  });
});
