/**
 * Listing runs newest first across (probe, region) pairs: one primary-key range read per pair,
 * merged in the Worker. Order: slot descending, then probe id and region ascending. The cursor
 * is the position of the last run returned.
 */
import type { RunStatus, RunSummary } from "../probe/result.ts";

/** Without a probe filter, at most this many pairs are read per page (one statement each). */
export const MAX_PAIRS_WITHOUT_PROBE = 50;

export interface RunPosition {
  slotAt: number;
  probeId: string;
  region: string;
}

export interface ListRunsQuery {
  pairs: readonly { probeId: string; region: string }[];
  status?: RunStatus | undefined;
  from?: number | undefined;
  to?: number | undefined;
  cursor?: RunPosition | undefined;
  limit: number;
}

export interface RunListPage {
  runs: RunSummary[];
  /** Where the next page starts, or null on the last page. */
  next: RunPosition | null;
}

export function comparePositions(a: RunPosition, b: RunPosition): number {
  if (a.slotAt !== b.slotAt) return b.slotAt - a.slotAt;
  if (a.probeId !== b.probeId) return a.probeId < b.probeId ? -1 : 1;
  return a.region < b.region ? -1 : a.region > b.region ? 1 : 0;
}

export function encodeCursor(position: RunPosition): string {
  return btoa(JSON.stringify([position.slotAt, position.probeId, position.region]))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
}

/** The position a cursor names, or null when it is not one encodeCursor made. */
export function decodeCursor(cursor: string): RunPosition | null {
  try {
    const value: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [slotAt, probeId, region] = value as unknown[];
    if (!Number.isSafeInteger(slotAt) || typeof probeId !== "string" || typeof region !== "string") return null;
    return { slotAt: slotAt as number, probeId, region };
  } catch {
    return null;
  }
}
