/**
 * Bounds on what maintenance can make the public outputs show. A write token could otherwise
 * make every public response enormous: one `* * * * *` schedule lasting a week has 86,400
 * overlapping occurrences in the ±30 days the page looks at. So, per maintenance, overlapping
 * or touching occurrences merge into one (that is what a reader sees anyway), and at most
 * MAX_PER_MAINTENANCE of them are kept; per response, at most MAX_PER_RESPONSE. The ones kept
 * are those that matter now: in progress first, then the next to come, then the most recent.
 */
import type { Maintenance, MaintenanceWindow } from "../incidents/model.ts";

const MAX_PER_MAINTENANCE = 10;
export const MAX_PER_RESPONSE = 50;

interface Occurrence {
  maintenance: Maintenance;
  window: MaintenanceWindow;
}

/** Overlapping or touching windows (sorted by start) as one. */
function mergeWindows(windows: readonly MaintenanceWindow[]): MaintenanceWindow[] {
  const merged: MaintenanceWindow[] = [];
  for (const w of [...windows].sort((a, b) => a.startsAt - b.startsAt)) {
    const last = merged[merged.length - 1];
    if (last && w.startsAt <= last.endsAt) last.endsAt = Math.max(last.endsAt, w.endsAt);
    else merged.push({ ...w });
  }
  return merged;
}

/** Active first, then upcoming (soonest first), then past (latest first). */
function relevance(now: number): (a: MaintenanceWindow, b: MaintenanceWindow) => number {
  const rank = (w: MaintenanceWindow) => (w.startsAt <= now && now < w.endsAt ? 0 : w.startsAt > now ? 1 : 2);
  return (a, b) => rank(a) - rank(b) || (rank(a) === 2 ? b.endsAt - a.endsAt : a.startsAt - b.startsAt);
}

/** The occurrences a public response shows, bounded, newest first by start. */
export function boundedOccurrences(
  perMaintenance: readonly { maintenance: Maintenance; windows: readonly MaintenanceWindow[] }[],
  now: number,
): Occurrence[] {
  const order = relevance(now);
  const kept = perMaintenance.flatMap(({ maintenance, windows }) =>
    mergeWindows(windows)
      .sort(order)
      .slice(0, MAX_PER_MAINTENANCE)
      .map((window) => ({ maintenance, window })),
  );
  return kept
    .sort((a, b) => order(a.window, b.window))
    .slice(0, MAX_PER_RESPONSE)
    .sort((a, b) => b.window.startsAt - a.window.startsAt);
}
