/**
 * Evaluates declarative assertions against an observed response. Pure and total: whatever the
 * target sends back, and whatever the probe author wrote, the result is an AssertionOutcome,
 * never an exception, because a failing target is data.
 *
 * JSON paths: a plain path (`$.a.b[0]`) checks the one value it selects; a path with `*`, `..`,
 * a slice or a list (`$.items[*].id`) checks the list of all its matches, so
 * `check.json("$.items[*].id").contains(3)` and `check.json("$..error").length(0)` work.
 */
import { evaluateJsonPath, parseJsonPath } from "./jsonpath.ts";
import type { JsonPath } from "./jsonpath.ts";
import { parseJsonBody } from "./observed-response.ts";
import type { ObservedResponse } from "./observed-response.ts";
import type { AssertionOutcome } from "./result.ts";
import type { Assertion, ExpectedStatus } from "./schema.ts";

type StatusAssertion = Extract<Assertion, { source: "status" }>;
type HeaderAssertion = Extract<Assertion, { source: "header" }>;
type BodyAssertion = Extract<Assertion, { source: "body" }>;
type JsonAssertion = Extract<Assertion, { source: "json" }>;
type Verdict = { passed: boolean; expected: string; actual: string };

const MAX_TEXT = 200;
const SYMBOLS = { lt: "<", gt: ">", lte: "<=", gte: ">=" } as const;
type Comparison = keyof typeof SYMBOLS;

/**
 * `scrub` (the run's redactor) is applied to whole texts before anything is cut to length: a
 * secret cut in half by a truncation would no longer be recognised, and half of it would stay.
 */
export function evaluateAssertion(
  assertion: Assertion,
  response: ObservedResponse,
  scrub: (text: string) => string = (text) => text,
): AssertionOutcome {
  const label = assertionLabel(assertion);
  let verdict: Verdict;
  try {
    verdict = judge(assertion, response, scrub);
  } catch (err) {
    // Belt and braces: the evaluators below are written not to throw, but an outcome must come back.
    verdict = {
      passed: false,
      expected: describeValue(assertion) ?? "",
      actual: `could not evaluate: ${errorMessage(err)}`,
    };
  }
  return {
    label,
    passed: verdict.passed,
    expected: truncate(scrub(verdict.expected)),
    actual: truncate(scrub(verdict.actual)),
  };
}

/** The HTTP step's `expectStatus`: one code, a list of codes, or an inclusive range. */
export function checkExpectedStatus(expected: ExpectedStatus, status: number): AssertionOutcome {
  let passed: boolean;
  let text: string;
  if (typeof expected === "number") {
    passed = status === expected;
    text = String(expected);
  } else if (Array.isArray(expected)) {
    passed = expected.includes(status);
    text = expected.length === 1 ? String(expected[0]) : `one of ${expected.join(", ")}`;
  } else {
    passed = status >= expected.min && status <= expected.max;
    text = `${expected.min}-${expected.max}`;
  }
  return { label: "status", passed, expected: text, actual: String(status) };
}

/** One line for people, e.g. `json $.items length 2` or `header content-type contains "json"`. */
export function describeAssertion(a: Assertion): string {
  const value = describeValue(a);
  return value === undefined ? assertionLabel(a) : `${assertionLabel(a)} ${truncate(value)}`;
}

function assertionLabel(a: Assertion): string {
  switch (a.source) {
    case "header":
      return `header ${a.name.toLowerCase()} ${a.op}`;
    case "json":
      return `json ${a.path} ${a.op}`;
    default:
      return `${a.source} ${a.op}`;
  }
}

/** The assertion's value as written in a description; undefined when the op takes none. */
function describeValue(a: Assertion): string | undefined {
  if (a.value === undefined) return undefined;
  switch (a.source) {
    case "status":
      return Array.isArray(a.value) ? a.value.join(", ") : String(a.value);
    case "responseTime":
      return `${a.value} ms`;
    case "bodySize":
      return `${a.value} bytes`;
    default:
      return a.op === "matches" || a.op === "notMatches" ? regexText(patternText(a.value)) : show(a.value);
  }
}

