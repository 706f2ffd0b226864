import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkExpectedStatus, describeAssertion, evaluateAssertion } from "../../../src/probe/assertions.ts";
import type { ObservedResponse } from "../../../src/probe/observed-response.ts";
import type { AssertionOutcome } from "../../../src/probe/result.ts";
import type { Assertion, ExpectedStatus } from "../../../src/probe/schema.ts";

function response(
  init: { status?: number; headers?: HeadersInit; body?: string; bodyBytes?: number; totalMs?: number } = {},
): ObservedResponse {
  const body = init.body ?? "";
  return {
    status: init.status ?? 200,
    headers: new Headers(init.headers ?? {}),
    bodyText: body,
    bodyBytes: init.bodyBytes ?? new TextEncoder().encode(body).length,
    totalMs: init.totalMs ?? 0,
  };
}

type Row = [name: string, assertion: Assertion, passed: boolean, expected: string, actual: string];

function check(r: ObservedResponse) {
  return (_name: string, assertion: Assertion, passed: boolean, expected: string, actual: string) => {
    const outcome = evaluateAssertion(assertion, r);
    expect(outcome).toEqual<AssertionOutcome>({ label: outcome.label, passed, expected, actual });
  };
}

describe("status", () => {
  const r = response({ status: 200 });
  it.each<Row>([
    ["equals passes", { source: "status", op: "equals", value: 200 }, true, "200", "200"],
    ["equals fails", { source: "status", op: "equals", value: 201 }, false, "201", "200"],
    [
      "equals with a list passes",
      { source: "status", op: "equals", value: [200, 204] },
      true,
      "one of 200, 204",
      "200",
    ],
    ["notEquals passes", { source: "status", op: "notEquals", value: 500 }, true, "not 500", "200"],
    ["notEquals fails", { source: "status", op: "notEquals", value: 200 }, false, "not 200", "200"],
    [
      "notEquals with a list fails",
      { source: "status", op: "notEquals", value: [200, 204] },
      false,
      "none of 200, 204",
      "200",
    ],
    ["lt passes", { source: "status", op: "lt", value: 300 }, true, "< 300", "200"],
    ["lt fails on equal", { source: "status", op: "lt", value: 200 }, false, "< 200", "200"],
    ["gt passes", { source: "status", op: "gt", value: 199 }, true, "> 199", "200"],
    ["gt fails on equal", { source: "status", op: "gt", value: 200 }, false, "> 200", "200"],
    ["lte passes on equal", { source: "status", op: "lte", value: 200 }, true, "<= 200", "200"],
    ["lte fails", { source: "status", op: "lte", value: 199 }, false, "<= 199", "200"],
    ["gte passes on equal", { source: "status", op: "gte", value: 200 }, true, ">= 200", "200"],
    ["gte fails", { source: "status", op: "gte", value: 201 }, false, ">= 201", "200"],
    ["in passes", { source: "status", op: "in", value: [204, 200] }, true, "one of 204, 200", "200"],
    ["in fails", { source: "status", op: "in", value: [301, 302] }, false, "one of 301, 302", "200"],
    ["in with one number passes", { source: "status", op: "in", value: 200 }, true, "200", "200"],
    [
      "lt with a list is invalid",
      { source: "status", op: "lt", value: [300] },
      false,
      "300",
      "invalid assertion: 'lt' needs one status code, not a list",
    ],
  ])("%s", check(r));

  it("labels", () => {
    expect(evaluateAssertion({ source: "status", op: "gte", value: 200 }, r).label).toBe("status gte");
  });
});

