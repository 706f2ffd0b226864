/** Counts by key (failures per step) add up key by key. */

/** Adds counts by key into `into` (for decoding: the same sum in the Worker). */
export function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): Record<string, number> {
  for (const [key, n] of Object.entries(counts)) into[key] = (into[key] ?? 0) + n;
  return into;
}
