/**
 * Packed reads (storage/d1-read.ts) on a real local D1: a read asked for as one JSON expression
 * gives exactly what its own statements give, for any text a row holds, and a batch of packed
 * reads is one statement.
 */
import fc from "fast-check";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { Incident, Maintenance } from "../../../src/incidents/model.ts";
import { combineReads, readTogether, type D1Read } from "../../../src/storage/d1-read.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { decodeBoard } from "../../../src/page/status-board.ts";
import { D1IncidentStore } from "../../../src/storage/incident-store.ts";
import { D1MaintenanceStore } from "../../../src/storage/maintenance-store.ts";
import { countingDb } from "../support/counting-db.ts";

const T = Date.UTC(2026, 11, 1, 8, 0);

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    kind: "manual",
    title: `Title of ${id}`,
    impact: "minor",
    status: "investigating",
    probeIds: ["packed-a", "packed-b"],
    regions: ["weur"],
    startedAt: T,
    resolvedAt: null,
    createdAt: T,
    updatedAt: T,
    failure: null,
    public: true,
    updates: [],
    ...over,
  };
}

function maintenance(id: string, over: Partial<Maintenance> = {}): Maintenance {
  return {
    id,
    title: `Window ${id}`,
    body: "Planned work",
    probeIds: ["packed-a"],
    schedule: { kind: "once", startsAt: T + 3_600_000, endsAt: T + 7_200_000 },
    excludeFromSlo: true,
    createdAt: T,
    updatedAt: T,
    cancelledAt: null,
    ...over,
  };
}

/** A read's value from its own statements, and from its packed expression alone. */
async function bothWays<T>(read: D1Read<T>): Promise<{ batched: T; packed: T }> {
  const batched = read.decode(await env.DB.batch([...read.statements]));
  const packed = read.packed!;
  const row = await env.DB.prepare(`SELECT ${packed.sql} AS packed`)
    .bind(...packed.params)
    .first<{ packed: string | null }>();
  return { batched, packed: packed.decode(row?.packed == null ? null : JSON.parse(row.packed)) };
}

const incidents = new D1IncidentStore(env.DB);
const maintenances = new D1MaintenanceStore(env.DB);
const histories = new D1DayHistoryStore(env.DB);

