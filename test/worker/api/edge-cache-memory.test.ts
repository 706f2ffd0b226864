/** This isolate's copies: bounded in number and bytes, never served past their stale window. */
import { describe, expect, it } from "vitest";
import { IsolateCopies, MAX_HELD_COPY_BYTES, responseOf, type HeldCopy } from "../../../src/api/edge-cache-memory.ts";

const copy = (bytes: number, staleUntil = 2_000): HeldCopy => ({
  status: 200,
  statusText: "OK",
  headers: [["etag", 'W/"a"']],
  body: new ArrayBuffer(bytes),
  freshUntil: 1_000,
  staleUntil,
});

describe("IsolateCopies", () => {
  it("gives a copy back until its stale window ends, then forgets it", () => {
    const copies = new IsolateCopies();
    copies.set("k", copy(10));
    expect(copies.get("k", 500)?.freshUntil).toBe(1_000);
    expect(copies.get("k", 1_999)).toBeDefined();
    expect(copies.get("k", 2_000)).toBeUndefined();
    expect(copies.size).toBe(0);
  });

  it("drops the oldest copies past its count or its bytes, and never holds one copy over the size limit", () => {
    const byCount = new IsolateCopies(2, 1_000);
    for (const key of ["a", "b", "c"]) byCount.set(key, copy(10));
    expect([byCount.get("a", 0), byCount.get("b", 0), byCount.get("c", 0)].map(Boolean)).toEqual([false, true, true]);
    const byBytes = new IsolateCopies(10, 25);
    for (const key of ["a", "b", "c"]) byBytes.set(key, copy(10));
    expect([byBytes.get("a", 0), byBytes.get("b", 0), byBytes.get("c", 0)].map(Boolean)).toEqual([false, true, true]);
    byBytes.set("b", copy(10)); // set again: the newest now
    byBytes.set("d", copy(10));
    expect([byBytes.get("b", 0), byBytes.get("c", 0), byBytes.get("d", 0)].map(Boolean)).toEqual([true, false, true]);
    const any = new IsolateCopies();
    any.set("big", copy(MAX_HELD_COPY_BYTES + 1));
    expect(any.get("big", 0)).toBeUndefined();
  });

  it("counts purges, so renders under way can tell", () => {
    const copies = new IsolateCopies();
    copies.set("k", copy(10));
    copies.purge("k");
    copies.purge("never-held");
    expect(copies.purges).toBe(2);
    expect(copies.get("k", 0)).toBeUndefined();
  });

  it("answers each reader with a Response of its own", async () => {
    const held = { ...copy(0), body: new TextEncoder().encode("page").buffer as ArrayBuffer };
    const [a, b] = [responseOf(held), responseOf(held)];
    expect(await a.text()).toBe("page");
    expect(await b.text()).toBe("page");
    expect(b.headers.get("etag")).toBe('W/"a"');
  });
});
