/**
 * Lists that travel to D1 as one JSON parameter (read back through json_each), cut into chunks
 * of bounded size. Why: D1 allows 100 bound parameters per statement, so a list of any length
 * binds one parameter, and the number of statements grows with the bytes written (one per
 * JSON_CHUNK_BYTES), never with the number of rows. A single item larger than the limit gets a
 * chunk of its own.
 */

/** UTF-16 units of JSON per bound parameter: even at 3 bytes each in UTF-8, under D1's 2 MB per value. */
export const JSON_CHUNK_BYTES = 640 * 1024;

/**
 * @example
 * jsonChunks([{ a: 1 }, { a: 2 }], 12) // ['[{"a":1}]', '[{"a":2}]']
 */
export function jsonChunks(items: readonly unknown[], maxBytes = JSON_CHUNK_BYTES): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    // UTF-16 units, not bytes: a chunk is at most 3 × maxBytes in UTF-8, still far below D1's 2 MB.
    if (current.length > 0 && size + json.length + 1 > maxBytes) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += json.length + 1;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}