describe("packed reads", () => {
  beforeAll(async () => {
    await env.DB.batch([
      ...incidents.insertIncidentStatements(
        incident("packed-1", {
          title: `Quotes " ' \\ and </script> and ünïcode ✓`,
          startedAt: T - 60_000,
          failure: { step: "cart", class: "status", message: "HTTP 503", runId: "run-1" } as Incident["failure"],
          updates: [
            { id: "u1", status: "investigating", body: "First look.\nTwo lines.", createdAt: T - 60_000 },
            { id: "u2", status: "identified", body: 'Found it: {"json": true}', createdAt: T },
          ],
        }),
      ),
      // Started in the same minute as packed-3: the id orders them, in both forms.
      ...incidents.insertIncidentStatements(incident("packed-2", { public: false, startedAt: T })),
      ...incidents.insertIncidentStatements(
        incident("packed-3", { status: "resolved", resolvedAt: T + 60_000, startedAt: T }),
      ),
    ]);
    await maintenances.insertMaintenance(maintenance("packed-m1"));
    await maintenances.insertMaintenance(maintenance("packed-m2", { createdAt: T + 1, cancelledAt: T + 5 }));
    await maintenances.insertMaintenance(
      maintenance("packed-m3", {
        createdAt: T + 2,
        schedule: { kind: "recurring", cron: "0 3 * * 1", durationMinutes: 30, timeZone: "Europe/Berlin" },
      }),
    );
  });

  it("lists incidents with their updates exactly as the two statements do, for every filter", async () => {
    for (const filter of [
      { limit: 100 },
      { limit: 2 },
      { publicOnly: true, limit: 100 },
      { unresolvedOnly: true, limit: 100 },
      { before: T, limit: 100 },
    ]) {
      const { batched, packed } = await bothWays(incidents.listIncidentsRead(filter));
      expect(packed, JSON.stringify(filter)).toEqual(batched);
    }
    const { packed } = await bothWays(incidents.listIncidentsRead({ publicOnly: true, limit: 100 }));
    expect(packed.map((i) => i.id)).toEqual(["packed-3", "packed-1"]);
    expect(packed[1]!.updates.map((u) => u.body)).toEqual(['Found it: {"json": true}', "First look.\nTwo lines."]);
    expect(packed[1]!.failure).toEqual({ step: "cart", class: "status", message: "HTTP 503", runId: "run-1" });
  });

  it("lists maintenance, with or without the cancelled, exactly as its statement does", async () => {
    for (const includeCancelled of [false, true]) {
      const { batched, packed } = await bothWays(maintenances.listMaintenancesRead({ includeCancelled }));
      expect(packed).toEqual(batched);
      expect(packed.map((m) => m.id)).toEqual(
        includeCancelled ? ["packed-m3", "packed-m2", "packed-m1"] : ["packed-m3", "packed-m1"],
      );
    }
  });

  it("reads the status board, or its absence, exactly as its statement does", async () => {
    await env.DB.prepare("DELETE FROM status_board").run();
    expect(await bothWays(histories.boardRead())).toEqual({ batched: null, packed: null });
    await histories.saveBoard({ built_at: T, board: '{"format":2,"probes":[]}' });
    const { batched, packed } = await bothWays(histories.boardRead());
    // Packed, the board comes parsed with the rest; both decode to the same board.
    expect(batched).toEqual({ built_at: T, board: '{"format":2,"probes":[]}' });
    expect(packed).toEqual({ built_at: T, board: { format: 2, probes: [] } });
    expect(decodeBoard(packed!)).toEqual(decodeBoard(batched!));
    // A row whose text is not JSON reads as no board either way, and never fails the statement.
    await histories.saveBoard({ built_at: T, board: "{not json" });
    const broken = await bothWays(histories.boardRead());
    expect(broken.packed).toEqual({ built_at: T, board: null });
    expect([decodeBoard(broken.packed!), decodeBoard(broken.batched!)]).toEqual([null, null]);
    await histories.saveBoard({ built_at: T, board: '{"format":2,"probes":[]}' });
  });

  it("keeps any text a title or an update holds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 40 }),
        async (title, body) => {
          const id = "packed-any";
          await env.DB.batch([
            env.DB.prepare("DELETE FROM incident_updates WHERE incident_id = ?").bind(id),
            env.DB.prepare("DELETE FROM incidents WHERE id = ?").bind(id),
            ...incidents.insertIncidentStatements(
              incident(id, {
                title,
                startedAt: T + 3_600_000,
                updates: [{ id: "u", status: "monitoring", body, createdAt: T }],
              }),
            ),
          ]);
          const { batched, packed } = await bothWays(incidents.listIncidentsRead({ limit: 1 }));
          expect(packed).toEqual(batched);
          expect(packed[0]).toMatchObject({ id, title, updates: [{ body }] });
        },
      ),
      { numRuns: 30 },
    );
  });

  it("asks for a batch of packed reads in one statement, and for any other batch a statement each", async () => {
    const counting = countingDb();
    const reads = [
      new D1DayHistoryStore(counting.db).boardRead(),
      combineReads(
        [
          new D1IncidentStore(counting.db).listIncidentsRead({ publicOnly: true, limit: 100 }),
          new D1MaintenanceStore(counting.db).listMaintenancesRead(),
        ],
        ([i, m]) => ({ incidents: i.map((x) => x.id), maintenances: m.map((x) => x.id) }),
      ),
    ] as const;
    const together = await readTogether(counting.db, reads);
    expect(counting.prepared).toHaveLength(5); // four statements prepared by the reads, one run
    expect(counting.prepared.at(-1)!.sql).toMatch(/^SELECT json_array\(/);
    const oneByOne = async <T>(read: D1Read<T>) => read.decode(await env.DB.batch([...read.statements]));
    expect(together[1]).toEqual(await oneByOne(reads[1]));
    expect(decodeBoard(together[0]!)).toEqual(decodeBoard((await oneByOne(reads[0]))!));
    expect(decodeBoard(together[0]!)).toEqual({ builtAt: T, probes: [] });
    expect(together[1].maintenances).toEqual(["packed-m3", "packed-m1"]);

    const unpacked = {
      statements: [env.DB.prepare("SELECT 7 AS n")],
      decode: ([r]: readonly D1Result[]) => r!.results,
    };
    const [board, rows] = await readTogether(env.DB, [histories.boardRead(), unpacked]);
    expect(board).toEqual({ built_at: T, board: '{"format":2,"probes":[]}' }); // not packed: the text
    expect(rows).toEqual([{ n: 7 }]);
  });
});
