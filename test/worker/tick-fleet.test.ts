/**
 * The tick module (src/tick/) called directly with a fleet built here: real local D1, shards run
 * by the real executeShard inside RegionRunner objects, real HTTP to a demo shop on 127.0.0.1 of
 * their own (only this file sets its faults: "down" is its 503). Every test uses later slots than
 * the one before it: the tick guards (the incidents' and the watchdog's) treat an older slot as a
 * replay.
 */
import { env } from "cloudflare:workers";
import { decodeBoard } from "../../src/page/status-board.ts";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { INCIDENT_TICK_KEY, type IncidentTickReport } from "../../src/incidents/apply-tick.ts";
import type { WatchdogReport } from "../../src/incidents/apply-watchdog.ts";
import { NETWORK_SUBJECT, type Notice } from "../../src/incidents/channels/notice.ts";
import { MAX_DELIVERIES_PER_TICK } from "../../src/incidents/deliver-outbox.ts";
import { outboxId } from "../../src/incidents/outbox.ts";
import { loadRegistry, type LoadedProbe } from "../../src/probe/registry.ts";
import type { RunStore } from "../../src/storage/run-store.ts";
import { incidentStores } from "../../src/storage/incident-stores.ts";
import { runTick, TICK_STAGES } from "../../src/tick/run-tick.ts";
import type { TickDeps } from "../../src/tick/tick-deps.ts";
import { countingDb } from "./support/counting-db.ts";
import { fleetTickDeps } from "./support/tick-deps.ts";

const MINUTE = 60_000;

/** Every request to the fleet's shop fails with a 503 (true), or none does. */
async function fleetDown(down: boolean): Promise<void> {
  const res = await fetch(
    `${env.FLEET_SHOP_URL}/_control/faults`,
    down ? { method: "POST", body: JSON.stringify({ status: 503 }) } : { method: "DELETE" },
  );
  if (!res.ok) throw new Error(`the fleet's shop refused the fault: ${res.status}`);
}
const STAGE_NAMES = TICK_STAGES.map((s) => s.name);
const { outbox } = incidentStores(env.DB);

function fleet(prefix: string, size: number, regions: string[]): LoadedProbe[] {
  return loadRegistry(
    Array.from({ length: size }, (_, i) => ({
      file: `${prefix}-${i}.ts`,
      definition: {
        id: `${prefix}-${String(i).padStart(3, "0")}`,
        name: `${prefix} ${i}`,
        group: "Fleet",
        baseUrl: "{{env:FLEET_URL}}",
        regions,
        steps: [{ name: "home", url: "/" }],
      },
    })),
  );
}

let logs: MockInstance[] = [];
const lines = (spy: MockInstance) => spy.mock.calls.map((args) => String(args[0]));
beforeEach(() => {
  // The tick logs a summary line per tick (and a line per failing stage): kept for the assertions, not printed.
  logs = [
    vi.spyOn(console, "log").mockImplementation(() => {}),
    vi.spyOn(console, "error").mockImplementation(() => {}),
  ];
});
afterEach(async () => {
  logs.forEach((spy) => spy.mockRestore());
  await fleetDown(false);
});

async function stateRow(key: string): Promise<{ last_slot: number; state: string; updated_at: number } | null> {
  return env.DB.prepare("SELECT last_slot, state, updated_at FROM probe_states WHERE probe_id = ?").bind(key).first();
}

async function stateRows(prefix: string): Promise<unknown[]> {
  return (
    await env.DB.prepare("SELECT * FROM probe_states WHERE probe_id LIKE ? ORDER BY probe_id").bind(`${prefix}-%`).all()
  ).results;
}

/** A notice due now, to see that the delivery stage ran. */
async function enqueueDueNotice(key: string, at: number): Promise<string> {
  const notice: Notice = {
    transition: "network",
    probe: { ...NETWORK_SUBJECT },
    incident: { id: key, title: "A notice to deliver", startedAt: at },
    regions: [],
    at,
  };
  await outbox.run([
    outbox.enqueueStatement({ id: outboxId(key, "network", "ops"), channel: "ops", payload: notice, at }),
  ]);
  return outboxId(key, "network", "ops");
}

