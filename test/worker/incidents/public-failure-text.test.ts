/**
 * Finding 5 of issue 13: an automatic incident's public text is made of the failing step, the
 * failure class and the HTTP status, never of the failure message (which quotes the response
 * body); the message reaches no public route unless STATUS_PAGE.showFailureEvidence is on.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { applyIncidentTick } from "../../../src/incidents/apply-tick.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { appDeps, appFetch } from "../support/app-deps.ts";
import { createToken } from "../support/tokens.ts";

const BODY = "internal stack: db-password=hunter2 at /srv/app.js:42";
const probes = loadRegistry([
  {
    file: "probes/p.ts",
    definition: {
      id: "pay",
      name: "Payments",
      group: "Checkout",
      baseUrl: "https://pay.example.test",
      regions: ["weur"],
      alerts: { failuresToOpen: 1 },
      retries: 0,
      steps: [{ name: "charge", url: "/c" }],
    },
  },
]);
const SLOT = 1_800_000_000_000;

async function openIncident(): Promise<void> {
  const { incidents, probeStates, outbox } = incidentStores(env.DB);
  const outcome = {
    probeId: "pay",
    runId: `pay.weur.${SLOT}`,
    status: "down" as const,
    failure: { step: "charge", class: "status", message: `expected status 200, got 503: ${BODY}`, statusCode: 503 },
  };
  const report = await applyIncidentTick([outcome], SLOT, {
    probes,
    incidents,
    states: probeStates,
    outbox,
    channels: [],
    maintenances: [],
    now: SLOT + 1000,
  });
  expect(report.opened).toHaveLength(1);
}

describe("public incident text", () => {
  it("names the step, the class and the status, and leaves the response body out", async () => {
    await openIncident();
    const call = appFetch(
      appDeps(probes, {
        rateLimits: {
          publicReads: env.PUBLIC_RATE_LIMIT,
          writes: env.WRITE_RATE_LIMIT,
          heartbeats: env.HEARTBEAT_RATE_LIMIT,
        },
      }),
    );
    const incidents = (await (await call("/api/v1/incidents")).json()) as {
      incidents: { updates: { body: string }[]; failure: { message: string } }[];
    };
    expect(incidents.incidents[0]!.updates[0]!.body).toBe(
      'Afterlife detected a failure from weur: the step "charge" failed: an unexpected HTTP status (HTTP 503).',
    );
    expect(incidents.incidents[0]!.failure.message).toBe(
      'the step "charge" failed: an unexpected HTTP status (HTTP 503)',
    );
    for (const path of [
      "/api/v1/incidents",
      "/api/v2/incidents.json",
      "/api/v2/summary.json",
      "/",
      "/history",
      "/feed.atom",
    ]) {
      const text = await (await call(path)).text();
      expect(text, path).not.toContain("hunter2");
      expect(text, path).not.toContain("stack");
    }
  });

  it("a token holder still gets the message, as does the public with showFailureEvidence on", async () => {
    const token = await createToken("ops", ["read"]);
    const call = appFetch(
      appDeps(probes, {
        rateLimits: {
          publicReads: env.PUBLIC_RATE_LIMIT,
          writes: env.WRITE_RATE_LIMIT,
          heartbeats: env.HEARTBEAT_RATE_LIMIT,
        },
      }),
    );
    const withToken = await (await call("/api/v1/incidents", { headers: { authorization: `Bearer ${token}` } })).text();
    expect(withToken).toContain("hunter2");
    const shown = appDeps(probes, {
      rateLimits: {
        publicReads: env.PUBLIC_RATE_LIMIT,
        writes: env.WRITE_RATE_LIMIT,
        heartbeats: env.HEARTBEAT_RATE_LIMIT,
      },
    });
    shown.config = { ...shown.config, values: { ...shown.config.values, STATUS_PAGE: '{"showFailureEvidence":true}' } };
    expect(await (await appFetch(shown)("/api/v1/incidents")).text()).toContain("hunter2");
  });
});
