import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateJsonPath, JsonPathSyntaxError, parseJsonPath, queryJsonPath } from "../../../src/probe/jsonpath.ts";

const doc = {
  store: {
    book: [
      { title: "Sayings", price: 8.95, tags: ["wise"] },
      { title: "Sword", price: 12.99 },
      { title: "Moby", price: 8.99, isbn: "0-553" },
      { title: "Rings", price: 22.99, isbn: "0-395" },
    ],
    bicycle: { color: "red", price: 19.95 },
  },
  "odd key": 1,
  "it's": 2,
  'say "hi"': 3,
  "back\\slash": 4,
  é: 5,
  "content-type": "json",
  empty: [],
  word: "hello",
  measured: { length: 99 },
  nil: null,
};

describe("queryJsonPath", () => {
  it.each<[string, unknown[]]>([
    ["$", [doc]],
    ["$.store.bicycle.color", ["red"]],
    ["$['store']['bicycle']['color']", ["red"]],
    ['$["store"]["bicycle"]["color"]', ["red"]],
    ["$.store.book[0].title", ["Sayings"]],
    ["$.store.book[3].title", ["Rings"]],
    ["$.store.book[4].title", []],
    ["$.store.book[-1].title", ["Rings"]],
    ["$.store.book[-4].title", ["Sayings"]],
    ["$.store.book[-5].title", []],
    ["$.store.book[*].price", [8.95, 12.99, 8.99, 22.99]],
    ["$.store.book.*.price", [8.95, 12.99, 8.99, 22.99]],
    ["$.store.bicycle.*", ["red", 19.95]],
    ["$.store.bicycle[*]", ["red", 19.95]],
    ["$.store.book[0,2].title", ["Sayings", "Moby"]],
    ["$.store.book[2,0].title", ["Moby", "Sayings"]],
    ["$.store.book[0,0].title", ["Sayings", "Sayings"]],
    ["$.store.bicycle['color','price']", ["red", 19.95]],
    ["$.store.book[ 0 , -1 ].title", ["Sayings", "Rings"]],
    ["$.store.book[1:3].title", ["Sword", "Moby"]],
    ["$.store.book[:2].title", ["Sayings", "Sword"]],
    ["$.store.book[2:].title", ["Moby", "Rings"]],
    ["$.store.book[-2:].title", ["Moby", "Rings"]],
    ["$.store.book[:-3].title", ["Sayings"]],
    ["$.store.book[::2].title", ["Sayings", "Moby"]],
    ["$.store.book[::-1].title", ["Rings", "Moby", "Sword", "Sayings"]],
    ["$.store.book[3:0:-2].title", ["Rings", "Sword"]],
    ["$.store.book[::0].title", []],
    ["$.store.book[10:20].title", []],
    ["$.store.book[3:1].title", []],
    ["$.store.book[0:100].title", ["Sayings", "Sword", "Moby", "Rings"]],
    ["$..isbn", ["0-553", "0-395"]],
    ["$..book[1].title", ["Sword"]],
    ["$..book..tags[0]", ["wise"]],
    ["$..['isbn']", ["0-553", "0-395"]],
    ["$.store.bicycle..*", ["red", 19.95]],
    ["$.store.book[0]..*", ["Sayings", 8.95, ["wise"], "wise"]],
    ["$['odd key']", [1]],
    ["$['it\\'s']", [2]],
    ['$["it\'s"]', [2]],
    ['$["say \\"hi\\""]', [3]],
    ["$['say \"hi\"']", [3]],
    ["$['back\\\\slash']", [4]],
    ["$['\\u00e9']", [5]],
    ["$.é", [5]],
    ["$['content-type']", ["json"]],
    // RFC 9535 filters, evaluated without eval.
    ['$.store.book[?@.title=="Moby"].price', [8.99]],
    ["$.store.book[?@.price < 9].title", ["Sayings", "Moby"]],
    ["$.store.book[?@.isbn].title", ["Moby", "Rings"]],
    ["$.store.book[?!@.isbn && @.price > 10].title", ["Sword"]],
    ["$.store.book[?length(@.title) == 4].title", ["Moby"]],
    ['$.store.book[?match(@.isbn, "0-3.*")].title', ["Rings"]],
    ["$..book[?@.tags].tags[0]", ["wise"]],
    ["$['\\n']", []],
    ["$.store.book.length", [4]],
    ["$.word.length", [5]],
    ["$.empty.length", [0]],
    ["$.store.book[*].tags.length", [1]],
    // A real member named length wins over the pseudo-property.
    ["$.measured.length", [99]],
    // Objects have no pseudo length, and `..length` does not turn into every array's length.
    ["$.store.bicycle.length", []],
    ["$..length", [99]],
    ["$.nil", [null]],
    ["$.nil.x", []],
    ["$.missing", []],
    ["$.missing.deeper[0]", []],
    ["$.word[0]", []],
    ["$.word.*", []],
    ["$.store[0]", []],
    ["$.store.book.title", []],
    // Prototype members are not JSON members.
    ["$.constructor", []],
    ["$.store.book.map", []],
    ["$.word.toString", []],
  ])("%s", (path, expected) => {
    expect(queryJsonPath(doc, path)).toEqual(expected);
  });

  it("queries scalar and array roots", () => {
    expect(queryJsonPath(7, "$")).toEqual([7]);
    expect(queryJsonPath(null, "$.a")).toEqual([]);
    expect(queryJsonPath([10, 20, 30], "$[1]")).toEqual([20]);
    expect(queryJsonPath([10, 20, 30], "$.length")).toEqual([3]);
    expect(queryJsonPath("abc", "$.length")).toEqual([3]);
    expect(queryJsonPath([[1, 2], [3]], "$[*][0]")).toEqual([1, 3]);
  });

  it("treats a JSON member named __proto__ as an ordinary member", () => {
    expect(queryJsonPath(JSON.parse('{"__proto__": {"x": 1}}'), "$.__proto__.x")).toEqual([1]);
    expect(queryJsonPath({}, "$.__proto__")).toEqual([]);
  });

  it("does not modify the document", () => {
    const copy = structuredClone(doc);
    queryJsonPath(doc, "$..*");
    queryJsonPath(doc, "$.store.book[::-1]");
    expect(doc).toEqual(copy);
  });

  it("returns the matched values themselves", () => {
    expect(queryJsonPath(doc, "$.store.bicycle")[0]).toBe(doc.store.bicycle);
  });
});

