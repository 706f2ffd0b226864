/**
 * The status board: what the status page shows of each public probe that only its stored runs
 * decide (its measured state, its day levels over the bars, its totals), for every public probe
 * at once. The scheduled tick builds it once a minute, after the minute's runs are stored, and
 * keeps it as one D1 row (storage/day-history-store.ts); a page render then reads that row and
 * the live incidents and maintenance, instead of every probe's newest runs, day history and
 * today's rollups. The heavy reading and counting happens once a minute, not once per reader.
 *
 * A render uses a board only when it is of the same UTC day, at most BOARD_MAX_AGE_MS old, and
 * holds every probe the page shows with the same key (the id, regions, objective and quorum its
 * levels and state depend on: probeKeyOf); otherwise it builds one from the rows itself (the
 * first minute after a deploy that changed a probe, a stopped cron, the tests that store runs
 * without a tick), so a page is never wrong, only slower. The keys are per probe so that a page
 * showing fewer probes than the board holds (STATUS_PAGE's hiddenProbes and publicGroups) still
 * uses it. Private probes are never on a board: boardProbes keeps the public ones only.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { ProbeStateSchema, quorumOf, type ProbeState } from "../status/overview.ts";
import { DAY_MS } from "../time.ts";
import { viewFingerprint } from "../hash.ts";
import { isBarCodes } from "./day-bars.ts";
import type { BoardProbe } from "./status-view.ts";

/** A probe's entry on the board, with the key of what its figures depended on (probeKeyOf). */
export type BoardEntry = BoardProbe & { key: string };

export interface StatusBoard {
  /** When the tick (or a page) built it, epoch ms. */
  builtAt: number;
  probes: BoardEntry[];
}

/** How old a board a page still shows: a tick builds one every minute, so this is a few missed ticks. */
export const BOARD_MAX_AGE_MS = 5 * 60_000;

/** The probes a board holds: the public ones (the page's config may hide some of these, never show others). */
export function boardProbes(probes: readonly LoadedProbe[]): LoadedProbe[] {
  return probes.filter((p) => p.probe.public);
}

const probeKeys = new WeakMap<LoadedProbe, string>();

/**
 * What a probe's board entry depends on besides its runs: it changes with a deploy that changes
 * any of it. Kept per loaded probe (the registry's objects live as long as the isolate).
 */
export function probeKeyOf(loaded: LoadedProbe): string {
  let key = probeKeys.get(loaded);
  if (key === undefined) {
    const p = loaded.probe;
    key = viewFingerprint([BOARD_FORMAT, p.id, [...p.regions].sort(), p.slo.availability, quorumOf(loaded)]);
    probeKeys.set(loaded, key);
  }
  return key;
}

/**
 * The entries of `shown` on the board stored as `board`, if a page at `now` may show them: the
 * board is of today and recent, and holds every shown probe with its current key. Null otherwise.
 */
export function usableEntries(
  board: StatusBoard | null,
  shown: readonly LoadedProbe[],
  now: number,
): Map<string, BoardProbe> | null {
  if (board === null || Math.floor(board.builtAt / DAY_MS) !== Math.floor(now / DAY_MS)) return null;
  if (now - board.builtAt > BOARD_MAX_AGE_MS) return null;
  const entries = new Map<string, BoardEntry>();
  for (const entry of board.probes) entries.set(entry.id, entry);
  const usable = new Map<string, BoardProbe>();
  for (const loaded of shown) {
    const entry = entries.get(loaded.probe.id);
    if (entry === undefined || entry.key !== probeKeyOf(loaded)) return null;
    usable.set(entry.id, entry);
  }
  return usable;
}

// ---------------------------------------------------------------- the stored form

/** Bumped when the stored form or what a board's figures mean changes: older boards are not used. */
const BOARD_FORMAT = 2;

const STATES: ReadonlySet<string> = new Set<string>(ProbeStateSchema.options);

type StoredProbe = [
  id: string,
  key: string,
  state: string,
  lastRunAt: number | null,
  levels: string,
  up: number,
  degraded: number,
  down: number,
  daysWithData: number,
];

/** The status_board row of a board. */
export function boardRow(board: StatusBoard): { built_at: number; board: string } {
  return { built_at: board.builtAt, board: encodeBoard(board) };
}

/** The `board` column: `{ format, probes: [[id, key, state, lastRunAt, levels, up, degraded, down, daysWithData], ...] }`. */
export function encodeBoard(board: StatusBoard): string {
  const probes: StoredProbe[] = board.probes.map((p) => [
    p.id,
    p.key,
    p.state,
    p.lastRunAt,
    p.levels,
    p.judged.up,
    p.judged.degraded,
    p.judged.down,
    p.daysWithData,
  ]);
  return JSON.stringify({ format: BOARD_FORMAT, probes });
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The stored board, or null when the row is of another format or cannot be read (a page then builds its own). */
export function decodeBoard(row: { built_at: number; board: unknown }): StatusBoard | null {
  let parsed = row.board;
  if (typeof parsed === "string") {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return null;
    }
  }
  if (typeof parsed !== "object" || parsed === null || (parsed as { format?: unknown }).format !== BOARD_FORMAT)
    return null;
  const stored = (parsed as { probes?: unknown }).probes;
  if (!Array.isArray(stored)) return null;
  const probes: BoardEntry[] = [];
  for (const entry of stored as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 9) return null;
    const [id, key, state, lastRunAt, levels, up, degraded, down, daysWithData] = entry as unknown[];
    if (
      typeof id !== "string" ||
      typeof key !== "string" ||
      typeof state !== "string" ||
      !STATES.has(state) ||
      !(lastRunAt === null || isCount(lastRunAt))
    )
      return null;
    if (!isBarCodes(levels) || ![up, degraded, down, daysWithData].every(isCount)) return null;
    const judged = { up: up as number, degraded: degraded as number, down: down as number };
    const total = judged.up + judged.degraded + judged.down;
    probes.push({
      id,
      key,
      state: state as ProbeState,
      lastRunAt,
      levels,
      judged,
      availability: total > 0 ? (judged.up + judged.degraded) / total : null,
      daysWithData: daysWithData as number,
    });
  }
  return { builtAt: row.built_at, probes };
}
