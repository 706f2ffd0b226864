/**
 * Finding 6 of issue 13: with a private probe (`public: false`) that has runs, incidents,
 * maintenance and notices, every route of the OpenAPI document answers a caller without a token
 * as if the probe did not exist. With a token the same routes show it, so the test would see a
 * leak. One incident is moved onto the private probe by PATCH: it becomes private too.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/probe/registry.ts";
import type { RunResult } from "../../../src/probe/result.ts";
import { D1IncidentStore } from "../../../src/storage/incident-store.ts";
import { D1OutboxStore } from "../../../src/storage/outbox-store.ts";
import { appDeps, appFetch } from "../support/app-deps.ts";
import { createToken } from "../support/tokens.ts";

const probes = loadRegistry([
  {
    file: "probes/home.ts",
    definition: {
      id: "open-home",
      name: "Home",
      group: "Storefront",
      baseUrl: "https://shop.example.test",
      regions: ["weur", "apac"],
      steps: [{ name: "s", url: "/" }],
    },
  },
  {
    file: "probes/vault.ts",
    definition: {
      id: "vault-keeper",
      name: "Vault keeper console",
      group: "Vault back office",
      public: false,
      baseUrl: "https://vault.internal.test",
      regions: ["weur"],
      steps: [{ name: "open vault", url: "/keys" }],
    },
  },
]);
/** Anything of the private probe: its id, name, group, target and the texts written about it. */
const PRIVATE = /vault/i;

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const deps = appDeps(probes, {
  rateLimits: {
    publicReads: env.PUBLIC_RATE_LIMIT,
    writes: env.WRITE_RATE_LIMIT,
    heartbeats: env.HEARTBEAT_RATE_LIMIT,
  },
});
const call = appFetch(deps);
let token = "";
const ids = {
  run: `vault-keeper.weur.${NOW - 60_000}`,
  incident: "inc_vault_auto",
  moved: "",
  maintenance: "",
  release: "",
  mixedRelease: "",
};

function run(probeId: string, slotAt: number, status: RunResult["status"]): RunResult {
  return {
    runId: `${probeId}.weur.${slotAt}`,
    probeId,
    probeVersion: "v1",
    region: "weur",
    colo: "weur",
    slotAt,
    startedAt: slotAt + 100,
    durationMs: 12,
    status,
    ...(status === "down"
      ? {
          failure: {
            class: "status",
            step: "open vault",
            message: "expected status 200, got 503 from https://vault.internal.test/keys",
          },
        }
      : {}),
    // Journey metrics of both probes: the private one's name and value must not reach /metrics or the metrics route.
    metrics: probeId === "vault-keeper" ? { vault_keys: 7 } : { cart_total: 5 },
    steps: [],
  };
}

