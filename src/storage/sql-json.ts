/**
 * SQL fragments over JSON columns shared by the run store's statements. Counts by key (latency
 * histogram buckets, failures per step) are JSON objects, so two of them add up key by key.
 */

/** SQL for the key-by-key sum of two JSON objects of counts (either may be `{}`). */
export function sumCountsSql(current: string, incoming: string): string {
  return `CASE WHEN ${incoming} = '{}' THEN ${current} ELSE (SELECT json_group_object(key, n) FROM
    (SELECT key, sum(value) AS n FROM (SELECT key, value FROM json_each(${current}) UNION ALL SELECT key, value FROM json_each(${incoming})) GROUP BY key)) END`;
}

/** Adds counts by key into `into` (for decoding: the same sum in the Worker). */
export function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): Record<string, number> {
  for (const [key, n] of Object.entries(counts)) into[key] = (into[key] ?? 0) + n;
  return into;
}
