/** Lists as JSON parameters, cut by size: nothing lost, nothing reordered, every chunk within the bound. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JSON_CHUNK_BYTES, jsonChunks } from "../../../src/storage/json-chunks.ts";

describe("jsonChunks", () => {
  it("cuts a list into JSON arrays that together hold the list in order", () => {
    expect(jsonChunks([{ a: 1 }, { a: 2 }], 12)).toEqual(['[{"a":1}]', '[{"a":2}]']);
    expect(jsonChunks([{ a: 1 }, { a: 2 }], 100)).toEqual(['[{"a":1},{"a":2}]']);
    expect(jsonChunks([])).toEqual([]);
    expect(JSON_CHUNK_BYTES * 3).toBeLessThan(2_000_000); // D1's largest value, in UTF-8
  });

  it("over random lists: the items in order, each chunk within the bound unless one item alone is larger", () => {
    const item = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.record({ id: fc.string(), state: fc.string({ maxLength: 200 }) }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 200 }), fc.integer({ min: 8, max: 2_000 }), (items, maxBytes) => {
        const chunks = jsonChunks(items, maxBytes);
        expect(chunks.flatMap((c) => JSON.parse(c) as unknown[])).toEqual(items);
        for (const chunk of chunks) {
          const parsed = JSON.parse(chunk) as unknown[];
          expect(parsed.length).toBeGreaterThan(0);
          if (parsed.length > 1) expect(chunk.length).toBeLessThanOrEqual(maxBytes);
        }
      }),
    );
  });
});