describe("parseJsonPath", () => {
  it("compiles to the RFC 9535 syntax tree", () => {
    const compiled = parseJsonPath("$.a['b',0][1:2:3]..*");
    expect(compiled.source).toBe("$.a['b',0][1:2:3]..*");
    expect(compiled.definite).toBe(false);
    expect(compiled.ast.segments.map((s) => s.type)).toEqual([
      "ChildSegment",
      "ChildSegment",
      "ChildSegment",
      "DescendantSegment",
    ]);
    expect(parseJsonPath("$").ast.segments).toEqual([]);
    expect(parseJsonPath("$.items.length").lengthOf).toBe("$.items");
    expect(parseJsonPath("$.items[0]").lengthOf).toBeUndefined();
  });

  it.each<[string, boolean]>([
    ["$", true],
    ["$.a.b", true],
    ["$['a'][0][-1]", true],
    ["$.items.length", true],
    ["$.a[*]", false],
    ["$.a.*", false],
    ["$..a", false],
    ["$..[0]", false],
    ["$[0,1]", false],
    ["$['a','b']", false],
    ["$[0:1]", false],
    ["$[:]", false],
    ['$[?@.a=="b"]', false],
  ])("%s is definite: %s", (path, definite) => {
    expect(parseJsonPath(path).definite).toBe(definite);
  });

  it("recursive descent finds every match (RFC 9535 leaves the order of an object's members open)", () => {
    expect(queryJsonPath(doc, "$.store..price").sort()).toEqual([12.99, 19.95, 22.99, 8.95, 8.99]);
  });

  it("evaluateJsonPath gives the same result as queryJsonPath", () => {
    const parsed = parseJsonPath("$.store.book[1:].title");
    expect(evaluateJsonPath(doc, parsed)).toEqual(["Sword", "Moby", "Rings"]);
  });
});

