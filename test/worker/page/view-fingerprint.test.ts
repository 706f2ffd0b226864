/** The view fingerprint behind the pages' ETags, and the If-None-Match rule. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ifNoneMatch } from "../../../src/api/if-none-match.ts";
import { viewFingerprint } from "../../../src/hash.ts";

const json = fc.jsonValue({ maxDepth: 4 });

describe("viewFingerprint", () => {
  it("is the same for equal views, and 16 hex digits (property)", () => {
    fc.assert(
      fc.property(json, (view) => {
        const fingerprint = viewFingerprint(view);
        expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
        expect(viewFingerprint(structuredClone(view))).toBe(fingerprint);
      }),
    );
  });

  it("changes when any one value changes (property)", () => {
    const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.string(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.array(leaf, { minLength: 1, maxLength: 40 }), fc.nat(), leaf, (values, at, replacement) => {
        const i = at % values.length;
        fc.pre(!Object.is(values[i], replacement));
        const changed = [...values];
        changed[i] = replacement;
        expect(viewFingerprint({ days: changed })).not.toBe(viewFingerprint({ days: values }));
      }),
    );
  });

  it("tells apart values that a plain concatenation would not", () => {
    const distinct = [
      ["ab", "c"],
      ["a", "bc"],
      [1, 23],
      [12, 3],
      [[1], 2],
      [1, [2]],
      [null],
      [false],
      [0],
      [""],
      [{}],
      [[]],
      [1.5],
      [1700000000000],
      [1700000000001],
    ];
    expect(new Set(distinct.map((v) => viewFingerprint(v))).size).toBe(distinct.length);
  });

  it("leaves out the keys it is told to, and nothing else", () => {
    const view = { now: 1, state: "up", nested: { now: 2, runs: 3 } };
    const skip = new Set(["now"]);
    expect(viewFingerprint({ ...view, now: 99, nested: { now: 98, runs: 3 } }, skip)).toBe(viewFingerprint(view, skip));
    expect(viewFingerprint({ ...view, nested: { now: 2, runs: 4 } }, skip)).not.toBe(viewFingerprint(view, skip));
    expect(viewFingerprint({ ...view, now: 99 })).not.toBe(viewFingerprint(view));
  });

  it("refuses what is not data", () => {
    expect(() => viewFingerprint({ render: () => 1 })).toThrow(/a view holds data only, not a function/);
  });
});

describe("If-None-Match", () => {
  const etag = 'W/"0123456789abcdef"';
  it.each([
    [undefined, false],
    ["", false],
    ["*", true],
    ['"0123456789abcdef"', true],
    ['W/"0123456789abcdef"', true],
    ['"x", W/"0123456789abcdef"', true],
    ['"0123456789abcdee"', false],
    ["0123456789abcdef", false],
  ])("%s -> %s", (header, matches) => {
    expect(ifNoneMatch(header, etag)).toBe(matches);
  });
});