describe("header", () => {
  const r = response({ headers: { "Content-Type": "application/json; charset=utf-8", "X-Request-Id": "req-42" } });
  const ct = "content-type";
  it.each<Row>([
    [
      "equals passes",
      { source: "header", name: ct, op: "equals", value: "application/json; charset=utf-8" },
      true,
      '"application/json; charset=utf-8"',
      '"application/json; charset=utf-8"',
    ],
    [
      "equals fails",
      { source: "header", name: ct, op: "equals", value: "application/json" },
      false,
      '"application/json"',
      '"application/json; charset=utf-8"',
    ],
    [
      "equals is case-sensitive on the value",
      { source: "header", name: ct, op: "equals", value: "APPLICATION/JSON; charset=utf-8" },
      false,
      '"APPLICATION/JSON; charset=utf-8"',
      '"application/json; charset=utf-8"',
    ],
    [
      "equals fails when absent",
      { source: "header", name: "x-missing", op: "equals", value: "a" },
      false,
      '"a"',
      "absent",
    ],
    [
      "notEquals passes",
      { source: "header", name: ct, op: "notEquals", value: "text/html" },
      true,
      'not "text/html"',
      '"application/json; charset=utf-8"',
    ],
    [
      "notEquals fails",
      { source: "header", name: "x-request-id", op: "notEquals", value: "req-42" },
      false,
      'not "req-42"',
      '"req-42"',
    ],
    [
      "notEquals passes when absent",
      { source: "header", name: "x-missing", op: "notEquals", value: "a" },
      true,
      'not "a"',
      "absent",
    ],
    [
      "contains passes",
      { source: "header", name: ct, op: "contains", value: "json" },
      true,
      'contains "json"',
      '"application/json; charset=utf-8"',
    ],
    [
      "contains fails",
      { source: "header", name: ct, op: "contains", value: "html" },
      false,
      'contains "html"',
      '"application/json; charset=utf-8"',
    ],
    [
      "contains fails when absent",
      { source: "header", name: "x-missing", op: "contains", value: "" },
      false,
      'contains ""',
      "absent",
    ],
    [
      "notContains passes",
      { source: "header", name: ct, op: "notContains", value: "html" },
      true,
      'does not contain "html"',
      '"application/json; charset=utf-8"',
    ],
    [
      "notContains fails",
      { source: "header", name: ct, op: "notContains", value: "json" },
      false,
      'does not contain "json"',
      '"application/json; charset=utf-8"',
    ],
    [
      "notContains passes when absent",
      { source: "header", name: "x-missing", op: "notContains", value: "json" },
      true,
      'does not contain "json"',
      "absent",
    ],
    [
      "matches passes",
      { source: "header", name: "x-request-id", op: "matches", value: "^req-\\d+$" },
      true,
      "matches /^req-\\d+$/",
      '"req-42"',
    ],
    [
      "matches fails",
      { source: "header", name: "x-request-id", op: "matches", value: "^id-" },
      false,
      "matches /^id-/",
      '"req-42"',
    ],
    [
      "matches fails when absent",
      { source: "header", name: "x-missing", op: "matches", value: ".*" },
      false,
      "matches /.*/",
      "absent",
    ],
    [
      "matches with an invalid regex fails",
      { source: "header", name: ct, op: "matches", value: "(" },
      false,
      "matches /(/",
      "Invalid regular expression: /(/: Unterminated group",
    ],
    ["exists passes", { source: "header", name: "x-request-id", op: "exists" }, true, "present", '"req-42"'],
    ["exists fails", { source: "header", name: "x-missing", op: "exists" }, false, "present", "absent"],
    ["notExists passes", { source: "header", name: "x-missing", op: "notExists" }, true, "absent", "absent"],
    ["notExists fails", { source: "header", name: "x-request-id", op: "notExists" }, false, "absent", '"req-42"'],
    [
      "names are case-insensitive",
      { source: "header", name: "CONTENT-TYPE", op: "contains", value: "json" },
      true,
      'contains "json"',
      '"application/json; charset=utf-8"',
    ],
    [
      "a missing value is invalid",
      { source: "header", name: ct, op: "equals" },
      false,
      "(no value)",
      "invalid assertion: header 'equals' needs a value",
    ],
    [
      "an invalid header name fails",
      { source: "header", name: "bad name", op: "exists" },
      false,
      "present",
      'invalid assertion: "bad name" is not a valid header name',
    ],
  ])("%s", check(r));

  it("labels with the lower-cased header name", () => {
    expect(evaluateAssertion({ source: "header", name: "Content-Type", op: "contains", value: "json" }, r).label).toBe(
      "header content-type contains",
    );
  });

  it("sees repeated headers joined with a comma", () => {
    const multi = response({
      headers: [
        ["vary", "accept"],
        ["vary", "origin"],
      ],
    });
    expect(
      evaluateAssertion({ source: "header", name: "vary", op: "equals", value: "accept, origin" }, multi).passed,
    ).toBe(true);
  });
});