describe("a tick at 150 probes", () => {
  it("runs every stage without error, and a fleet-wide outage opens an incident for each probe", {
    timeout: 300_000,
  }, async () => {
    const probes = fleet("fleet", 150, ["weur", "enam", "apac"]);
    const values = { FLEET_URL: env.FLEET_SHOP_URL };
    const counting = countingDb();
    const deps: TickDeps = {
      ...fleetTickDeps(probes, { values, runnerPrefix: "fleet" }),
      ...incidentStores(counting.db),
    };
    const t = Date.UTC(2026, 10, 22, 10, 0); // a 5-minute slot: the burn alerts evaluate all 150 probes

    const up = await runTick(t, deps);
    expect(up.stageErrors).toEqual([]);
    expect(Object.keys(up.reports)).toEqual(STAGE_NAMES);
    expect(up.reports.dispatch).toMatchObject({
      planned: 450,
      completed: 450,
      stored: 450,
      buffered: 0,
      dropped: 0,
      byStatus: { up: 450, degraded: 0, down: 0 },
    });
    expect(up.reports.burn).toEqual({ evaluated: 150, notices: 0 });
    expect(up.reports.incidents).toMatchObject({ observed: 150, opened: [], statesWritten: 150 });

    await fleetDown(true);
    const firstFailure = await runTick(t + MINUTE, deps);
    expect(firstFailure.stageErrors).toEqual([]);
    expect(firstFailure.reports.dispatch).toMatchObject({
      completed: 450,
      stored: 450,
      byStatus: { up: 0, degraded: 0, down: 450 },
    });
    expect(firstFailure.reports.incidents).toMatchObject({ observed: 150, opened: [] }); // F = 2: one failure opens nothing

    counting.prepared.length = 0;
    const outage = await runTick(t + 2 * MINUTE, deps);
    expect(outage.stageErrors).toEqual([]);
    expect(Object.keys(outage.reports)).toEqual(STAGE_NAMES);
    const opened = (outage.reports.incidents as IncidentTickReport).opened;
    expect([...opened].sort()).toEqual(probes.map((p) => `${p.probe.id}-${t + 2 * MINUTE}`));
    // The status board the page reads holds the minute's runs: every probe down.
    expect(outage.reports["status-board"]).toEqual({ probes: 150 });
    const boardRow = await env.DB.prepare("SELECT built_at, board FROM status_board").first<{
      built_at: number;
      board: string;
    }>();
    const board = decodeBoard(boardRow!);
    expect(board?.probes.map((p) => p.state)).toEqual(probes.map(() => "down"));
    expect(board?.probes.every((p) => p.lastRunAt !== null && p.lastRunAt >= t + 2 * MINUTE)).toBe(true);

    const stored = await env.DB.prepare(
      "SELECT count(*) AS n, min(started_at) AS first, max(started_at) AS last FROM incidents WHERE id LIKE 'fleet-%' AND status = 'investigating'",
    ).first();
    expect(stored).toEqual({ n: 150, first: t + MINUTE, last: t + MINUTE });
    const failures = await env.DB.prepare(
      "SELECT DISTINCT json_extract(failure, '$.class') AS class FROM incidents WHERE id LIKE 'fleet-%'",
    ).all();
    expect(failures.results).toEqual([{ class: "status" }]);
    const notices = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE id LIKE 'fleet-%:down:ops'").first();
    expect(notices).toEqual({ n: 150 });

    // 150 incidents, 150 states and 150 notices, and still a handful of statements, none near D1's 100 parameters.
    const delivering = (sql: string) => sql.startsWith("UPDATE outbox") || sql.startsWith("SELECT * FROM outbox");
    const others = counting.prepared.filter((p) => !delivering(p.sql));
    expect(others.map((p) => p.sql.split(" ").slice(0, 3).join(" "))).toEqual([
      "SELECT * FROM", // maintenances
      "SELECT probe_id, last_slot,", // incidents: the states and the guard, one statement
      "INSERT INTO probe_states", // the 150 states
      "INSERT INTO incidents", // the 150 incidents
      "INSERT INTO incident_updates",
      "INSERT INTO outbox", // the 150 notices
      "INSERT INTO probe_states", // the guard
      "SELECT probe_id, last_slot,", // watchdog
      "INSERT INTO probe_states", // network:tick
    ]);
    // The delivery: a claim and a record per notice, at most MAX_DELIVERIES_PER_TICK of them.
    expect(counting.prepared.filter((p) => delivering(p.sql)).length).toBe(1 + 2 * MAX_DELIVERIES_PER_TICK);
    expect(Math.max(...counting.prepared.map((p) => p.params))).toBeLessThanOrEqual(7);
  });
});

