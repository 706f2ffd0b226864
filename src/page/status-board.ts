/**
 * The status board: what the status page shows of each public probe that only its stored runs
 * decide (its measured state, its day levels over the bars, its totals), for every public probe
 * at once. The scheduled tick builds it once a minute, after the minute's runs are stored, and
 * keeps it as one D1 row (storage/day-history-store.ts); a page render then reads that row and
 * the live incidents and maintenance, instead of every probe's newest runs, day history and
 * today's rollups. The heavy reading and counting happens once a minute, not once per reader.
 *
 * A render uses a board only when it is of the same fleet (the probes, regions, objectives and
 * quorums its levels and states depend on: fleetKeyOf), of the same UTC day and at most
 * BOARD_MAX_AGE_MS old; otherwise it builds one from the rows itself (the first minute after a
 * deploy, a stopped cron, the tests that store runs without a tick), so a page is never wrong,
 * only slower. Private probes are never on a board: boardProbes keeps the public ones only.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { ProbeStateSchema, quorumOf, type ProbeState } from "../status/overview.ts";
import { DAY_MS } from "../time.ts";
import { viewFingerprint } from "../hash.ts";
import { BAR_DAYS, type DayLevel } from "./day-bars.ts";
import type { BoardProbe } from "./status-view.ts";

export interface StatusBoard {
  /** When the tick (or a page) built it, epoch ms. */
  builtAt: number;
  fleetKey: string;
  probes: BoardProbe[];
}

/** How old a board a page still shows: a tick builds one every minute, so this is a few missed ticks. */
export const BOARD_MAX_AGE_MS = 5 * 60_000;

/** The probes a board holds: the public ones (the page's config may hide some of these, never show others). */
export function boardProbes(probes: readonly LoadedProbe[]): LoadedProbe[] {
  return probes.filter((p) => p.probe.public);
}

/** What a board's figures depend on besides the runs: it changes with a deploy that changes any of it. */
export function fleetKeyOf(probes: readonly LoadedProbe[]): string {
  return viewFingerprint([
    BOARD_FORMAT,
    boardProbes(probes).map((p) => [p.probe.id, [...p.probe.regions].sort(), p.probe.slo.availability, quorumOf(p)]),
  ]);
}

/** The board stored at `board`, if a page at `now` of this fleet may show it. */
export function usableBoard(board: StatusBoard | null, fleetKey: string, now: number): board is StatusBoard {
  return (
    board !== null &&
    board.fleetKey === fleetKey &&
    Math.floor(board.builtAt / DAY_MS) === Math.floor(now / DAY_MS) &&
    now - board.builtAt <= BOARD_MAX_AGE_MS
  );
}

// ---------------------------------------------------------------- the stored form

/** Bumped when the stored form or what a board's figures mean changes: older boards are not used. */
const BOARD_FORMAT = 1;

/** One character per day level, so a probe's 90 days are 90 bytes of the row. */
const LEVEL_CODE: Record<DayLevel, string> = { ok: "o", minor: "m", major: "M", none: "-" };
const LEVEL_OF: Readonly<Record<string, DayLevel>> = { o: "ok", m: "minor", M: "major", "-": "none" };
const STATES: ReadonlySet<string> = new Set<string>(ProbeStateSchema.options);

type StoredProbe = [
  id: string,
  state: string,
  lastRunAt: number | null,
  levels: string,
  up: number,
  degraded: number,
  down: number,
  daysWithData: number,
];

/** The status_board row of a board. */
export function boardRow(board: StatusBoard): { built_at: number; fleet_key: string; board: string } {
  return { built_at: board.builtAt, fleet_key: board.fleetKey, board: encodeBoard(board) };
}

/** The `board` column: `{ format, probes: [[id, state, lastRunAt, levels, up, degraded, down, daysWithData], ...] }`. */
export function encodeBoard(board: StatusBoard): string {
  const probes: StoredProbe[] = board.probes.map((p) => [
    p.id,
    p.state,
    p.lastRunAt,
    p.levels.map((l) => LEVEL_CODE[l]).join(""),
    p.judged.up,
    p.judged.degraded,
    p.judged.down,
    p.daysWithData,
  ]);
  return JSON.stringify({ format: BOARD_FORMAT, probes });
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The stored board, or null when the row is of another format or cannot be read (a page then builds its own). */
export function decodeBoard(row: { built_at: number; fleet_key: string; board: string }): StatusBoard | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.board);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { format?: unknown }).format !== BOARD_FORMAT)
    return null;
  const stored = (parsed as { probes?: unknown }).probes;
  if (!Array.isArray(stored)) return null;
  const probes: BoardProbe[] = [];
  for (const entry of stored as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 8) return null;
    const [id, state, lastRunAt, levels, up, degraded, down, daysWithData] = entry as unknown[];
    if (
      typeof id !== "string" ||
      typeof state !== "string" ||
      !STATES.has(state) ||
      !(lastRunAt === null || isCount(lastRunAt))
    )
      return null;
    if (typeof levels !== "string" || levels.length !== BAR_DAYS || ![up, degraded, down, daysWithData].every(isCount))
      return null;
    const dayLevels = Array.from(levels, (c) => LEVEL_OF[c]);
    if (dayLevels.some((l) => l === undefined)) return null;
    const judged = { up: up as number, degraded: degraded as number, down: down as number };
    const total = judged.up + judged.degraded + judged.down;
    probes.push({
      id,
      state: state as ProbeState,
      lastRunAt,
      levels: dayLevels as DayLevel[],
      judged,
      availability: total > 0 ? (judged.up + judged.degraded) / total : null,
      daysWithData: daysWithData as number,
    });
  }
  return { builtAt: row.built_at, fleetKey: row.fleet_key, probes };
}