describe("body", () => {
  const r = response({ body: "hello world" });
  it.each<Row>([
    [
      "contains passes",
      { source: "body", op: "contains", value: "world" },
      true,
      'contains "world"',
      'found at offset 6: "hello world"',
    ],
    [
      "contains fails",
      { source: "body", op: "contains", value: "World" },
      false,
      'contains "World"',
      'not found in "hello world"',
    ],
    [
      "notContains passes",
      { source: "body", op: "notContains", value: "error" },
      true,
      'does not contain "error"',
      'not found in "hello world"',
    ],
    [
      "notContains fails",
      { source: "body", op: "notContains", value: "o w" },
      false,
      'does not contain "o w"',
      'found at offset 4: "hello world"',
    ],
    [
      "matches passes",
      { source: "body", op: "matches", value: "w.r" },
      true,
      "matches /w.r/",
      'matched "wor" at offset 6',
    ],
    [
      "matches fails",
      { source: "body", op: "matches", value: "^world" },
      false,
      "matches /^world/",
      'no match in "hello world"',
    ],
    [
      "matches with an invalid regex fails",
      { source: "body", op: "matches", value: "[a-" },
      false,
      "matches /[a-/",
      "Invalid regular expression: /[a-/: Unterminated character class",
    ],
    [
      "notMatches passes",
      { source: "body", op: "notMatches", value: "\\d" },
      true,
      "does not match /\\d/",
      'no match in "hello world"',
    ],
    [
      "notMatches fails",
      { source: "body", op: "notMatches", value: "l+" },
      false,
      "does not match /l+/",
      'matched "ll" at offset 2',
    ],
    [
      "notMatches with an invalid regex fails",
      { source: "body", op: "notMatches", value: "(" },
      false,
      "does not match /(/",
      "Invalid regular expression: /(/: Unterminated group",
    ],
    ["equals passes", { source: "body", op: "equals", value: "hello world" }, true, '"hello world"', '"hello world"'],
    [
      "equals fails",
      { source: "body", op: "equals", value: "hello world\n" },
      false,
      '"hello world\\n"',
      '"hello world"',
    ],
  ])("%s", check(r));

  it("shows the context of a hit in a long body", () => {
    const long = response({ body: `${"a".repeat(100)}ERROR${"b".repeat(100)}` });
    const outcome = evaluateAssertion({ source: "body", op: "notContains", value: "ERROR" }, long);
    expect(outcome).toEqual({
      label: "body notContains",
      passed: false,
      expected: 'does not contain "ERROR"',
      actual: `found at offset 100: "…${"a".repeat(40)}ERROR${"b".repeat(40)}…"`,
    });
  });

  it("truncates actual to 200 characters", () => {
    const long = response({ body: "x".repeat(500) });
    const outcome = evaluateAssertion({ source: "body", op: "contains", value: "y" }, long);
    expect(outcome.actual).toBe(`not found in "${"x".repeat(185)}…`);
    expect(outcome.actual).toHaveLength(200);
  });
});

