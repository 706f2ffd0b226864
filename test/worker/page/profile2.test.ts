import { env } from "cloudflare:workers";
import { it } from "vitest";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { encodeHistogram, emptyHistogram } from "../../../src/slo/latency-histogram.ts";

const REGIONS = ["weur", "enam", "apac", "wnam", "eeur"];
it("d1", async () => {
  const now = Date.now();
  const day0 = Math.floor(now / 86_400_000) * 86_400_000 - 89 * 86_400_000;
  const h = emptyHistogram(); h[20] = 1000; h[21] = 400; h[25] = 30; h[18] = 3; h[22] = 5;
  const lat = encodeHistogram(h);
  const ids = Array.from({ length: 50 }, (_, i) => `p-${i}`);
  const stmts = [];
  for (const id of ids) for (const r of REGIONS) {
    for (let d = 0; d < 90; d++) stmts.push(env.DB.prepare("INSERT INTO rollups_daily (probe_id, region, day_at, total, up, degraded, down, latency, step_failures) VALUES (?,?,?,?,?,?,?,?,?)").bind(id, r, day0 + d * 86_400_000, 1440, 1430, 2, 8, lat, "{}"));
    for (let m = 0; m < 30; m++) stmts.push(env.DB.prepare(`INSERT INTO runs (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms, failure_class, failure_step, failure_message, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`).bind(id, r, now - m * 60000, "v", r, "up", now - m * 60000, 120, null, null, null, '{"steps":[]}'));
  }
  for (let i = 0; i < stmts.length; i += 500) await env.DB.batch(stmts.slice(i, i + 500));
  const store = new D1RunStore(env.DB);
  const pairs = ids.flatMap((probeId) => REGIONS.map((region) => ({ probeId, region })));
  for (let k = 0; k < 4; k++) {
    const t0 = performance.now();
    const latest = await store.latestRuns(pairs);
    const t1 = performance.now();
    const rollups = await store.rollups(ids.map((probeId) => ({ probeId, regions: REGIONS, grain: "day" as const, from: day0, to: now + 1 })));
    const t2 = performance.now();
    const raw = await env.DB.batch(ids.map((id) => env.DB.prepare(`SELECT probe_id, region, day_at AS bucket_at, total, up, degraded, down, latency, step_failures FROM rollups_daily WHERE probe_id = ? AND region IN (?, ?, ?, ?, ?) AND day_at >= ? AND day_at < ? ORDER BY region, day_at`).bind(id, ...REGIONS, day0, now + 1)));
    const t3 = performance.now();
    const both = await Promise.all([store.latestRuns(pairs), store.rollups(ids.map((probeId) => ({ probeId, regions: REGIONS, grain: "day" as const, from: day0, to: now + 1 })))]);
    const t4 = performance.now();
    const agg = await env.DB.batch(ids.map((id) => env.DB.prepare(`SELECT day_at, sum(total) t, sum(up) u, sum(degraded) g, sum(down) d FROM rollups_daily WHERE probe_id = ? AND region IN (?, ?, ?, ?, ?) AND day_at >= ? AND day_at < ? GROUP BY day_at`).bind(id, ...REGIONS, day0, now + 1)));
    const t5 = performance.now();
    const one = await env.DB.batch(ids.map((id) => env.DB.prepare(`SELECT r.region, r.slot_at, r.status FROM runs r WHERE r.probe_id = ?1 AND r.slot_at = (SELECT max(slot_at) FROM runs r2 WHERE r2.probe_id = ?1 AND r2.region = r.region) AND r.region IN (?2, ?3, ?4, ?5, ?6)`).bind(id, ...REGIONS)));
    const t6 = performance.now();
    const m0 = performance.now();
    const merged = await env.DB.batch(ids.map((id) => env.DB.prepare(`SELECT r.day_at, sum(r.total) t, sum(r.up) u, sum(r.degraded) g, sum(r.down) d,
      (SELECT json_group_object(k, n) FROM (SELECT j.key k, sum(j.value) n FROM rollups_daily r2, json_each(r2.latency) j WHERE r2.probe_id = ?1 AND r2.region IN (?2, ?3, ?4, ?5, ?6) AND r2.day_at = r.day_at GROUP BY j.key)) latency
      FROM rollups_daily r WHERE r.probe_id = ?1 AND r.region IN (?2, ?3, ?4, ?5, ?6) AND r.day_at >= ?7 AND r.day_at < ?8 GROUP BY r.day_at`).bind(id, ...REGIONS, day0, now + 1)));
    const m1 = performance.now();
    if (k === 0) console.log(JSON.stringify(merged[0]!.results[0]), merged[0]!.meta.rows_read);
    console.log(JSON.stringify({ merged: m1 - m0, nm: merged.reduce((n, o) => n + o.results.length, 0), rowsRead: merged.reduce((n, o) => n + (o.meta.rows_read ?? 0), 0) }));
    console.log(JSON.stringify({ latest: t1 - t0, n: latest.length, rollups: t2 - t1, n2: rollups.value.length, rawBatch: t3 - t2, n3: raw.reduce((n, o) => n + o.results.length, 0), parallel: t4 - t3, aggregated: t5 - t4, n5: agg.reduce((n, o) => n + o.results.length, 0), latestPerProbe: t6 - t5, n6: one.reduce((n, o) => n + o.results.length, 0) }));
  }
}, 120_000);