describe("JsonPathSyntaxError", () => {
  it.each<[string, number, string]>([
    ["", 0, "expected '$' at the start of the path, found the end of the path"],
    ["items", 0, "expected '$' at the start of the path, found 'i'"],
    ["$.", 2, "expected '*' or a name, found the end of the path"],
    ["$.a.", 4, "expected '*' or a name, found the end of the path"],
    ["$[", 2, "expected a quoted name, '*', a number, ':' or '?', found the end of the path"],
    ["$[name]", 2, "expected a quoted name, '*', a number, ':' or '?', found 'n'"],
    ["$[0 1]", 4, "expected ':', ',' or ']', found '1'"],
    ["$.a b", 4, "expected "],
    ["$.content-type", 9, "expected a name, a number, '[', '.', '..' or the end of the path, found '-'"],
    ["$.items[?@.sku==]", 16, "expected "],
    ["$[?@.x>1", 8, "expected "],
  ])("%j fails at position %i", (path, position, expected) => {
    let caught: unknown;
    try {
      parseJsonPath(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(JsonPathSyntaxError);
    const err = caught as JsonPathSyntaxError;
    expect(err.position).toBe(position);
    expect(err.path).toBe(path);
    expect(err.name).toBe("JsonPathSyntaxError");
    expect(err.message).toContain(`invalid JSONPath ${JSON.stringify(path)} at position ${position}: ${expected}`);
  });

  it("is thrown by queryJsonPath too", () => {
    expect(() => queryJsonPath({}, "$.")).toThrow(JsonPathSyntaxError);
    expect(() => queryJsonPath({}, "$.")).toThrow('invalid JSONPath "$." at position 2');
  });
});

describe("properties", () => {
  it("$.a.b returns exactly the nested value", () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.dictionary(fc.string(), fc.jsonValue()),
        (value, outerExtra, innerExtra) => {
          const inner = Object.fromEntries([...Object.entries(innerExtra), ["b", value]]);
          const root = Object.fromEntries([...Object.entries(outerExtra), ["a", inner]]);
          const result = queryJsonPath(root, "$.a.b");
          expect(result).toHaveLength(1);
          expect(result[0]).toBe(value);
        },
      ),
    );
  });

  type Step = { key: string } | { index: number; extra: number; negative: boolean };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.string().map((key) => ({ key })),
    fc.record({ index: fc.nat(4), extra: fc.nat(3), negative: fc.boolean() }),
  );

  /** `['key']` with \\ and \' escaped, or `.key` when that is a plain identifier. */
  function keySegment(key: string, dotted: boolean): string {
    if (dotted && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return `.${key}`;
    return `['${key.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}']`;
  }

  it("a path built from generated keys and indexes finds the value", () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 6 }),
        fc.jsonValue(),
        fc.dictionary(fc.string(), fc.integer()),
        fc.boolean(),
        (steps, leaf, siblings, dotted) => {
          // Build from the leaf outwards; siblings make sure the right member is picked.
          let node: unknown = leaf;
          for (const s of [...steps].reverse()) {
            if ("key" in s) {
              node = Object.fromEntries([...Object.entries(siblings), [s.key, node]]);
            } else {
              const array: unknown[] = Array.from({ length: s.index + 1 + s.extra }, (_, i) => ({ filler: i }));
              array[s.index] = node;
              node = array;
            }
          }
          let path = "$";
          for (const s of steps) {
            if ("key" in s) path += keySegment(s.key, dotted);
            else path += `[${s.negative ? s.index - (s.index + 1 + s.extra) : s.index}]`;
          }
          const result = queryJsonPath(node, path);
          expect(result).toHaveLength(1);
          expect(result[0]).toBe(leaf);
          expect(parseJsonPath(path).definite).toBe(true);
        },
      ),
    );
  });

  it("double-quoted names with JSON escapes find the member", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.integer(), (key, value) => {
        const obj = Object.fromEntries([[key, value]]);
        expect(queryJsonPath(obj, `$[${JSON.stringify(key)}]`)).toEqual([value]);
      }),
    );
  });

  // Bounds from -length up: jsonpath-rfc9535 1.3.0 normalises a negative bound twice, so one
  // below -length (e.g. [-4:1] on 3 elements) selects too little (a known deviation).
  it("a slice [a:b] equals Array.prototype.slice(a, b)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 10 }),
        fc.integer({ min: -12, max: 12 }),
        fc.integer({ min: -12, max: 12 }),
        (array, rawA, rawB) => {
          const a = Math.max(rawA, -array.length);
          const b = Math.max(rawB, -array.length);
          expect(queryJsonPath(array, `$[${a}:${b}]`)).toEqual(array.slice(a, b));
        },
      ),
    );
  });

  it("[::-1] reverses, [*] and [:] return every element", () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 10 }), (array) => {
        expect(queryJsonPath(array, "$[::-1]")).toEqual([...array].reverse());
        expect(queryJsonPath(array, "$[*]")).toEqual(array);
        expect(queryJsonPath(array, "$[:]")).toEqual(array);
        expect(queryJsonPath(array, "$.length")).toEqual([array.length]);
      }),
    );
  });

  it("any string either parses or throws a JsonPathSyntaxError pointing inside the path", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(..."$.[]*:,'\"\\-0123ab u") }), (tail) => {
        const path = `$${tail}`;
        try {
          parseJsonPath(path);
        } catch (err) {
          expect(err).toBeInstanceOf(JsonPathSyntaxError);
          expect((err as JsonPathSyntaxError).position).toBeGreaterThanOrEqual(0);
          expect((err as JsonPathSyntaxError).position).toBeLessThanOrEqual(path.length);
        }
      }),
    );
  });
});
