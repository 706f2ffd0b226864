/**
 * A small JSONPath subset for assertions and extractors, close to RFC 9535 minus filters.
 *
 *   $                 the document
 *   .name  ['name']   an object member ("name" and escapes such as \' \" \\ \n \u00e9 also work)
 *   [0]  [-1]         an array element, negative counts from the end
 *   [*]  .*           every member or element
 *   ..name  ..*  ..[0] recursive descent: the selector applied to the node and all descendants
 *   [0,2]  ['a','b']  several selectors in one bracket
 *   [1:3]  [::2]      slices [start:end:step]
 *   .length           length of an array or string (an object's own "length" member wins)
 *
 * Filter expressions (`[?(...)]`) are not supported: they need an expression language, and
 * Workers cannot eval.
 */

export type Selector =
  | { kind: "name"; name: string }
  | { kind: "wildcard" }
  | { kind: "index"; index: number }
  | { kind: "slice"; start: number | null; end: number | null; step: number | null };

export interface Segment {
  /** "child" applies the selectors to the current nodes; "descendant" to them and all their descendants. */
  kind: "child" | "descendant";
  selectors: Selector[];
}

export interface JsonPath {
  source: string;
  segments: Segment[];
  /** True when the path can match at most one value (no wildcard, slice, list or `..`). */
  definite: boolean;
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

/** Parses a path so callers (the registry) can reject bad paths when probes load, not at run time. */
export function parseJsonPath(path: string): JsonPath {
  return new Parser(path).parse();
}

/** Every value the path selects, in document order; an empty array means nothing matched. */
export function queryJsonPath(doc: unknown, path: string): unknown[] {
  return evaluateJsonPath(doc, parseJsonPath(path));
}

/** Same as queryJsonPath, for an already-parsed path. */
export function evaluateJsonPath(doc: unknown, path: JsonPath): unknown[] {
  let nodes: unknown[] = [doc];
  for (const segment of path.segments) {
    const inputs = segment.kind === "child" ? nodes : nodes.flatMap(selfAndDescendants);
    nodes = inputs.flatMap((node) => segment.selectors.flatMap((s) => select(node, s, segment.kind === "child")));
  }
  return nodes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function children(node: unknown): unknown[] {
  if (Array.isArray(node)) return node;
  if (isObject(node)) return Object.values(node);
  return [];
}

function selfAndDescendants(node: unknown): unknown[] {
  return [node, ...children(node).flatMap(selfAndDescendants)];
}

function select(node: unknown, selector: Selector, allowLength: boolean): unknown[] {
  switch (selector.kind) {
    case "name":
      // Object.hasOwn keeps prototype members such as "constructor" from matching.
      if (isObject(node)) return Object.hasOwn(node, selector.name) ? [node[selector.name]] : [];
      // `.length` only as a direct child: `..length` would otherwise report every array and string.
      if (allowLength && selector.name === "length" && (Array.isArray(node) || typeof node === "string")) return [node.length];
      return [];
    case "wildcard":
      return children(node);
    case "index": {
      if (!Array.isArray(node)) return [];
      const i = selector.index < 0 ? node.length + selector.index : selector.index;
      return i >= 0 && i < node.length ? [node[i]] : [];
    }
    case "slice":
      return Array.isArray(node) ? slice(node, selector) : [];
  }
}

/** RFC 9535 slice semantics, including negative bounds and steps. */
function slice(array: unknown[], { start, end, step }: { start: number | null; end: number | null; step: number | null }): unknown[] {
  const len = array.length;
  const by = step ?? 1;
  if (by === 0) return [];
  const norm = (i: number) => (i >= 0 ? i : len + i);
  const clamp = (i: number, lo: number, hi: number) => Math.min(Math.max(i, lo), hi);
  const out: unknown[] = [];
  if (by > 0) {
    const lower = clamp(norm(start ?? 0), 0, len);
    const upper = clamp(norm(end ?? len), 0, len);
    for (let i = lower; i < upper; i += by) out.push(array[i]);
  } else {
    const upper = clamp(norm(start ?? len - 1), -1, len - 1);
    const lower = clamp(norm(end ?? -len - 1), -1, len - 1);
    for (let i = upper; i > lower; i += by) out.push(array[i]);
  }
  return out;
}

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", "/": "/", "\\": "\\", "'": "'", '"': '"' };

/** A dot name: letters, digits, _, $, - and any non-ASCII character (e.g. `$.content-type`, `$.prix_€`). */
function isNameChar(ch: string): boolean {
  return /[A-Za-z0-9_$-]/.test(ch) || ch.charCodeAt(0) > 0x7f;
}

class Parser {
  private readonly path: string;
  private pos = 0;
  private definite = true;

  constructor(path: string) {
    this.path = path;
  }

  parse(): JsonPath {
    this.expect("$", "'$' at the start of the path");
    const segments: Segment[] = [];
    while (this.pos < this.path.length) segments.push(this.segment());
    return { source: this.path, segments, definite: this.definite };
  }

  private segment(): Segment {
    if (this.peek("..")) {
      this.pos += 2;
      this.definite = false;
      if (this.peek("[")) return { kind: "descendant", selectors: this.bracket() };
      return { kind: "descendant", selectors: [this.dotSelector("a name, '*' or '[' after '..'")] };
    }
    if (this.peek(".")) {
      this.pos += 1;
      return { kind: "child", selectors: [this.dotSelector("a name or '*' after '.'")] };
    }
    if (this.peek("[")) return { kind: "child", selectors: this.bracket() };
    throw this.error("'.', '..' or '['");
  }

  private dotSelector(expected: string): Selector {
    if (this.peek("*")) {
      this.pos += 1;
      this.definite = false;
      return { kind: "wildcard" };
    }
    const start = this.pos;
    while (this.pos < this.path.length && isNameChar(this.path[this.pos]!)) this.pos += 1;
    if (this.pos === start) throw this.error(expected);
    return { kind: "name", name: this.path.slice(start, this.pos) };
  }

  /** `[ selector (, selector)* ]`; more than one selector makes the path indefinite. */
  private bracket(): Selector[] {
    this.expect("[", "'['");
    const selectors: Selector[] = [];
    do {
      this.skipSpaces();
      selectors.push(this.bracketSelector());
      this.skipSpaces();
    } while (this.eat(","));
    this.expect("]", selectors.length === 1 && selectors[0]!.kind === "index" ? "',', ':' or ']'" : "',' or ']'");
    if (selectors.length > 1) this.definite = false;
    return selectors;
  }

  private bracketSelector(): Selector {
    const ch = this.path[this.pos];
    if (ch === "'" || ch === '"') return { kind: "name", name: this.quoted(ch) };
    if (this.eat("*")) {
      this.definite = false;
      return { kind: "wildcard" };
    }
    const expected = "a quoted name, an index, a slice or '*'";
    const start = this.optionalInt();
    this.skipSpaces();
    if (!this.peek(":")) {
      if (start === null) throw this.error(expected);
      return { kind: "index", index: start };
    }
    this.definite = false;
    this.pos += 1;
    this.skipSpaces();
    const end = this.optionalInt();
    this.skipSpaces();
    let step: number | null = null;
    if (this.eat(":")) {
      this.skipSpaces();
      step = this.optionalInt();
    }
    return { kind: "slice", start, end, step };
  }

  /** An integer at the cursor, or null when there is none (slice bounds are optional). */
  private optionalInt(): number | null {
    const match = /^-?\d+/.exec(this.path.slice(this.pos));
    if (!match) {
      if (this.peek("-")) throw this.error("a digit after '-'", this.pos + 1);
      return null;
    }
    const value = Number(match[0]);
    if (!Number.isSafeInteger(value)) throw this.error("an integer between -(2^53-1) and 2^53-1");
    this.pos += match[0].length;
    return value;
  }

  private quoted(quote: string): string {
    const open = this.pos;
    this.pos += 1;
    let out = "";
    while (this.pos < this.path.length) {
      const ch = this.path[this.pos]!;
      if (ch === quote) {
        this.pos += 1;
        return out;
      }
      if (ch !== "\\") {
        out += ch;
        this.pos += 1;
        continue;
      }
      const esc = this.path[this.pos + 1];
      if (esc === "u") {
        const hex = this.path.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw this.error("four hex digits after '\\u'", this.pos + 2);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (esc !== undefined && ESCAPES[esc] !== undefined) {
        out += ESCAPES[esc];
        this.pos += 2;
      } else {
        throw this.error("an escape such as \\\\, \\', \\\" or \\uXXXX after '\\'", this.pos + 1);
      }
    }
    throw this.error(`a closing ${quote} for the name opened at position ${open}`);
  }

  private peek(s: string): boolean {
    return this.path.startsWith(s, this.pos);
  }

  private eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  private expect(s: string, expected: string): void {
    if (!this.eat(s)) throw this.error(expected);
  }

  private skipSpaces(): void {
    while (/^[ \t\n\r]$/.test(this.path[this.pos] ?? "")) this.pos += 1;
  }

  private error(expected: string, at = this.pos): JsonPathSyntaxError {
    return new JsonPathSyntaxError(this.path, at, expected);
  }
}