describe("json", () => {
  const body = JSON.stringify({
    items: [
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ],
    count: 2,
    total: "42.50",
    name: "Widget",
    tags: ["x", "y"],
    meta: { a: 1, b: null },
    nothing: null,
    flag: false,
  });
  const r = response({ body, headers: { "content-type": "application/json" } });
  const j = (path: string, op: Extract<Assertion, { source: "json" }>["op"], value?: unknown): Assertion =>
    (value === undefined ? { source: "json", path, op } : { source: "json", path, op, value }) as Assertion;

  it.each<Row>([
    ["equals passes on a number", j("$.count", "equals", 2), true, "2", "2"],
    ["equals fails on a number", j("$.count", "equals", 3), false, "3", "2"],
    ["equals is strict about types", j("$.count", "equals", "2"), false, '"2"', "2"],
    ["equals passes on null", j("$.nothing", "equals", null), true, "null", "null"],
    ["equals passes on false", j("$.flag", "equals", false), true, "false", "false"],
    [
      "equals compares objects deeply, ignoring key order",
      j("$.meta", "equals", { b: null, a: 1 }),
      true,
      '{"b":null,"a":1}',
      '{"a":1,"b":null}',
    ],
    ["equals fails on a different object", j("$.meta", "equals", { a: 1 }), false, '{"a":1}', '{"a":1,"b":null}'],
    [
      "equals fails on an object with an extra key",
      j("$.meta", "equals", { a: 1, b: null, c: 2 }),
      false,
      '{"a":1,"b":null,"c":2}',
      '{"a":1,"b":null}',
    ],
    ["equals compares arrays in order", j("$.tags", "equals", ["x", "y"]), true, '["x","y"]', '["x","y"]'],
    ["equals fails on another order", j("$.tags", "equals", ["y", "x"]), false, '["y","x"]', '["x","y"]'],
    ["equals fails when nothing matches", j("$.missing", "equals", 1), false, "1", "no match for $.missing"],
    ["notEquals passes", j("$.name", "notEquals", "Gadget"), true, 'not "Gadget"', '"Widget"'],
    ["notEquals fails", j("$.meta", "notEquals", { a: 1, b: null }), false, 'not {"a":1,"b":null}', '{"a":1,"b":null}'],
    ["notEquals fails when nothing matches", j("$.missing", "notEquals", 1), false, "not 1", "no match for $.missing"],
    ["exists passes", j("$.items[0].id", "exists"), true, "exists", "1"],
    ["exists passes on null", j("$.nothing", "exists"), true, "exists", "null"],
    ["exists fails", j("$.items[5]", "exists"), false, "exists", "no match for $.items[5]"],
    ["notExists passes", j("$.error", "notExists"), true, "no match", "no match for $.error"],
    ["notExists fails", j("$.name", "notExists"), false, "no match", '"Widget"'],
    ["lt passes", j("$.count", "lt", 3), true, "< 3", "2"],
    ["lt fails", j("$.count", "lt", 2), false, "< 2", "2"],
    ["gt passes on a numeric string", j("$.total", "gt", 42), true, "> 42", '"42.50"'],
    ["gt fails on a numeric string", j("$.total", "gt", 42.5), false, "> 42.5", '"42.50"'],
    ["lte passes", j("$.count", "lte", 2), true, "<= 2", "2"],
    ["lte fails", j("$.count", "lte", 1), false, "<= 1", "2"],
    ["gte passes", j("$.total", "gte", 42.5), true, ">= 42.5", '"42.50"'],
    ["gte fails", j("$.count", "gte", 3), false, ">= 3", "2"],
    ["gte accepts a numeric string as the limit", j("$.count", "gte", "2"), true, '>= "2"', "2"],
    ["lt fails on a non-number", j("$.name", "lt", 5), false, "< 5", '"Widget" (a string, not a number)'],
    ["lt fails on a list of matches", j("$.items[*].id", "lt", 5), false, "< 5", "[1,2] (an array, not a number)"],
    [
      "lt with a non-numeric limit is invalid",
      j("$.count", "lt", "many"),
      false,
      '< "many"',
      "invalid assertion: json 'lt' needs a number",
    ],
    ["contains passes on a substring", j("$.name", "contains", "idg"), true, 'contains "idg"', '"Widget"'],
    ["contains fails on a substring", j("$.name", "contains", "widg"), false, 'contains "widg"', '"Widget"'],
    ["contains passes on an array element", j("$.tags", "contains", "y"), true, 'contains "y"', '["x","y"]'],
    ["contains fails on an array element", j("$.tags", "contains", "z"), false, 'contains "z"', '["x","y"]'],
    [
      "contains compares array elements deeply",
      j("$.items", "contains", { name: "b", id: 2 }),
      true,
      'contains {"name":"b","id":2}',
      '[{"id":1,"name":"a"},{"id":2,"name":"b"}]',
    ],
    [
      "contains fails on a partial element",
      j("$.items", "contains", { id: 2 }),
      false,
      'contains {"id":2}',
      '[{"id":1,"name":"a"},{"id":2,"name":"b"}]',
    ],
    [
      "contains fails on a number",
      j("$.count", "contains", 2),
      false,
      "contains 2",
      "2 (a number: contains works on strings and arrays)",
    ],
    [
      "contains on a string with an object is invalid",
      j("$.name", "contains", { a: 1 }),
      false,
      'contains {"a":1}',
      "invalid assertion: json 'contains' on a string needs a string",
    ],
    [
      "length passes on an array",
      j("$.items", "length", 2),
      true,
      "length 2",
      'length 2: [{"id":1,"name":"a"},{"id":2,"name":"b"}]',
    ],
    [
      "length fails on an array",
      j("$.items", "length", 3),
      false,
      "length 3",
      'length 2: [{"id":1,"name":"a"},{"id":2,"name":"b"}]',
    ],
    ["length passes on a string", j("$.name", "length", 6), true, "length 6", 'length 6: "Widget"'],
    ["length counts object keys", j("$.meta", "length", 2), true, "length 2", 'length 2: {"a":1,"b":null}'],
    ["length fails on a number", j("$.count", "length", 1), false, "length 1", "2 (a number has no length)"],
    ["length fails on null", j("$.nothing", "length", 0), false, "length 0", "null (null has no length)"],
    [
      "length with a non-number is invalid",
      j("$.items", "length", "2"),
      false,
      'length "2"',
      "invalid assertion: json 'length' needs a number",
    ],
    ["matches passes on a string", j("$.name", "matches", "^Wid"), true, "matches /^Wid/", '"Widget"'],
    ["matches fails on a string", j("$.name", "matches", "^wid"), false, "matches /^wid/", '"Widget"'],
    ["matches a number in its JSON form", j("$.count", "matches", "^\\d$"), true, "matches /^\\d$/", "2"],
    [
      "matches an object in its JSON form",
      j("$.meta", "matches", '"b":null'),
      true,
      'matches /"b":null/',
      '{"a":1,"b":null}',
    ],
    [
      "matches with an invalid regex fails",
      j("$.name", "matches", "+"),
      false,
      "matches /+/",
      "Invalid regular expression: /+/: Nothing to repeat",
    ],
    [
      "matches with a non-string is invalid",
      j("$.name", "matches", 5),
      false,
      "matches /5/",
      "invalid assertion: json 'matches' needs a regular expression string",
    ],
    [
      "a missing value is invalid",
      j("$.count", "equals"),
      false,
      "(no value)",
      "invalid assertion: json 'equals' needs a value",
    ],
    [
      "a JSONPath syntax error fails",
      j("$.items[", "exists"),
      false,
      "exists",
      "invalid JSONPath \"$.items[\" at position 8: expected a quoted name, '*', a number, ':' or '?', found the end of the path",
    ],
    // Paths with wildcards, descent, slices or lists check the list of all their matches.
    ["a wildcard path equals the list of matches", j("$.items[*].id", "equals", [1, 2]), true, "[1,2]", "[1,2]"],
    ["a wildcard path contains one match", j("$.items[*].id", "contains", 2), true, "contains 2", "[1,2]"],
    ["a wildcard path fails contains", j("$.items[*].id", "contains", 3), false, "contains 3", "[1,2]"],
    ["a descent path counts its matches", j("$..name", "length", 3), true, "length 3", 'length 3: ["Widget","a","b"]'],
    ["an empty descent has length 0", j("$..error", "length", 0), true, "length 0", "length 0: []"],
    ["an empty descent does not exist", j("$..error", "exists"), false, "exists", "no match for $..error"],
    ["an empty descent passes notExists", j("$..error", "notExists"), true, "no match", "no match for $..error"],
    ["a slice fails notExists when it matches", j("$.items[0:1].id", "notExists"), false, "no match", "[1]"],
    ["the .length pseudo-property is a number", j("$.items.length", "gte", 1), true, ">= 1", "2"],
  ])("%s", check(r));

  it("labels with the path", () => {
    expect(evaluateAssertion(j("$.items", "length", 2), r).label).toBe("json $.items length");
  });

  it("fails, with the parse error, on a body that is not JSON", () => {
    const outcome = evaluateAssertion(j("$.count", "equals", 2), response({ body: "<html>" }));
    expect(outcome.label).toBe("json $.count equals");
    expect(outcome.passed).toBe(false);
    expect(outcome.expected).toBe("2");
    expect(outcome.actual).toMatch(/^the body is not valid JSON \(.+\)$/);
  });

  it.each([j("$.a", "exists"), j("$.a", "notExists")])("fails $op on an empty body", (assertion) => {
    expect(evaluateAssertion(assertion, response({ body: "" }))).toEqual({
      label: `json $.a ${assertion.op}`,
      passed: false,
      expected: assertion.op === "exists" ? "exists" : "no match",
      actual: "the body is empty, not JSON",
    });
  });

  it("truncates a long actual to 200 characters", () => {
    const big = response({ body: JSON.stringify({ list: Array.from({ length: 100 }, (_, i) => i) }) });
    const outcome = evaluateAssertion(j("$.list", "equals", []), big);
    expect(outcome.actual).toHaveLength(200);
    expect(outcome.actual.endsWith("…")).toBe(true);
    expect(outcome.actual.startsWith("[0,1,2,3,")).toBe(true);
  });
});