function judge(a: Assertion, r: ObservedResponse, scrub: (text: string) => string): Verdict {
  switch (a.source) {
    case "status":
      return judgeStatus(a, r.status);
    case "header":
      return judgeHeader(a, r.headers, scrub);
    case "body":
      return judgeBody(a, r.bodyText, scrub);
    case "json":
      return judgeJson(a, r, scrub);
    case "responseTime":
      // Rounded for display only: the limit is shown as written, the comparison uses the exact time.
      return { ...compare(a.op, r.totalMs, a.value, (n) => `${n} ms`), actual: `${formatMs(r.totalMs)} ms` };
    case "bodySize":
      return a.op === "equals"
        ? { passed: r.bodyBytes === a.value, expected: `${a.value} bytes`, actual: `${r.bodyBytes} bytes` }
        : compare(a.op, r.bodyBytes, a.value, (n) => `${n} bytes`);
  }
}

function compare(op: Comparison, actual: number, expected: number, unit: (n: number) => string): Verdict {
  const passed =
    op === "lt"
      ? actual < expected
      : op === "gt"
        ? actual > expected
        : op === "lte"
          ? actual <= expected
          : actual >= expected;
  return { passed, expected: `${SYMBOLS[op]} ${unit(expected)}`, actual: unit(actual) };
}

function judgeStatus(a: StatusAssertion, status: number): Verdict {
  const actual = String(status);
  if (a.op === "in" || a.op === "equals" || a.op === "notEquals") {
    // A list with equals means "one of"; a single number with in means "equals".
    const codes = Array.isArray(a.value) ? a.value : [a.value];
    const listed = codes.length === 1 ? String(codes[0]) : codes.join(", ");
    if (a.op === "notEquals") {
      return {
        passed: !codes.includes(status),
        expected: codes.length === 1 ? `not ${listed}` : `none of ${listed}`,
        actual,
      };
    }
    return { passed: codes.includes(status), expected: codes.length === 1 ? listed : `one of ${listed}`, actual };
  }
  if (Array.isArray(a.value)) return invalid(`'${a.op}' needs one status code, not a list`, String(a.value));
  return compare(a.op, status, a.value, String);
}

function judgeHeader(a: HeaderAssertion, headers: Headers, scrub: (text: string) => string): Verdict {
  const expected = headerExpected(a);
  let value: string | null;
  try {
    value = headers.get(a.name);
  } catch {
    // Headers.get throws a TypeError for names with spaces or other invalid characters.
    return invalid(`${JSON.stringify(a.name)} is not a valid header name`, expected);
  }
  const actual = value === null ? "absent" : show(scrub(value));
  if (a.op === "exists") return { passed: value !== null, expected, actual };
  if (a.op === "notExists") return { passed: value === null, expected, actual };
  if (a.value === undefined) return invalid(`header '${a.op}' needs a value`, expected);
  const want = a.value;
  // An absent header equals nothing and contains nothing: the negative ops pass, the positive fail.
  switch (a.op) {
    case "equals":
      return { passed: value === want, expected, actual };
    case "notEquals":
      return { passed: value !== want, expected, actual };
    case "contains":
      return { passed: value?.includes(want) === true, expected, actual };
    case "notContains":
      return { passed: value === null || !value.includes(want), expected, actual };
    case "matches": {
      const re = compileRegex(want);
      if (typeof re === "string") return { passed: false, expected, actual: re };
      return { passed: value !== null && re.test(value), expected, actual };
    }
  }
}

