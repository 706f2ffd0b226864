/**
 * JSONPath for assertions and extractors: RFC 9535 in full (filters included), through
 * `jsonpath-rfc9535`, a small dependency-free implementation that passes the JSONPath
 * Compliance Test Suite and evaluates filters without `eval` (Workers cannot eval).
 *
 *   $                 the document
 *   .name  ['name']   an object member (`$['content-type']` for names with dashes)
 *   [0]  [-1]         an array element, negative counts from the end
 *   [*]  .*           every member or element
 *   ..name  ..*       recursive descent
 *   [0,2]  [1:3]      several selectors, slices [start:end:step]
 *   [?@.sku=="B"]     filters: comparisons, && || !, existence tests, and the functions
 *                     length() count() match() search() value()
 *   .length           (an extension) at the end of a path: the length of an array or string;
 *                     an object's own "length" member wins
 *
 * Known deviation of the library (1.3.0): a negative slice bound below -length (`[-4:]` on
 * three elements) is normalised twice and selects too little; bounds from -length up are right.
 *
 * Paths are compiled when probes load (`parseJsonPath`), so a bad path is a validation error
 * with its position, never a run-time surprise.
 */
import { query } from "jsonpath-rfc9535";
import parse, { type JsonPathQuery } from "jsonpath-rfc9535/parser";

export interface JsonPath {
  source: string;
  /** The parsed query (RFC 9535 AST). */
  ast: JsonPathQuery;
  /** True when the path can match at most one value (names and indexes only, no `..`). */
  definite: boolean;
  /** Set when the path ends in `.length`: the path before it, evaluated first. */
  lengthOf?: string;
}

/** Thrown by parseJsonPath/queryJsonPath; `position` is the 0-based offset in the path. */
export class JsonPathSyntaxError extends Error {
  readonly path: string;
  readonly position: number;

  constructor(path: string, position: number, expected: string) {
    const found = position < path.length ? `'${path[position]}'` : "the end of the path";
    super(`invalid JSONPath ${JSON.stringify(path)} at position ${position}: expected ${expected}, found ${found}`);
    this.name = "JsonPathSyntaxError";
    this.path = path;
    this.position = position;
  }
}

interface PegExpectation {
  type: string;
  text?: string;
  parts?: unknown[];
  description?: string;
}

interface PegError {
  location?: { start: { offset: number } };
  expected?: PegExpectation[] | null;
  message: string;
}

/** The parser's expectations in words: character classes become "a name", "a digit"… */
function describeExpected(expected: PegExpectation[] | null | undefined, fallback: string): string {
  if (!expected?.length) return fallback;
  const words = new Set<string>();
  for (const e of expected) {
    if (e.type === "literal" && e.text !== undefined) {
      if (e.text === "'" || e.text === '"') words.add("a quoted name");
      else if (/^[0-9-]$/.test(e.text)) words.add("a number");
      else words.add(`'${e.text}'`);
    } else if (e.type === "class") {
      const parts = JSON.stringify(e.parts);
      if (parts.includes('["A","Z"]')) words.add("a name");
      else if (parts.includes('["0","9"]') || parts.includes('["1","9"]')) words.add("a number");
      // whitespace and surrogate halves say nothing useful
    } else if (e.type === "end") {
      words.add("the end of the path");
    } else if (e.type === "other" && e.description) {
      words.add(e.description);
    }
  }
  const list = [...words];
  if (list.length === 0) return fallback;
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
}

function isDefinite(ast: JsonPathQuery): boolean {
  return ast.segments.every((segment) => {
    if (segment.type !== "ChildSegment") return false;
    const node = segment.node;
    if (node.type === "MemberNameShorthand") return true;
    if (node.type !== "BracketedSelection") return false;
    return (
      node.selectors.length === 1 &&
      (node.selectors[0]!.type === "NameSelector" || node.selectors[0]!.type === "IndexSelector")
    );
  });
}

const TRAILING_LENGTH = /(?:\.length|\[\s*(?:'length'|"length")\s*\])\s*$/;

function compile(path: string): Omit<JsonPath, "lengthOf"> {
  if (!path.startsWith("$")) throw new JsonPathSyntaxError(path, 0, "'$' at the start of the path");
  let ast: JsonPathQuery;
  try {
    ast = parse(path);
  } catch (error) {
    const peg = error as PegError;
    const position = peg.location?.start.offset ?? 0;
    throw new JsonPathSyntaxError(path, position, describeExpected(peg.expected, peg.message));
  }
  // Some rules (unknown functions, ill-typed arguments) are checked when the query runs: run it
  // once on an empty document so they too fail at load time.
  try {
    query(null, path);
  } catch (error) {
    throw new JsonPathSyntaxError(
      path,
      0,
      `a well-formed query (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return { source: path, ast, definite: isDefinite(ast) };
}

/** Compiles a path so callers (the registry) can reject bad paths when probes load, not at run time. */
export function parseJsonPath(path: string): JsonPath {
  const compiled = compile(path);
  const last = compiled.ast.segments[compiled.ast.segments.length - 1];
  const lastName =
    last?.type === "ChildSegment"
      ? last.node.type === "MemberNameShorthand"
        ? last.node.value
        : last.node.type === "BracketedSelection" &&
            last.node.selectors.length === 1 &&
            last.node.selectors[0]!.type === "NameSelector"
          ? last.node.selectors[0]!.value
          : undefined
      : undefined;
  if (lastName === "length" && TRAILING_LENGTH.test(path))
    return { ...compiled, lengthOf: path.replace(TRAILING_LENGTH, "") };
  return compiled;
}

/** Every value the path selects, in document order; an empty array means nothing matched. */
export function queryJsonPath(doc: unknown, path: string): unknown[] {
  return evaluateJsonPath(doc, parseJsonPath(path));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Same as queryJsonPath, for an already-compiled path. */
export function evaluateJsonPath(doc: unknown, path: JsonPath): unknown[] {
  const input = doc as Parameters<typeof query>[0];
  if (path.lengthOf === undefined) return query(input, path.source);
  return query(input, path.lengthOf).flatMap((node) => {
    if (isObject(node)) return Object.hasOwn(node, "length") ? [node.length] : [];
    if (Array.isArray(node) || typeof node === "string") return [node.length];
    return [];
  });
}
