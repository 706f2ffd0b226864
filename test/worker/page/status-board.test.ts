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
  probeKeyOf,
  usableEntries,
  type BoardEntry,
  type StatusBoard,
} from "../../../src/page/status-board.ts";
import { BAR_DAYS, LEVEL_CODE } from "../../../src/page/day-bars.ts";
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

const level = fc.constantFrom(...Object.values(LEVEL_CODE));
const count = fc.nat({ max: 1_000_000 });
const boardProbe: fc.Arbitrary<BoardEntry> = fc
  .record({
    id: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    key: fc.string({ maxLength: 16 }),
    state: fc.constantFrom(...ProbeStateSchema.options),
    lastRunAt: fc.option(fc.nat({ max: 2 ** 42 }), { nil: null }),
    levels: fc.array(level, { minLength: BAR_DAYS, maxLength: BAR_DAYS }).map((codes) => codes.join("")),
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
      fc.property(fc.array(boardProbe, { maxLength: 20 }), fc.nat({ max: 2 ** 42 }), (probes, builtAt) => {
        const board: StatusBoard = { builtAt, probes };
        expect(decodeBoard(boardRow(board))).toEqual(board);
      }),
    );
  });

  it("reads a row it cannot trust as no board (the page then builds its own), never as a wrong one", () => {
    const good = JSON.parse(encodeBoard({ builtAt: NOW, probes: [] })) as { format: number };
    const row = (board: string) => ({ built_at: NOW, board });
    expect(decodeBoard(row(JSON.stringify(good)))).toEqual({ builtAt: NOW, probes: [] });
    const levels = "o".repeat(BAR_DAYS);
    for (const broken of [
      "not json",
      JSON.stringify({ ...good, format: 99 }),
      JSON.stringify({ format: good.format, probes: {} }),
      JSON.stringify({ format: good.format, probes: [["a", "k", "up", null, levels, 1, 0, 0]] }),
      JSON.stringify({ format: good.format, probes: [["a", 7, "up", null, levels, 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "k", "sideways", null, levels, 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "k", "up", null, levels.slice(1), 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "k", "up", null, `x${levels.slice(1)}`, 1, 0, 0, 1]] }),
      JSON.stringify({ format: good.format, probes: [["a", "k", "up", null, levels, -1, 0, 0, 1]] }),
    ]) {
      expect(decodeBoard(row(broken)), broken.slice(0, 60)).toBeNull();
    }
  });
});

describe("which board a page uses", () => {
  const probes = fleet({ id: "alpha" }, { id: "beta", slo: { availability: 0.99 } }, { id: "hidden", public: false });
  const shown = probes.filter((p) => p.probe.public);
  const entry = (loaded: (typeof probes)[number], key = probeKeyOf(loaded)): BoardEntry => ({
    id: loaded.probe.id,
    key,
    state: "up",
    lastRunAt: NOW - 60_000,
    levels: "o".repeat(BAR_DAYS),
    judged: { up: 1, degraded: 0, down: 0 },
    availability: 1,
    daysWithData: 1,
  });
  const board = (builtAt: number, entries = shown.map((p) => entry(p))): StatusBoard => ({ builtAt, probes: entries });

  it("one of the same UTC day, at most 5 minutes old, holding every shown probe with its key", () => {
    expect([...(usableEntries(board(NOW), shown, NOW)?.keys() ?? [])]).toEqual(["alpha", "beta"]);
    expect(usableEntries(board(NOW - BOARD_MAX_AGE_MS), shown, NOW)).not.toBeNull();
    expect(usableEntries(board(NOW - BOARD_MAX_AGE_MS - 1), shown, NOW)).toBeNull();
    expect(usableEntries(null, shown, NOW)).toBeNull();
    // Built at 23:59 yesterday: today's bars have another first day.
    const midnight = Math.floor(NOW / DAY_MS) * DAY_MS;
    expect(usableEntries(board(midnight - 60_000), shown, midnight + 60_000)).toBeNull();
    // A shown probe missing, or built for another objective, region set or quorum: not this board.
    expect(usableEntries(board(NOW, [entry(shown[0]!)]), shown, NOW)).toBeNull();
    expect(usableEntries(board(NOW, [entry(shown[0]!), entry(shown[1]!, "another key")]), shown, NOW)).toBeNull();
  });

  it("a page that shows fewer probes than the board holds (STATUS_PAGE hides some) still uses it", () => {
    const onlyBeta = usableEntries(board(NOW), [shown[1]!], NOW);
    expect([...(onlyBeta?.keys() ?? [])]).toEqual(["beta"]);
  });

  it("a probe's key changes with what its figures depend on, and not with its name", () => {
    const key = probeKeyOf(shown[0]!);
    const [renamed] = fleet({ id: "alpha", name: "Renamed", description: "Other words" });
    expect(probeKeyOf(renamed!)).toBe(key);
    expect(probeKeyOf(fleet({ id: "alpha", slo: { availability: 0.9 } })[0]!)).not.toBe(key);
    expect(probeKeyOf(fleet({ id: "alpha", regions: ["weur"] })[0]!)).not.toBe(key);
    expect(probeKeyOf(fleet({ id: "alpha", regions: ["weur", "enam", "apac"] })[0]!)).not.toBe(key);
    expect(probeKeyOf(fleet({ id: "gamma" })[0]!)).not.toBe(key);
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