beforeAll(async () => {
  token = await createToken("ops", ["read", "write"]);
  const authed = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  await deps.store.saveRuns([
    run("open-home", NOW - 60_000, "up"),
    run("vault-keeper", NOW - 60_000, "down"),
    run("vault-keeper", NOW - 120_000, "up"),
  ]);
  const incidents = new D1IncidentStore(env.DB);
  await incidents.run(
    incidents.insertIncidentStatements({
      id: ids.incident,
      kind: "automatic",
      title: "Vault keeper console is down",
      impact: "major",
      status: "investigating",
      probeIds: ["vault-keeper"],
      regions: ["weur"],
      startedAt: NOW - 60_000,
      resolvedAt: null,
      createdAt: NOW - 60_000,
      updatedAt: NOW - 60_000,
      failure: { step: "open vault", class: "status", message: "vault says 503", runId: ids.run },
      public: false,
      updates: [{ id: "upd_vault", status: "investigating", body: "Vault is down", createdAt: NOW - 60_000 }],
    }),
  );
  const outbox = new D1OutboxStore(env.DB);
  await outbox.run([
    outbox.enqueueStatement({
      id: `${ids.incident}:down:ops`,
      channel: "ops",
      payload: { text: "vault down" },
      at: NOW,
    }),
  ]);

  const created = await call("/api/v1/incidents", {
    method: "POST",
    headers: authed,
    body: JSON.stringify({ title: "Slow vault checks", probeIds: ["open-home"], body: "Looking into the vault." }),
  });
  expect(created.status).toBe(201);
  ids.moved = ((await created.json()) as { id: string }).id;
  const moved = await call(`/api/v1/incidents/${ids.moved}`, {
    method: "PATCH",
    headers: authed,
    body: JSON.stringify({ probeIds: ["vault-keeper"] }),
  });
  expect(((await moved.json()) as { public: boolean }).public).toBe(false);

  const maintenance = await call("/api/v1/maintenances", {
    method: "POST",
    headers: authed,
    body: JSON.stringify({
      title: "Vault upgrade",
      body: "Vault keys move.",
      probeIds: ["vault-keeper"],
      schedule: { kind: "once", startsAt: NOW - 3_600_000, endsAt: NOW + 3_600_000 },
    }),
  });
  expect(maintenance.status, await maintenance.clone().text()).toBe(201);
  ids.maintenance = ((await maintenance.json()) as { id: string }).id;

  // A release of the private probe, and one of both probes: neither is public.
  for (const [key, probeIds] of [
    ["release", ["vault-keeper"]],
    ["mixedRelease", ["open-home", "vault-keeper"]],
  ] as const) {
    const release = await call("/api/v1/releases", {
      method: "POST",
      headers: authed,
      body: JSON.stringify({ version: "vault-7", probeIds, description: "vault keys rotated" }),
    });
    expect(release.status, await release.clone().text()).toBe(201);
    ids[key] = ((await release.json()) as { id: string }).id;
  }
});

interface Operation {
  path: string;
  query: string[];
}

async function getOperations(): Promise<Operation[]> {
  const doc = (await (await call("/api/openapi.json")).json()) as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => method === "get")
      .map(([, op]) => ({ path, query: (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name) })),
  );
}

/** Every way to name the private probe's things in a path. */
function concrete(op: Operation): string[] {
  const fill: Record<string, string[]> = {
    "/api/v1/probes/{id}": ["/api/v1/probes/vault-keeper"],
    "/api/v1/probes/{id}/metrics": ["/api/v1/probes/vault-keeper/metrics", "/api/v1/probes/open-home/metrics"],
    "/api/v1/runs/{id}": [`/api/v1/runs/${ids.run}`],
    "/api/v1/runs/{id}/screenshot": [`/api/v1/runs/${ids.run}/screenshot`],
    "/api/v1/incidents/{id}": [`/api/v1/incidents/${ids.incident}`, `/api/v1/incidents/${ids.moved}`],
    "/probes/{id}": ["/probes/vault-keeper"],
    "/api/v1/releases/{id}": [`/api/v1/releases/${ids.release}`, `/api/v1/releases/${ids.mixedRelease}`],
    "/api/v1/badges/probes/{id}/{metric}": ["status", "uptime", "latency"].map(
      (m) => `/api/v1/badges/probes/vault-keeper/${m}`,
    ),
    // Pings answer the same 401 for any id without its secret: nothing about the probe.
    "/hb/{id}": ["/hb/vault-keeper"],
    "/hb/{id}/{a}": ["/hb/vault-keeper/start", "/hb/vault-keeper/fail"],
    "/hb/{id}/{a}/{b}": ["/hb/vault-keeper/hb_0000000000000000000000000000000/fail"],
    "/api/v1/badges/groups/{group}/{metric}": ["status", "uptime", "latency"].map(
      (m) => `/api/v1/badges/groups/${encodeURIComponent("Vault back office")}/${m}`,
    ),
  };
  const paths = fill[op.path] ?? [op.path];
  expect(
    paths.every((p) => !p.includes("{")),
    `no filler for ${op.path}`,
  ).toBe(true);
  const queries = [""];
  if (op.query.includes("probe")) queries.push("?probe=vault-keeper");
  if (op.query.includes("group")) queries.push(`?group=${encodeURIComponent("Vault back office")}`);
  if (op.query.includes("region")) queries.push("?probe=vault-keeper&region=weur");
  if (op.query.includes("format")) queries.push("?format=json");
  if (op.query.includes("unresolved")) queries.push("?unresolved=true");
  return paths.flatMap((p) => queries.map((q) => p + q));
}

