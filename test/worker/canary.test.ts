/**
 * The canary test of issue 13: secrets read every way ({{secret:}}, {{env:}} of a binding that
 * is not a declared var, ctx.secret, ctx.env, and a 3-character secret), sent every way (URL
 * path, query, header, form, JSON, text) to a target that echoes them in every encoding (raw,
 * HTML, base64, \uXXXX, upper case, lower-case hex), through failing and passing runs, an
 * incident opening and closing, and notices delivered to a real webhook receiver. Then D1 (every
 * table), the logs, every GET route of the OpenAPI document with and without a token (the pages
 * and the feed included), run-now, the outbox and the webhook bodies are searched: no canary and
 * no 8-character part of one, in any of those forms.
 *
 * The pipeline is the tick's, step by step with the real parts (runner, D1 stores, incident
 * step, outbox delivery over HTTP): only the dispatch to region runners is left out, because
 * the runners' probe registry is the generated one and the canary probes are the test's own.
 */
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig } from "../../src/config.ts";
import { applyIncidentTick } from "../../src/incidents/apply-tick.ts";
import { createChannels } from "../../src/incidents/channels/registry.ts";
import { deliverDue } from "../../src/incidents/deliver-outbox.ts";
import { defineProbe, script } from "../../src/probe/define-probe.ts";
import { loadRegistry, type LoadedProbe } from "../../src/probe/registry.ts";
import type { RunResult } from "../../src/probe/result.ts";
import { runProbe, type RunnerDeps } from "../../src/probe/run-probe.ts";
import type { RunOutcome } from "../../src/schedule/shard-executor.ts";
import { incidentStores } from "../../src/storage/incident-stores.ts";
import { appDeps, appFetch } from "./support/app-deps.ts";
import { exposures } from "./support/canary.ts";
import { createToken } from "./support/tokens.ts";

const ECHOES = ["raw", "html", "base64", "unicode", "upper", "lowerhex"] as const;
const config = parseConfig(env);
const SLOT = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;

const probes: LoadedProbe[] = loadRegistry(
  ECHOES.map((as) => ({
    file: `probes/canary-${as}.ts`,
    definition: defineProbe({
      id: `canary-${as}`,
      name: `Canary ${as}`,
      group: "Canary",
      baseUrl: env.ECHO_URL,
      regions: ["weur"],
      retries: 0,
      alerts: { failuresToOpen: 1, successesToClose: 1 },
      steps: [
        {
          name: "path, query, header and JSON",
          method: "POST",
          url: "/p/{{secret:CANARY_SECRET}}/{{env:CANARY_ENV}}",
          query: { q: "{{secret:CANARY_SECRET}}", e: "{{env:CANARY_ENV}}", status: "{{status}}" },
          headers: { "x-echo-as": as, "x-key": "{{secret:SHORT_PIN}}" },
          body: { json: { s: "{{secret:CANARY_SECRET}}", e: "{{env:CANARY_ENV}}" } },
          // Passes, and still stores what it saw ("not found in …"): the body, cut to 200 characters.
          assert: [{ source: "body", op: "notContains", value: "never-there" }],
        },
        {
          name: "form",
          method: "POST",
          url: "/f",
          query: { status: "{{status}}" },
          headers: { "x-echo-as": as },
          body: { form: { s: "{{secret:CANARY_SECRET}}", e: "{{env:CANARY_ENV}}" } },
        },
        script("script", async (ctx) => {
          const sent = `${ctx.secret("CANARY_SECRET")} ${ctx.env("CANARY_ENV")} pin=${ctx.secret("SHORT_PIN")}`;
          const res = await ctx.http.post(`/s?status=${ctx.vars.sstatus ?? "200"}`, {
            headers: { "x-echo-as": as },
            body: sent,
          });
          ctx.expect(res.status, `echo of ${sent}`).toBe(200);
          ctx.expect(res.text.length, "echo length").toBeGreaterThan(0);
        }),
      ],
    }),
  })),
);

/** The run outcome the tick hands the incident step (as shard-executor makes it). */
function outcomeOf(r: RunResult): RunOutcome {
  const statusCode = r.steps.find((s) => s.status === "failed")?.exchanges.at(-1)?.status;
  return {
    probeId: r.probeId,
    runId: r.runId,
    status: r.status,
    ...(r.failure ? { failure: { ...r.failure, ...(statusCode === undefined ? {} : { statusCode }) } } : {}),
  };
}

const runner: RunnerDeps = {
  fetch: (input, init) => fetch(input, init),
  now: Date.now,
  randomId: () => crypto.randomUUID(),
  values: config.values,
  publicValueNames: config.publicValueNames,
  allowPrivateTargets: true,
};

const logs: string[] = [];
const texts: [where: string, text: string][] = [];
const results: RunResult[] = [];
let token = "";
const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
  vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
    logs.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  }),
);
afterAll(() => spies.forEach((s) => s.mockRestore()));

const deps = appDeps(probes, {
  rateLimits: {
    publicReads: env.PUBLIC_RATE_LIMIT,
    writes: env.WRITE_RATE_LIMIT,
    heartbeats: env.HEARTBEAT_RATE_LIMIT,
  },
  runNow: (probeId, region) =>
    runProbe(
      probes.find((p) => p.probe.id === probeId)!,
      { region, colo: region, slotAt: SLOT + 5 * 60_000, vars: { status: "503" } },
      runner,
    ),
});
const call = appFetch(deps);
const hookBase = new URL((JSON.parse(env.NOTIFY_CHANNELS) as { url: string }[])[0]!.url).origin;

