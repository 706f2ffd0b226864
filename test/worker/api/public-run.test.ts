/**
 * A failed run's message quotes the target's response body. Without a token, and with
 * STATUS_PAGE.showFailureEvidence off, no route shows it: the status, the probe, the run list and
 * the run itself tell the failure by its step, class and status; a token holder gets it whole.
 */
import { describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { appDeps, appFetch } from "../support/app-deps.ts";
import { env } from "cloudflare:workers";
import { generateToken } from "../../../src/auth/api-token.ts";
import { insertTokenSql } from "../../../src/storage/token-store.ts";

const probes = loadRegistry([
  {
    file: "probes/home.ts",
    definition: {
      id: "pm-home",
      name: "Home",
      group: "Storefront",
      baseUrl: "https://shop.example.test",
      regions: ["weur"],
      steps: [{ name: "home", url: "/" }],
    },
  },
]);
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const BODY = "BODYLEAK internal stacktrace db=prod-7";

describe("a failed run's message", () => {
  const deps = appDeps(probes);
  const call = appFetch(deps);
  const run: RunResult = {
    runId: `pm-home.weur.${NOW - 60_000}`,
    probeId: "pm-home",
    probeVersion: "v",
    region: "weur",
    colo: "weur",
    slotAt: NOW - 60_000,
    startedAt: NOW - 59_000,
    durationMs: 5,
    status: "down",
    failure: { class: "status", step: "home", message: `expected 200, got 500: ${BODY}` },
    steps: [
      {
        name: "home",
        kind: "http",
        status: "failed",
        ttfbMs: 4,
        totalMs: 5,
        exchanges: [{ method: "GET", url: "https://shop.example.test/", status: 500, ttfbMs: 4, totalMs: 5 }],
        assertions: [{ label: "status", passed: false, expected: "200", actual: `500 ${BODY}` }],
        failure: { class: "status", step: "home", message: `expected 200, got 500: ${BODY}` },
        evidence: {
          request: { method: "GET", url: "https://shop.example.test/", headers: {} },
          response: { status: 500, headers: {}, body: BODY, bodyBytes: BODY.length, truncated: false },
          curl: "curl https://shop.example.test/",
        },
      },
    ],
  };
  const routes = [
    "/api/v1/status",
    "/api/v1/probes/pm-home",
    "/api/v1/runs?probe=pm-home",
    `/api/v1/runs/${run.runId}`,
    "/",
    "/probes/pm-home",
    "/api/v2/summary.json",
  ];

  it("reaches no route without a token, which tell the step, the class and the status instead", async () => {
    await deps.store.saveRuns([run]);
    for (const url of routes) {
      const res = await call(url);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).not.toContain("BODYLEAK");
    }
    const one = (await (await call(`/api/v1/runs/${run.runId}`)).json()) as RunResult;
    expect(one.failure?.message).toBe('the step "home" failed: an unexpected HTTP status (HTTP 500)');
    expect(one.steps[0]!.evidence).toBeUndefined();
  });

  it("is whole for a token holder", async () => {
    const token = await generateToken();
    await env.DB.prepare(
      insertTokenSql({
        id: token.id,
        name: "reader",
        scopes: ["read"],
        secretHash: token.secretHash,
        createdAt: Date.now(),
      }),
    ).run();
    const res = await call(`/api/v1/runs/${run.runId}`, { headers: { authorization: `Bearer ${token.token}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("BODYLEAK");
  });
});