function headerExpected(a: HeaderAssertion): string {
  switch (a.op) {
    case "exists":
      return "present";
    case "notExists":
      return "absent";
    case "equals":
      return show(a.value);
    case "notEquals":
      return `not ${show(a.value)}`;
    case "contains":
      return `contains ${show(a.value)}`;
    case "notContains":
      return `does not contain ${show(a.value)}`;
    case "matches":
      return `matches ${a.value === undefined ? show(a.value) : regexText(a.value)}`;
  }
}

function judgeBody(a: BodyAssertion, body: string, scrub: (text: string) => string): Verdict {
  switch (a.op) {
    case "equals":
      return { passed: body === a.value, expected: show(a.value), actual: show(scrub(body)) };
    case "contains":
    case "notContains": {
      const at = body.indexOf(a.value);
      // Scrubbed before show(): JSON-escaping an echoed (already escaped) secret again would
      // make a form the redactor does not know.
      const actual =
        at < 0
          ? `not found in ${show(scrub(body))}`
          : `found at offset ${at}: ${show(around(scrub(body), a.value, scrub))}`;
      const passed = at >= 0 === (a.op === "contains");
      return {
        passed,
        expected: a.op === "contains" ? `contains ${show(a.value)}` : `does not contain ${show(a.value)}`,
        actual,
      };
    }
    case "matches":
    case "notMatches": {
      const expected = `${a.op === "matches" ? "matches" : "does not match"} ${regexText(a.value)}`;
      const re = compileRegex(a.value);
      if (typeof re === "string") return { passed: false, expected, actual: re };
      const m = re.exec(body);
      const actual =
        m === null ? `no match in ${show(scrub(body))}` : `matched ${show(scrub(m[0]))} at offset ${m.index}`;
      return { passed: (m !== null) === (a.op === "matches"), expected, actual };
    }
  }
}

function judgeJson(a: JsonAssertion, r: ObservedResponse, scrub: (text: string) => string): Verdict {
  const expected = jsonExpected(a);
  const body = parseJsonBody(r);
  if (!body.ok) return { passed: false, expected, actual: body.error };
  let path: JsonPath;
  try {
    path = parseJsonPath(a.path);
  } catch (err) {
    return { passed: false, expected, actual: errorMessage(err) };
  }
  const matches = evaluateJsonPath(body.value, path);
  // A plain path checks its one value; a wildcard/slice/list/descent path checks the list of matches.
  const found = path.definite ? matches.length > 0 : true;
  const subject = path.definite ? matches[0] : matches;
  const actual = found ? show(typeof subject === "string" ? scrub(subject) : subject) : `no match for ${a.path}`;

  if (a.op === "exists")
    return { passed: matches.length > 0, expected, actual: matches.length > 0 ? actual : `no match for ${a.path}` };
  if (a.op === "notExists")
    return { passed: matches.length === 0, expected, actual: matches.length > 0 ? actual : `no match for ${a.path}` };
  if (a.value === undefined) return invalid(`json '${a.op}' needs a value`, expected);
  if (!found) return { passed: false, expected, actual };

  const want = a.value;
  switch (a.op) {
    case "equals":
      return { passed: deepEqual(subject, want), expected, actual };
    case "notEquals":
      return { passed: !deepEqual(subject, want), expected, actual };
    case "lt":
    case "gt":
    case "lte":
    case "gte": {
      const limit = toNumber(want);
      if (limit === null) return invalid(`json '${a.op}' needs a number`, expected);
      const n = toNumber(subject);
      if (n === null) return { passed: false, expected, actual: `${actual} (${typeName(subject)}, not a number)` };
      return { passed: compare(a.op, n, limit, String).passed, expected, actual };
    }
    case "contains":
      if (Array.isArray(subject)) return { passed: subject.some((item) => deepEqual(item, want)), expected, actual };
      if (typeof subject === "string") {
        if (typeof want === "object") return invalid(`json 'contains' on a string needs a string`, expected);
        return { passed: subject.includes(String(want)), expected, actual };
      }
      return {
        passed: false,
        expected,
        actual: `${actual} (${typeName(subject)}: contains works on strings and arrays)`,
      };
    case "length": {
      if (typeof want !== "number") return invalid(`json 'length' needs a number`, expected);
      const length = lengthOf(subject);
      if (length === null) return { passed: false, expected, actual: `${actual} (${typeName(subject)} has no length)` };
      return { passed: length === want, expected, actual: `length ${length}: ${actual}` };
    }
    case "matches": {
      if (typeof want !== "string") return invalid(`json 'matches' needs a regular expression string`, expected);
      const re = compileRegex(want);
      if (typeof re === "string") return { passed: false, expected, actual: re };
      // Non-strings are matched in their JSON form, so /^4\d\d$/ works on the number 404.
      return { passed: re.test(typeof subject === "string" ? subject : show(subject)), expected, actual };
    }
  }
}