describe("a private probe, without a token", () => {
  it("appears in no response of any GET route of the OpenAPI document", async () => {
    const ops = await getOperations();
    expect(ops.length).toBeGreaterThan(25);
    const urls = ops.flatMap(concrete);
    const leaks: string[] = [];
    for (const url of urls) {
      const res = await call(url);
      const raw = await res.text();
      expect(res.status, `${url}: ${raw.slice(0, 200)}`).toBeLessThan(500);
      // A 404 may echo what the caller asked for; that tells them nothing they did not send.
      const asked = new URL(url, "http://x").pathname
        .split("/")
        .filter((s) => PRIVATE.test(s))
        .flatMap((s) => [s, decodeURIComponent(s)]);
      const text = asked.reduce((t, segment) => t.replaceAll(segment, ""), raw);
      if (PRIVATE.test(text))
        leaks.push(
          `${url} (${res.status}): …${text.slice(Math.max(0, text.search(PRIVATE) - 60), text.search(PRIVATE) + 60)}…`,
        );
    }
    expect(leaks).toEqual([]);
  });

  it("is there for a token holder, so the walk above would see a leak", async () => {
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const shown = await Promise.all(
      [
        "/api/v1/probes/vault-keeper",
        `/api/v1/runs/${ids.run}`,
        "/api/v1/status",
        "/api/v1/groups",
        "/api/v1/slo?probe=vault-keeper",
        "/api/v1/maintenances",
        "/api/v1/runs?probe=vault-keeper",
        "/api/v1/releases",
        `/api/v1/releases/${ids.release}`,
      ].map(async (url) => {
        const res = await call(url, auth);
        return [url, res.status, PRIVATE.test(await res.text())];
      }),
    );
    expect(shown.filter(([, status, leaked]) => status !== 200 || !leaked)).toEqual([]);
    const metrics = (await (await call("/api/v1/probes/vault-keeper/metrics", auth)).json()) as {
      metrics: { name: string; latest: { value: number }[] }[];
    };
    expect(metrics.metrics.map((m) => [m.name, m.latest.map((l) => l.value)])).toEqual([["vault_keys", [7]]]);
  });

  it("its maintenance and incidents are left out while the public probe's stay", async () => {
    const maintenances = (await (await call("/api/v1/maintenances")).json()) as { maintenances: unknown[] };
    expect(maintenances.maintenances).toEqual([]);
    const incidents = (await (await call("/api/v1/incidents")).json()) as { incidents: { id: string }[] };
    expect(incidents.incidents.map((i) => i.id)).not.toContain(ids.moved);
    const status = (await (await call("/api/v1/status")).json()) as { probes: { id: string }[] };
    expect(status.probes.map((p) => p.id)).toEqual(["open-home"]);
    // The public probe's journey metrics are served: the walk above would see the private one's.
    const open = (await (await call("/api/v1/probes/open-home/metrics")).json()) as {
      metrics: { name: string; latest: { value: number }[] }[];
    };
    expect(open.metrics.map((m) => [m.name, m.latest.map((l) => l.value)])).toEqual([["cart_total", [5]]]);
    expect(await (await call("/metrics")).text()).toContain(
      'afterlife_journey_metric{probe="open-home",region="weur",name="cart_total"} 5\n',
    );
  });
});