describe("responseTime", () => {
  const r = response({ totalMs: 250 });
  it.each<Row>([
    ["lt passes", { source: "responseTime", op: "lt", value: 300 }, true, "< 300 ms", "250 ms"],
    ["lt fails on equal", { source: "responseTime", op: "lt", value: 250 }, false, "< 250 ms", "250 ms"],
    ["lte passes on equal", { source: "responseTime", op: "lte", value: 250 }, true, "<= 250 ms", "250 ms"],
    ["lte fails", { source: "responseTime", op: "lte", value: 249.5 }, false, "<= 249.5 ms", "250 ms"],
  ])("%s", check(r));

  it("rounds fractional milliseconds for display only", () => {
    expect(
      evaluateAssertion({ source: "responseTime", op: "lt", value: 12.34 }, response({ totalMs: 12.3456 })),
    ).toEqual({
      label: "responseTime lt",
      passed: false,
      expected: "< 12.34 ms",
      actual: "12.3 ms",
    });
  });
});

describe("bodySize", () => {
  const r = response({ body: "hello world", bodyBytes: 1000 });
  it.each<Row>([
    ["lt passes", { source: "bodySize", op: "lt", value: 1001 }, true, "< 1001 bytes", "1000 bytes"],
    ["lt fails", { source: "bodySize", op: "lt", value: 1000 }, false, "< 1000 bytes", "1000 bytes"],
    ["gt passes", { source: "bodySize", op: "gt", value: 999 }, true, "> 999 bytes", "1000 bytes"],
    ["gt fails", { source: "bodySize", op: "gt", value: 1000 }, false, "> 1000 bytes", "1000 bytes"],
    ["lte passes", { source: "bodySize", op: "lte", value: 1000 }, true, "<= 1000 bytes", "1000 bytes"],
    ["lte fails", { source: "bodySize", op: "lte", value: 999 }, false, "<= 999 bytes", "1000 bytes"],
    ["gte passes", { source: "bodySize", op: "gte", value: 1000 }, true, ">= 1000 bytes", "1000 bytes"],
    ["gte fails", { source: "bodySize", op: "gte", value: 1001 }, false, ">= 1001 bytes", "1000 bytes"],
    ["equals passes", { source: "bodySize", op: "equals", value: 1000 }, true, "1000 bytes", "1000 bytes"],
    ["equals fails", { source: "bodySize", op: "equals", value: 11 }, false, "11 bytes", "1000 bytes"],
  ])("%s", check(r));

  it("labels", () => {
    expect(evaluateAssertion({ source: "bodySize", op: "lt", value: 1 }, r).label).toBe("bodySize lt");
  });

  it("uses bodyBytes, not the text length", () => {
    const utf8 = response({ body: "é" });
    expect(evaluateAssertion({ source: "bodySize", op: "equals", value: 2 }, utf8).passed).toBe(true);
  });
});