function jsonExpected(a: JsonAssertion): string {
  const v = a.value;
  switch (a.op) {
    case "exists":
      return "exists";
    case "notExists":
      return "no match";
    case "equals":
      return show(v);
    case "notEquals":
      return `not ${show(v)}`;
    case "lt":
    case "gt":
    case "lte":
    case "gte":
      return `${SYMBOLS[a.op]} ${show(v)}`;
    case "contains":
      return `contains ${show(v)}`;
    case "length":
      return `length ${show(v)}`;
    case "matches":
      return `matches ${regexText(patternText(v))}`;
  }
}

/** A misconfigured assertion fails (it can never pass) and says why in `actual`. */
function invalid(reason: string, expected: string): Verdict {
  return { passed: false, expected, actual: `invalid assertion: ${reason}` };
}

/** JSON value equality: key order does not matter, array order does. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  const bo = b as Record<string, unknown>;
  return (
    ak.length === bk.length &&
    ak.every((k) => Object.hasOwn(bo, k) && deepEqual((a as Record<string, unknown>)[k], bo[k]))
  );
}

/** Numbers, and strings that are plain decimal numbers ("12", "-3.5", "1e3"): APIs often send amounts as strings. */
function toNumber(x: unknown): number | null {
  if (typeof x === "number") return Number.isFinite(x) ? x : null;
  if (typeof x === "string" && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(x)) return Number(x);
  return null;
}

function lengthOf(x: unknown): number | null {
  if (Array.isArray(x) || typeof x === "string") return x.length;
  if (typeof x === "object" && x !== null) return Object.keys(x).length;
  return null;
}

function typeName(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "object" ? "an object" : `a ${typeof x}`;
}

/** A RegExp, or the reason the pattern is invalid (as text, never thrown). */
function compileRegex(pattern: string): RegExp | string {
  try {
    return new RegExp(pattern);
  } catch (err) {
    return errorMessage(err);
  }
}

function regexText(pattern: string): string {
  return `/${pattern}/`;
}

/** A pattern given as anything but a string is shown as JSON (String() throws on null-prototype objects). */
function patternText(value: unknown): string {
  return typeof value === "string" ? value : show(value);
}

/** JSON text of a value; never throws (cycles or BigInt fall back to String). */
function show(value: unknown): string {
  if (value === undefined) return "(no value)";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return Object.prototype.toString.call(value);
    }
  }
}

/**
 * Up to 40 characters either side of a hit, so a failing notContains shows where it was found.
 * Cut from the already scrubbed text, where the hit is looked up again (scrubbed the same way).
 */
function around(scrubbed: string, value: string, scrub: (text: string) => string): string {
  const hit = scrub(value);
  const at = Math.max(0, scrubbed.indexOf(hit));
  const start = Math.max(0, at - 40);
  const end = Math.min(scrubbed.length, at + hit.length + 40);
  const text = scrubbed;
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}

function formatMs(ms: number): string {
  return String(Math.round(ms * 10) / 10);
}

function truncate(text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