beforeAll(async () => {
  token = await createToken("canary", ["read", "write"]);
  const { incidents, probeStates, outbox } = incidentStores(env.DB);
  const channels = createChannels(config.channels, (name) => config.values[name]);
  // Slot 1: the HTTP steps fail; slot 2: the script fails; slot 3: everything passes.
  const plan: Record<string, string>[] = [{ status: "503" }, { status: "200", sstatus: "500" }, { status: "200" }];
  for (const [i, vars] of plan.entries()) {
    const slotAt = SLOT + i * 60_000;
    const ran = await Promise.all(
      probes.map((p) => runProbe(p, { region: "weur", colo: "weur", slotAt, vars }, runner)),
    );
    results.push(...ran);
    await deps.store.saveRuns(ran);
    await applyIncidentTick(ran.map(outcomeOf), slotAt, {
      probes,
      incidents,
      states: probeStates,
      outbox,
      channels: config.channels.map((c) => c.name),
      maintenances: [],
      now: slotAt + 30_000,
    });
    await deliverDue(
      {
        outbox,
        channels,
        fetch: (input, init) => fetch(input, init),
        now: Date.now,
        random: () => 0.5,
        allowPrivateTargets: true,
      },
      100,
    );
  }
});

describe("the canary", () => {
  it("went through failing and passing runs, an incident, redaction and webhooks", async () => {
    expect(results.map((r) => r.status)).toEqual([
      ...ECHOES.map(() => "down"),
      ...ECHOES.map(() => "down"),
      ...ECHOES.map(() => "up"),
    ]);
    expect(results.slice(0, 6).map((r) => r.failure?.class)).toEqual(ECHOES.map(() => "status"));
    expect(results.slice(6, 12).map((r) => r.failure?.class)).toEqual(ECHOES.map(() => "assertion"));
    // The target echoed the secrets and the runner replaced them: redaction, not silence.
    expect(JSON.stringify(results[0])).toContain("[secret:CANARY_SECRET]");
    expect(JSON.stringify(results[6])).toContain("[secret:SHORT_PIN]");
    const incidents = await env.DB.prepare(
      "SELECT count(*) AS n FROM incidents WHERE probe_ids LIKE '%canary-%'",
    ).first<{ n: number }>();
    expect(incidents?.n).toBe(6);
    const deliveries = (await (await fetch(`${hookBase}/deliveries`)).json()) as { deliveries: { body: string }[] };
    expect(deliveries.deliveries.filter((d) => d.body.includes("canary-")).length).toBeGreaterThanOrEqual(12);
  });

  it("is nowhere: D1, logs, every API route and page with and without a token, run-now, the outbox, webhook bodies", async () => {
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'",
    ).all<{ name: string }>();
    expect(tables.results.map((t) => t.name)).toEqual(
      expect.arrayContaining(["run_blocks", "run_evidence", "rollups_hourly", "incidents", "outbox"]),
    );
    for (const { name } of tables.results)
      texts.push([`D1 ${name}`, JSON.stringify((await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results)]);

    const doc = (await (await call("/api/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
    const runIds = results.map((r) => r.runId);
    const fill = (path: string): string[] => {
      if (path.includes("/runs/{id}")) return runIds.map((id) => path.replace("{id}", id));
      if (path.includes("/incidents/{id}")) return [];
      return ECHOES.slice(0, 2).map((as) =>
        path.replace("{id}", `canary-${as}`).replace("{group}", "Canary").replace("{metric}", "status"),
      );
    };
    const incidentIds = ((await env.DB.prepare("SELECT id FROM incidents").all<{ id: string }>()).results ?? []).map(
      (r) => `/api/v1/incidents/${r.id}`,
    );
    const gets = [
      ...new Set(Object.entries(doc.paths).flatMap(([path, methods]) => ("get" in methods ? fill(path) : []))),
    ];
    for (const url of [
      ...gets,
      ...incidentIds,
      "/api/v1/runs?probe=canary-raw",
      "/api/v1/runs?probe=canary-base64&status=down",
      "/api/v1/outbox?limit=200",
    ]) {
      for (const auth of [{}, { authorization: `Bearer ${token}` }] as Record<string, string>[]) {
        const res = await call(url, { headers: auth });
        expect(res.status, url).toBeLessThan(500);
        texts.push([`GET ${url}${"authorization" in auth ? " (token)" : ""}`, await res.text()]);
      }
    }
    const runNow = await call("/api/v1/probes/canary-html/run?region=weur", {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(runNow.status).toBe(200);
    texts.push(["run-now", await runNow.text()]);
    texts.push(["webhook bodies", JSON.stringify((await (await fetch(`${hookBase}/deliveries`)).json()) as unknown)]);
    texts.push(["logs", logs.join("\n")]);
    expect(texts.length).toBeGreaterThan(60);

    const found = texts.flatMap(([where, text]) =>
      [env.CANARY_SECRET, env.CANARY_ENV].flatMap((secret) => exposures(text, secret).map((e) => `${where}: ${e}`)),
    );
    expect(found).toEqual([]);
    // The 3-character secret, where texts are ours alone (pages carry random nonces and hashes).
    const pinTexts = texts.filter(
      ([where]) =>
        where.startsWith("D1 runs") ||
        where.startsWith("D1 outbox") ||
        where.includes("/api/v1/runs") ||
        where === "run-now" ||
        where === "webhook bodies",
    );
    expect(pinTexts.flatMap(([where, text]) => exposures(text, env.SHORT_PIN).map((e) => `${where}: ${e}`))).toEqual(
      [],
    );
  });
});