describe("stages on their own", () => {
  const probes = fleet("solo", 3, ["weur", "enam"]);
  const deps = () => fleetTickDeps(probes, { values: { FLEET_URL: env.FLEET_SHOP_URL }, runnerPrefix: "solo" });

  it("a stage that throws does not stop the others, and is reported with its name", { timeout: 60_000 }, async () => {
    const t = Date.UTC(2026, 10, 22, 11, 0);
    const real = deps();
    const runs = Object.create(real.runs) as RunStore;
    runs.prune = async () => Promise.reject(new Error("injected prune failure"));
    const delivery = await enqueueDueNotice("stage-test", t);

    const summary = await runTick(t, { ...real, runs });

    expect(summary.stageErrors).toEqual([{ stage: "prune", error: "Error: injected prune failure" }]);
    expect(Object.keys(summary.reports)).toEqual(STAGE_NAMES.filter((name) => name !== "prune"));
    const [logged, errors] = logs;
    expect(lines(errors!).map((l) => JSON.parse(l))).toContainEqual({
      event: "stage_failed",
      slotAt: t,
      stage: "prune",
      error: "Error: injected prune failure",
    });
    const tickLine = lines(logged!)
      .map((l) => JSON.parse(l) as { event: string; planned?: number; stageErrors?: unknown })
      .find((l) => l.event === "tick");
    expect(tickLine).toMatchObject({
      planned: 6,
      stageErrors: [{ stage: "prune", error: "Error: injected prune failure" }],
    });

    // Every later stage ran, as D1 shows.
    expect((await stateRows("solo")).length).toBe(3); // incidents: each probe's first state
    expect((await stateRow(INCIDENT_TICK_KEY))?.last_slot).toBe(t);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM probe_states WHERE probe_id LIKE 'burn:solo-%'").first(),
    ).toEqual({ n: 3 }); // burn
    expect(await env.DB.prepare("SELECT count(*) AS n FROM day_history WHERE probe_id LIKE 'solo-%'").first()).toEqual({
      n: 3,
    }); // day history
    expect((await stateRow("network:tick"))?.last_slot).toBe(t); // watchdog
    expect(JSON.parse((await stateRow("network:stages"))!.state)).toMatchObject({
      failing: { prune: { since: t, failedTicks: 1, announced: false } },
    });
    expect((await outbox.listOutbox({ limit: 500 })).find((o) => o.id === delivery)?.status).toBe("delivered"); // delivery
  });

  it("when the dispatch fails, the stages that need its outcomes get none and say so; the others run", {
    timeout: 60_000,
  }, async () => {
    const t = Date.UTC(2026, 10, 22, 12, 0);
    const summary = await runTick(t, {
      ...deps(),
      runShard: () => {
        throw new Error("injected dispatch failure");
      },
    });
    expect(summary.stageErrors).toEqual([{ stage: "dispatch", error: "Error: injected dispatch failure" }]);
    expect(summary.reports.incidents).toEqual({ skipped: "no run outcomes (the dispatch stage failed)" });
    expect(summary.reports.watchdog).toMatchObject({
      silentRegions: [],
      failingStages: ["dispatch"],
      note: "regions not watched this tick (the dispatch stage failed)",
    });
    expect(Object.keys(summary.reports)).toEqual(STAGE_NAMES.filter((name) => name !== "dispatch"));
    expect((await stateRow(INCIDENT_TICK_KEY))?.last_slot).toBe(Date.UTC(2026, 10, 22, 11, 0)); // nothing stepped
    expect((await stateRow("network:tick"))?.last_slot).toBe(t);
  });

  it("a stage failing 3 ticks in a row sends one network notice, and one when it works again", {
    timeout: 60_000,
  }, async () => {
    const t = Date.UTC(2026, 10, 22, 13, 0);
    const real = deps();
    const broken = Object.create(real.runs) as RunStore;
    broken.prune = async () => Promise.reject(new Error("D1_ERROR: injected"));
    const stageNotices = async () =>
      (await outbox.listOutbox({ limit: 500 }))
        .map((o) => o.id)
        .filter((id) => id.startsWith("network-stage-prune"))
        .sort();

    await runTick(t, real);
    for (let i = 1; i <= 2; i++) await runTick(t + i * MINUTE, { ...real, runs: broken });
    expect(await stageNotices()).toEqual([]); // two failing ticks: not yet
    const third = await runTick(t + 3 * MINUTE, { ...real, runs: broken });
    expect((third.reports.watchdog as WatchdogReport).failingStages).toEqual(["prune"]);
    expect(await stageNotices()).toEqual([outboxId(`network-stage-prune-failing-${t + MINUTE}`, "network", "ops")]);
    const announced = await stateRow("network:stages");

    await runTick(t + 4 * MINUTE, { ...real, runs: broken });
    expect(await stageNotices()).toHaveLength(1); // still failing: nothing more, and no state written
    expect(await stateRow("network:stages")).toEqual(announced);

    await runTick(t + 5 * MINUTE, real);
    await runTick(t + 5 * MINUTE, real); // a replay
    expect(await stageNotices()).toEqual(
      [
        outboxId(`network-stage-prune-back-${t + MINUTE}`, "network", "ops"),
        outboxId(`network-stage-prune-failing-${t + MINUTE}`, "network", "ops"),
      ].sort(),
    );
    const back = (await outbox.listOutbox({ limit: 500 })).find((o) => o.id.startsWith("network-stage-prune-back"))!
      .payload as Notice;
    expect(back.network).toEqual({
      kind: "stage-back",
      stage: "prune",
      failingSince: t + MINUTE,
      backAt: t + 5 * MINUTE,
    });
  });
});

