/**
 * The incident store's list statements on a real local D1: a list of any length is one JSON
 * parameter read through json_each, so no statement comes near D1's 100 bound parameters, and
 * what comes back is what was written.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Incident } from "../../../src/incidents/model.ts";
import { D1IncidentStore } from "../../../src/storage/incident-store.ts";
import { D1OutboxStore } from "../../../src/storage/outbox-store.ts";
import { D1ProbeStateStore } from "../../../src/storage/probe-state-store.ts";
import { countingDb } from "../support/counting-db.ts";

const T = Date.UTC(2026, 10, 23, 9, 0);
const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);

describe("probe states", () => {
  it("reads the states of 1,000 ids in one statement with one parameter", async () => {
    const keys = ids("many", 1000);
    const writer = new D1ProbeStateStore(env.DB);
    await writer.run(
      writer.saveProbeStatesStatements(
        keys.map((key, i) => ({ key, slotAt: T + i, state: { n: i, note: `état ${i} "quoted"` } })),
        T,
      ),
    );

    const counting = countingDb();
    const states = await new D1ProbeStateStore(counting.db).probeStates([...keys, "never-stored"]);
    expect(counting.prepared).toEqual([{ sql: expect.stringContaining("json_each(?1)"), params: 1 }]);
    expect(states.size).toBe(1000);
    expect(states.get("many-0999")).toEqual({ lastSlot: T + 999, state: { n: 999, note: 'état 999 "quoted"' } });
    expect(states.has("never-stored")).toBe(false);
  });

  it("advances each state only to a newer slot, as the single-row statement does", async () => {
    const store = new D1ProbeStateStore(env.DB);
    await store.run(store.saveProbeStatesStatements([{ key: "cas-a", slotAt: T + 5, state: { v: "new" } }], T));
    const { rowsWritten } = await store.run(
      store.saveProbeStatesStatements(
        [
          { key: "cas-a", slotAt: T + 4, state: { v: "late" } },
          { key: "cas-b", slotAt: T + 4, state: { v: "b" } },
        ],
        T,
      ),
    );
    expect(rowsWritten).toBe(1);
    const states = await store.probeStates(["cas-a", "cas-b"]);
    expect(Object.fromEntries(states)).toEqual({
      "cas-a": { lastSlot: T + 5, state: { v: "new" } },
      "cas-b": { lastSlot: T + 4, state: { v: "b" } },
    });
  });
});

describe("incidents, updates, resolutions and notices as lists", () => {
  const incident = (id: string, i: number): Incident => ({
    id,
    kind: "automatic",
    title: `Probe ${i} is down — "ünïcode" <b>`,
    impact: "major",
    status: "investigating",
    probeIds: [id.replace(/-\d+$/, "")],
    regions: ["weur", "apac"],
    startedAt: T - 60_000,
    resolvedAt: null,
    createdAt: T,
    updatedAt: T,
    failure: i % 2 ? { step: "read cart", class: "status", message: `HTTP 503 #${i}`, runId: `${id}.weur.${T}` } : null,
    public: i % 3 !== 0,
    updates: [{ id: "detected", status: "investigating", body: `Detected ${i}`, createdAt: T }],
  });

  it("writes 300 of each in a few statements, reads them back as written, and stays idempotent", async () => {
    const incidents = ids("bulk", 300).map(incident);
    const counting = countingDb();
    const store = new D1IncidentStore(counting.db);
    const outboxStore = new D1OutboxStore(counting.db);
    const notices = incidents.map((i) => ({
      id: `${i.id}:down:ops`,
      channel: "ops",
      payload: { incident: i.id, burn: { budgetRemaining: 0.1 + 0.2, rates: [14.4, 1 / 3] } },
      at: T,
    }));
    const statements = [...store.insertIncidentsStatements(incidents), ...outboxStore.enqueueStatements(notices)];
    expect(statements.length).toBe(3);
    await store.run(statements);
    expect(Math.max(...counting.prepared.map((p) => p.params))).toBe(1);

    for (const i of [incidents[0]!, incidents[1]!, incidents[299]!]) expect(await store.getIncident(i.id)).toEqual(i);
    const outbox = (await outboxStore.listOutbox({ limit: 1000 })).filter((o) => o.id.startsWith("bulk-"));
    expect(outbox).toHaveLength(300);
    expect(outbox.find((o) => o.id === "bulk-0007:down:ops")).toMatchObject({
      status: "pending",
      attempts: 0,
      nextAttemptAt: T,
      payload: { incident: "bulk-0007", burn: { budgetRemaining: 0.1 + 0.2, rates: [14.4, 1 / 3] } },
    });

    // A replay of the same batch changes nothing.
    expect(
      await store.run([...store.insertIncidentsStatements(incidents), ...outboxStore.enqueueStatements(notices)]),
    ).toEqual({ rowsWritten: 0 });

    // Resolved in one statement each for the updates and the status; an earlier resolution time is kept.
    await store.run([store.setStatusStatement("bulk-0000", "resolved", T + 60_000)]);
    const resolutions = incidents.map((i) => ({ incidentId: i.id, at: T + 120_000 }));
    const resolving = [
      ...store.insertUpdatesStatements(
        incidents.map((i) => ({
          incidentId: i.id,
          update: { id: "recovered", status: "resolved" as const, body: "Recovered.", createdAt: T + 180_000 },
        })),
      ),
      ...store.resolveIncidentsStatements(resolutions),
    ];
    expect(resolving.length).toBe(2);
    await store.run(resolving);
    expect(await store.getIncident("bulk-0000")).toMatchObject({
      status: "resolved",
      resolvedAt: T + 60_000,
      updatedAt: T + 120_000,
    });
    expect(await store.getIncident("bulk-0123")).toMatchObject({
      status: "resolved",
      resolvedAt: T + 120_000,
      updates: [{ id: "recovered" }, { id: "detected" }],
    });
  });
});
