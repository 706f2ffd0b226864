/**
 * The incident history's months. Pure: built from what the loaders read (src/queries/page.ts), with
 * `now` passed in.
 */
import type { IncidentView } from "./notices-view.ts";

/** Empty months are listed back to the oldest incident, but not further than this. */
const MAX_HISTORY_MONTHS = 120;

export interface HistoryMonth {
  key: string;
  label: string;
  incidents: IncidentView[];
}

/**
 * Incidents by month in the page's time zone, newest month first, from the current month back
 * to the older of (the oldest incident, `minMonths` months ago), empty months included (so "no
 * incidents" is said, not implied).
 */
export function historyMonths(
  incidents: readonly IncidentView[],
  now: number,
  monthOf: (at: number) => { key: string; label: string },
  minMonths = 3,
): HistoryMonth[] {
  const months = new Map<string, HistoryMonth>();
  const add = (at: number) => {
    const m = monthOf(at);
    if (!months.has(m.key)) months.set(m.key, { ...m, incidents: [] });
    return months.get(m.key)!;
  };
  // Step back month by month from now: the middle of each UTC month is in the same month in any zone.
  const d = new Date(now);
  const oldestKey = monthOf(incidents.reduce((t, i) => Math.min(t, i.startedAt), now)).key;
  for (let k = 0; k < MAX_HISTORY_MONTHS; k++) {
    const month = add(k === 0 ? now : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k, 15));
    if (k + 1 >= minMonths && month.key <= oldestKey) break;
  }
  for (const i of [...incidents].sort((a, b) => b.startedAt - a.startedAt)) add(i.startedAt).incidents.push(i);
  return [...months.values()].sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}
