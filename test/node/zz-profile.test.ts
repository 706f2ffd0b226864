import { it } from "vitest";
import { loadRegistry } from "../../src/probe/registry.ts";
import { parsePageConfig } from "../../src/page/page-config.ts";
import { StatusPage } from "../../src/page/status-page.tsx";
import { renderDocument } from "../../src/page/layout.tsx";
import { buildStatusView } from "../../src/page/view-model.ts";
import { decodeHistogram, encodeHistogram, emptyHistogram } from "../../src/slo/latency-histogram.ts";
import type { Rollup } from "../../src/storage/rollup-rows.ts";

const REGIONS = ["weur", "enam", "apac", "wnam", "eeur"];
it("profile", async () => {
  const probes = loadRegistry(Array.from({ length: 50 }, (_, i) => ({ file: `p${i}.ts`, definition: { id: `p-${i}`, name: `Probe ${i}`, group: `G${i % 10}`, regions: REGIONS, steps: [{ name: "s", url: "http://x/" }] } })));
  const now = Date.now();
  const day0 = Math.floor(now / 86_400_000) * 86_400_000 - 89 * 86_400_000;
  const h = emptyHistogram(); h[20] = 1000; h[21] = 400; h[25] = 30;
  const lat = encodeHistogram(h);
  const daily: Rollup[] = [];
  for (const p of probes) for (const r of REGIONS) for (let d = 0; d < 90; d++) daily.push({ probeId: p.probe.id, region: r, grain: "day", bucketAt: day0 + d * 86_400_000, total: 1440, up: 1430, degraded: 2, down: 8, latency: decodeHistogram(lat), stepFailures: {} });
  const overview = { state: "operational" as const, checkedAt: now, probes: probes.map((p) => ({ id: p.probe.id, name: p.probe.name, group: p.probe.group, description: "", state: "up" as const, regions: [], lastRunAt: now })) };
  const config = parsePageConfig({});
  for (let k = 0; k < 6; k++) {
    const t0 = performance.now();
    let dec = 0; for (let i = 0; i < 22500; i++) dec += decodeHistogram(lat).length;
    const t1 = performance.now();
    const view = buildStatusView({ config, now, probes, overview, daily, notices: { incidents: [], maintenances: [], windows: [] } });
    const t2 = performance.now();
    const html = String(await renderDocument(StatusPage({ view, nonce: "abc" })));
    const t3 = performance.now();
    console.log(JSON.stringify({ decode: (t1 - t0).toFixed(1), view: (t2 - t1).toFixed(1), render: (t3 - t2).toFixed(1), bytes: html.length }));
  }
}, 120_000);