describe("probe state written only when it changes", () => {
  it("a steady fleet writes no probe state; replays write nothing and open nothing", { timeout: 120_000 }, async () => {
    const probes = fleet("steady", 30, ["weur", "enam"]);
    const values = { FLEET_URL: env.FLEET_SHOP_URL };
    const deps = fleetTickDeps(probes, { values, runnerPrefix: "steady" });
    const t = Date.UTC(2026, 10, 22, 14, 1);
    const step = async (at: number) => (await runTick(at, deps)).reports.incidents as IncidentTickReport;

    expect(await step(t)).toMatchObject({ observed: 30, statesWritten: 30 }); // new probes: first states
    expect(await step(t + MINUTE)).toMatchObject({ observed: 30, statesWritten: 30 }); // the success count reaches S
    const settled = await stateRows("steady");

    for (const at of [t + 2 * MINUTE, t + 3 * MINUTE]) {
      const steady = await step(at);
      expect([steady.observed, steady.statesWritten, steady.rowsWritten]).toEqual([30, 0, 1]); // the tick guard's row alone
    }
    expect(await stateRows("steady")).toEqual(settled);
    expect((await stateRow(INCIDENT_TICK_KEY))?.last_slot).toBe(t + 3 * MINUTE);

    // Replays of a steady tick, and a late one: nothing stepped, nothing written.
    const replays = [
      await step(t + 3 * MINUTE),
      await step(t + MINUTE),
      ...(await Promise.all([0, 1, 2].map(() => step(t + 3 * MINUTE)))),
    ];
    for (const replay of replays)
      expect(replay).toMatchObject({ replay: true, statesWritten: 0, rowsWritten: 0, opened: [] });
    expect(await stateRows("steady")).toEqual(settled);

    // An outage, then its opening tick replayed in sequence and in parallel: one incident and one notice each.
    await fleetDown(true);
    await step(t + 4 * MINUTE);
    expect((await step(t + 5 * MINUTE)).opened).toHaveLength(30);
    const again = [
      await step(t + 5 * MINUTE),
      await step(t + 5 * MINUTE),
      ...(await Promise.all([0, 1, 2].map(() => step(t + 5 * MINUTE)))),
    ];
    for (const replay of again) expect(replay).toMatchObject({ replay: true, rowsWritten: 0, opened: [] });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM incidents WHERE id LIKE 'steady-%'").first()).toEqual({
      n: 30,
    });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE id LIKE 'steady-%:down:ops'").first()).toEqual({
      n: 30,
    });
  });
});
