/** The status board: its stored form, when a page may use it, and what it never holds. */
import fc from "fast-check";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readStatusBoard } from "../../../src/queries/page.ts";
import {
  BOARD_MAX_AGE_MS,
  boardRow,
  decodeBoard,
  encodeBoard,
  fleetKeyOf,
  usableBoard,
  type StatusBoard,
} from "../../../src/page/status-board.ts";
import { BAR_DAYS, type DayLevel } from "../../../src/page/day-bars.ts";
import type { BoardProbe } from "../../../src/page/status-view.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { D1DayHistoryStore } from "../../../src/storage/day-history-store.ts";
import { ProbeStateSchema } from "../../../src/status/overview.ts";
import { DAY_MS } from "../../../src/time.ts";
import { runResult } from "../support/run-result.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 30);

function fleet(...defs: Record<string, unknown>[]) {
  return loadRegistry(
    defs.map((d, i) => ({
      file: `probes/b${i}.ts`,
      definition: {
        name: `Board ${i}`,
        regions: ["weur", "enam"],
        steps: [{ name: "s", url: "http://x.test/" }],
        ...d,
      },
    })),
  );
}

const level = fc.constantFrom<DayLevel>("ok", "minor", "major", "none");
const count = fc.nat({ max: 1_000_000 });
const boardProbe: fc.Arbitrary<BoardProbe> = fc
  .record({
    id: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    state: fc.constantFrom(...ProbeStateSchema.options),
    lastRunAt: fc.option(fc.nat({ max: 2 ** 42 }), { nil: null }),
    levels: fc.array(level, { minLength: BAR_DAYS, maxLength: BAR_DAYS }),
    judged: fc.record({ up: count, degraded: count, down: count }),
    daysWithData: fc.nat({ max: BAR_DAYS }),
  })
  .map((p) => {
    const total = p.judged.up + p.judged.degraded + p.judged.down;
    return { ...p, availability: total > 0 ? (p.judged.up + p.judged.degraded) / total : null };
  });

describe("the stored board", () => {
  it("reads back exactly what was written, for any board", () => {
    fc.assert(
      fc.property(
        fc.array(boardProbe, { maxLength: 20 }),
        fc.nat({ max: 2 ** 42 }),
        fc.string({ maxLength: 16 }),
        (probes, builtAt, fleetKey) => {
          const board: StatusBoard = { builtAt, fleetKey, probes };
          expect(decodeBoard(boardRow(board))).toEqual(board);
        },
      ),
    );
  });

  it("reads a row it cannot trust as no board (the page then builds its own), never as a wrong one", () => {
    const good = JSON.parse(encodeBoard({ builtAt: NOW, fleetKey: "k", probes: [] })) as { format: number };
    const row = (board: string) => ({ built_at: NOW, fleet_key: "k", board });
    expect(decodeBoard(row(JSON.stringify(good)))).toEqual({ builtAt: NOW, fleetKey: "k", probes: [] });
    const levels = "o".repeat(BAR_DAYS);
    for (const broken of [
      "not json",
      JSON.stringify({ ...good, format: 99 }),
      JSON.stringify({ format: good.format, probes: {} }),
      JSON.stringify({ format: good.format, probes: [["a", "up", null, levels, 1, 0, 0]] }),
      JSON.stringify({ format: good.format, probes: [["a", "sideways", null, levels, 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "up", null, levels.slice(1), 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "up", null, `x${levels.slice(1)}`, 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "up", null, levels, -1, 0, 0, 1]] }),
    ]) {
      expect(decodeBoard(row(broken)), broken.slice(0, 60)).toBeNull();
    }
  });
});

describe("which board a page uses", () => {
  const probes = fleet({ id: "alpha" }, { id: "beta", slo: { availability: 0.99 } }, { id: "hidden", public: false });
  const key = fleetKeyOf(probes);
  const board = (builtAt: number, fleetKey = key): StatusBoard => ({ builtAt, fleetKey, probes: [] });

  it("one of the same fleet, UTC day and at most 5 minutes old", () => {
    expect(usableBoard(board(NOW), key, NOW)).toBe(true);
    expect(usableBoard(board(NOW - BOARD_MAX_AGE_MS), key, NOW)).toBe(true);
    expect(usableBoard(board(NOW - BOARD_MAX_AGE_MS - 1), key, NOW)).toBe(false);
    expect(usableBoard(board(NOW, "another fleet"), key, NOW)).toBe(false);
    expect(usableBoard(null, key, NOW)).toBe(false);
    // Built at 23:59 yesterday: today's bars have another first day.
    const midnight = Math.floor(NOW / DAY_MS) * DAY_MS;
    expect(usableBoard(board(midnight - 60_000), key, midnight + 60_000)).toBe(false);
  });

  it("the fleet key changes with what the figures depend on, and not with names or private probes", () => {
    const renamed = fleet(
      { id: "alpha", name: "Renamed" },
      { id: "beta", slo: { availability: 0.99 } },
      { id: "hidden", public: false, regions: ["apac"] },
    );
    expect(fleetKeyOf(renamed)).toBe(key);
    expect(fleetKeyOf(fleet({ id: "alpha" }, { id: "beta", slo: { availability: 0.999 } }))).not.toBe(key);
    expect(fleetKeyOf(fleet({ id: "alpha", regions: ["weur"] }, { id: "beta", slo: { availability: 0.99 } }))).not.toBe(
      key,
    );
    expect(fleetKeyOf(fleet({ id: "alpha" }))).not.toBe(key);
  });

  it("a board never holds a private probe, so no page can show one from it", async () => {
    const withSecret = fleet({ id: "board-public" }, { id: "board-secret", public: false });
    const runs = new D1RunStore(env.DB);
    await runs.saveRuns(
      ["weur", "enam"].flatMap((region) =>
        ["board-public", "board-secret"].map((id) => runResult(id, region, NOW - 60_000, { durationMs: 80 })),
      ),
    );
    const built = await readStatusBoard({ probes: withSecret, runs, dayHistory: new D1DayHistoryStore(env.DB) }, NOW);
    expect(built.probes.map((p) => p.id)).toEqual(["board-public"]);
    expect(built.probes[0]).toMatchObject({ state: "up", lastRunAt: NOW - 60_000, daysWithData: 1 });
    expect(boardRow(built).board).not.toContain("board-secret");
  });
});