describe("checkExpectedStatus", () => {
  it.each<[ExpectedStatus, number, boolean, string]>([
    [200, 200, true, "200"],
    [200, 201, false, "200"],
    [[200, 204], 204, true, "one of 200, 204"],
    [[200, 204], 201, false, "one of 200, 204"],
    [[301], 301, true, "301"],
    [{ min: 200, max: 299 }, 200, true, "200-299"],
    [{ min: 200, max: 299 }, 299, true, "200-299"],
    [{ min: 200, max: 299 }, 300, false, "200-299"],
    [{ min: 200, max: 299 }, 199, false, "200-299"],
  ])("%j with %i", (expected, status, passed, text) => {
    expect(checkExpectedStatus(expected, status)).toEqual({
      label: "status",
      passed,
      expected: text,
      actual: String(status),
    });
  });
});

describe("describeAssertion", () => {
  it.each<[Assertion, string]>([
    [{ source: "status", op: "equals", value: 200 }, "status equals 200"],
    [{ source: "status", op: "in", value: [200, 204] }, "status in 200, 204"],
    [{ source: "header", name: "Content-Type", op: "contains", value: "json" }, 'header content-type contains "json"'],
    [{ source: "header", name: "x-id", op: "matches", value: "^\\d+$" }, "header x-id matches /^\\d+$/"],
    [{ source: "header", name: "x-id", op: "exists" }, "header x-id exists"],
    [{ source: "body", op: "notContains", value: "error" }, 'body notContains "error"'],
    [{ source: "body", op: "notMatches", value: "fail(ed)?" }, "body notMatches /fail(ed)?/"],
    [{ source: "json", path: "$.items", op: "length", value: 2 }, "json $.items length 2"],
    [{ source: "json", path: "$.meta", op: "equals", value: { a: 1 } }, 'json $.meta equals {"a":1}'],
    [{ source: "json", path: "$.token", op: "exists" }, "json $.token exists"],
    [{ source: "json", path: "$.id", op: "matches", value: "^[a-f0-9]+$" }, "json $.id matches /^[a-f0-9]+$/"],
    [{ source: "responseTime", op: "lt", value: 800 }, "responseTime lt 800 ms"],
    [{ source: "bodySize", op: "lte", value: 100_000 }, "bodySize lte 100000 bytes"],
  ])("%j", (assertion, text) => {
    expect(describeAssertion(assertion)).toBe(text);
  });
});

