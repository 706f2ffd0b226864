/**
 * Finding 11 of issue 13: a script step that calls the global `fetch` instead of ctx.http is
 * held to the SSRF guard too. With private targets refused (production), a script's
 * fetch("http://127.0.0.1:…") fails the step before any request leaves; with them allowed
 * (local, test), it goes through. Afterwards the platform's fetch is back.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { defineProbe, script } from "../../../src/probe/define-probe.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { runProbe } from "../../../src/probe/run-probe.ts";

async function runScript(allowPrivateTargets: boolean, body: () => Promise<void>) {
  const [loaded] = loadRegistry([
    {
      file: "probes/s.ts",
      definition: defineProbe({
        id: "s",
        name: "S",
        baseUrl: "https://example.test",
        steps: [script("raw fetch", body)],
      }),
    },
  ]);
  return runProbe(
    loaded!,
    { region: "weur", colo: "weur", slotAt: 1_800_000_000_000 },
    { fetch: (i, init) => fetch(i, init), now: Date.now, randomId: () => "r", values: {}, allowPrivateTargets },
  );
}

describe("the global fetch inside a script step", () => {
  it.each([
    `${env.SHOP_URL}/health`,
    "http://127.0.0.1:1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://0x7f000001/",
    "file:///etc/passwd",
  ])("is refused by the SSRF guard in production mode: %s", async (url) => {
    const before = globalThis.fetch;
    let reached = false;
    const result = await runScript(false, async () => {
      await fetch(url);
      reached = true;
    });
    expect(reached).toBe(false);
    expect(result.status).toBe("down");
    expect(result.failure?.class).toBe("script");
    expect(result.failure?.message).toMatch(/^script threw TypeError: fetch refused by the SSRF guard: refused/);
    expect(globalThis.fetch).toBe(before);
  });

  it("reaches an allowed target when private targets are allowed (local and test), without following redirects", async () => {
    let status = 0;
    const result = await runScript(true, async () => {
      status = (await fetch(`${env.SHOP_URL}/health`)).status;
    });
    expect(result.status).toBe("up");
    expect(status).toBe(200);
  });
});
