import { env } from "cloudflare:workers";
import { it } from "vitest";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { loadStatusPage } from "../../../src/page/load-page.ts";
import { parsePageConfig } from "../../../src/page/page-config.ts";
import { StatusPage } from "../../../src/page/status-page.tsx";
import { renderDocument } from "../../../src/page/layout.tsx";
import { buildStatusView } from "../../../src/page/view-model.ts";
import { encodeHistogram, emptyHistogram } from "../../../src/slo/latency-histogram.ts";
import type { AppDeps } from "../../../src/api/app-env.ts";

const REGIONS = ["weur", "enam", "apac", "wnam", "eeur"];
it("profile", async () => {
  const probes = loadRegistry(Array.from({ length: 50 }, (_, i) => ({ file: `p${i}.ts`, definition: { id: `p-${i}`, name: `Probe ${i}`, group: `G${i % 10}`, regions: REGIONS, steps: [{ name: "s", url: "http://x/" }] } })));
  const now = Date.now();
  const day0 = Math.floor(now / 86_400_000) * 86_400_000 - 89 * 86_400_000;
  const h = emptyHistogram(); h[20] = 1000; h[21] = 400; h[25] = 30;
  const lat = encodeHistogram(h);
  const stmts = [];
  for (const p of probes) for (const r of REGIONS) for (let d = 0; d < 90; d++)
    stmts.push(env.DB.prepare("INSERT INTO rollups_daily (probe_id, region, day_at, total, up, degraded, down, latency, step_failures) VALUES (?,?,?,?,?,?,?,?,?)").bind(p.probe.id, r, day0 + d * 86_400_000, 1440, 1430, 2, 8, lat, "{}"));
  for (let i = 0; i < stmts.length; i += 500) await env.DB.batch(stmts.slice(i, i + 500));
  const deps = { config: { values: {}, rawRetentionDays: 14 }, probes, store: new D1RunStore(env.DB), now: () => now } as unknown as AppDeps;
  const config = parsePageConfig({});
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const [latest, daily] = await Promise.all([deps.store.latestRuns(probes.flatMap((p) => REGIONS.map((region) => ({ probeId: p.probe.id, region })))), deps.store.rollups(probes.map((p) => ({ probeId: p.probe.id, regions: REGIONS, grain: "day" as const, from: day0, to: now + 1 })))]);
    const t1 = performance.now();
    const t1b = performance.now();
    const view = await loadStatusPage(deps, config);
    const t2 = performance.now();
    const html = String(await renderDocument(StatusPage({ view, nonce: "abc" })));
    const t3 = performance.now();
    console.log({ d1: t1 - t0, latest: latest.length, daily: daily.value.length, load: t2 - t1b, render: t3 - t2, bytes: html.length });
  }
}, 120_000);
