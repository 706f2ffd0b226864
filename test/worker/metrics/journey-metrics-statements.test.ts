/**
 * The D1 work of journey metrics does not grow with the fleet: the metrics read and the metric
 * alert stage issue the same statements for 10 probes or 2,000 (the alert stage one more JSON
 * chunk when 2,000 probes breach at once), each binding at most a handful of parameters (D1
 * allows 100).
 */
import { runResult } from "../support/run-result.ts";
import { describe, expect, it } from "vitest";
import { applyMetricAlerts } from "../../../src/incidents/apply-metric-alerts.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { D1OutboxStore } from "../../../src/storage/outbox-store.ts";
import { D1ProbeStateStore } from "../../../src/storage/probe-state-store.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { HOUR_MS } from "../../../src/time.ts";
import { countingDb } from "../support/counting-db.ts";

const NOW = Date.UTC(2026, 11, 3, 10, 30);
const fleet = (
  n: number, // ids of their own per size: the alert states of one fleet are not the other's
) =>
  loadRegistry(
    Array.from({ length: n }, (_, i) => ({
      file: `probes/f${n}-${i}.ts`,
      definition: {
        id: `f${n}-${i}`,
        name: `P${i}`,
        baseUrl: "https://shop.example.test",
        regions: ["weur", "enam"],
        alerts: { metrics: { cart_total: { below: 1 } } },
        steps: [{ name: "cart", url: "/", metrics: [{ name: "cart_total", value: { from: "json", path: "$.t" } }] }],
      },
    })),
  );

async function work(n: number) {
  const probes = fleet(n);
  const { db, prepared } = countingDb();
  const store = new D1RunStore(db, () => NOW);
  await store.saveRuns(
    probes.flatMap((p) =>
      p.probe.regions.map((r) => runResult(p.probe.id, r, NOW - 60_000, { metrics: { cart_total: n } })),
    ),
  );
  const saved = prepared.length;
  const pairs = probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
  const [history] = await store.read([
    store.metricsRead(pairs, { from: NOW - 6 * HOUR_MS, to: NOW, hoursFrom: NOW - 48 * HOUR_MS }),
  ]);
  const read = prepared.length - saved;
  const outcomes = probes.flatMap((p) =>
    p.probe.regions.map((r) => ({
      probeId: p.probe.id,
      runId: `${p.probe.id}.${r}.${NOW}`,
      status: "up" as const,
      metrics: { cart_total: 0 },
    })),
  );
  const report = await applyMetricAlerts(outcomes, {
    probes,
    states: new D1ProbeStateStore(db),
    outbox: new D1OutboxStore(db),
    channels: ["ops"],
    maintenances: [],
    slotAt: NOW,
    now: NOW,
  });
  return {
    values: history.values.length,
    read,
    alerts: prepared.length - saved - read,
    breached: report.breached.length,
    maxParams: Math.max(...prepared.map((p) => p.params)),
  };
}

describe("journey metrics' statements", () => {
  it("are as many for 2,000 probes as for 10, each with at most a handful of parameters", async () => {
    const small = await work(10);
    const large = await work(2000);
    expect([small.values, small.breached, large.values, large.breached]).toEqual([20, 10, 4000, 2000]);
    expect(large.read).toBe(small.read);
    expect(small.read).toBe(2);
    // The alert stage: one read, then its states and notices as JSON lists, chunked under D1's 2 MB per
    // value: 2,000 probes breaching in the same minute take one chunk more, not 2,000 statements.
    expect(small.alerts).toBe(3);
    expect(large.alerts).toBeLessThanOrEqual(small.alerts + 2);
    expect(large.maxParams).toBeLessThanOrEqual(4);
  });
});