describe("totality", () => {
  const text = fc.string({ maxLength: 30 });
  const comparable = fc.oneof(fc.string({ maxLength: 10 }), fc.double(), fc.boolean(), fc.constant(null));
  const jsonValue = fc.oneof(
    comparable,
    fc.array(comparable, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
  );
  const assertion: fc.Arbitrary<Assertion> = fc.oneof(
    fc.record({
      source: fc.constant("status"),
      op: fc.constantFrom("equals", "notEquals", "lt", "gt", "lte", "gte", "in"),
      value: fc.oneof(fc.integer(), fc.array(fc.integer(), { minLength: 1 })),
    }),
    fc.record(
      {
        source: fc.constant("header"),
        name: text,
        op: fc.constantFrom("equals", "notEquals", "contains", "notContains", "matches", "exists", "notExists"),
        value: text,
      },
      { requiredKeys: ["source", "name", "op"] },
    ),
    fc.record({
      source: fc.constant("body"),
      op: fc.constantFrom("contains", "notContains", "matches", "notMatches", "equals"),
      value: text,
    }),
    fc.record(
      {
        source: fc.constant("json"),
        path: fc.string({ unit: fc.constantFrom(..."$.[]*:,'\"\\-01ab"), maxLength: 12 }).map((p) => `$${p}`),
        op: fc.constantFrom(
          "equals",
          "notEquals",
          "exists",
          "notExists",
          "lt",
          "gt",
          "lte",
          "gte",
          "contains",
          "length",
          "matches",
        ),
        value: jsonValue,
      },
      { requiredKeys: ["source", "path", "op"] },
    ),
    fc.record({
      source: fc.constant("responseTime"),
      op: fc.constantFrom("lt", "lte"),
      value: fc.double({ min: 0.1, max: 1e6, noNaN: true }),
    }),
    fc.record({
      source: fc.constant("bodySize"),
      op: fc.constantFrom("lt", "gt", "lte", "gte", "equals"),
      value: fc.nat(),
    }),
  ) as fc.Arbitrary<Assertion>;
  const body = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => JSON.stringify(v)),
  );

  it("never throws and keeps expected and actual within 200 characters", () => {
    fc.assert(
      fc.property(assertion, body, fc.integer({ min: 100, max: 599 }), (a, bodyText, status) => {
        const outcome = evaluateAssertion(
          a,
          response({
            status,
            body: bodyText,
            totalMs: 10,
            headers: { "content-type": bodyText.slice(0, 5).replace(/[^a-z]/g, "") || "x" },
          }),
        );
        expect(typeof outcome.passed).toBe("boolean");
        expect(outcome.label.startsWith(a.source)).toBe(true);
        expect(outcome.expected.length).toBeLessThanOrEqual(200);
        expect(outcome.actual.length).toBeLessThanOrEqual(200);
        expect(typeof describeAssertion(a)).toBe("string");
      }),
    );
  });
});
