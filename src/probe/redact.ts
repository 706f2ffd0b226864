/**
 * Scrubs secrets from everything a run records. Two kinds of values are removed:
 * - secrets, known up front by name, shown as `[secret:NAME]`;
 * - learned values (tokens, cookies, passwords met on the way), shown as `[redacted:label]`.
 * Structured inputs (headers, URLs, JSON and form bodies) also hide values under sensitive names
 * even when they were never seen before, and learn them so they vanish everywhere afterwards.
 *
 * Every method is total: malformed input falls back to plain-text scrubbing, never to a throw.
 * Every value is also scrubbed in the forms a target may echo it in (encodings.ts), and ASCII
 * letters are compared case-insensitively, so an upper-cased echo or lower-case hex is caught.
 */
import { encodingsOf } from "./encodings.ts";

export interface Redactor {
  /** Scrub a secret's value everywhere from now on, whatever its length (only blank values are ignored). */
  secret(name: string, value: string): void;
  /** Scrub `value` everywhere from now on. Values shorter than 4 characters are ignored. */
  learn(value: string, label: string): void;
  /** Every known value replaced, longest first. */
  text(s: string): string;
  headers(h: Record<string, string>): Record<string, string>;
  url(u: string): string;
  body(text: string, contentType?: string): string;
  /** A copy of a JSON-like value with every string value passed through text(). */
  deep<T>(value: T): T;
}

/** Header, parameter and field names whose values are credentials. Not global: test() is stateless. */
export const SENSITIVE_NAME: RegExp =
  /token|secret|password|passwd|api[-_]?key|private[-_]?key|credential|session|signature|cookie|auth/i;

/** What a sensitive value is replaced with. */
const REDACTED = "[redacted]";

/** Matches every marker text() and the structured methods write, for consumers that restyle them. */
export const REDACTION_MARKER: RegExp = /\[(?:secret|redacted|hidden)(?::[^[\]]*)?\]/g;

/** Learned values shorter than this are too common ("true", "en") to scrub everywhere. */
const MIN_LEARNED_LENGTH = 4;

/** Cookie values shorter than this are preferences ("dark", "en-GB"), not session identifiers. */
const MIN_COOKIE_LENGTH = 8;

const SENSITIVE_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
  "x-auth-token",
]);

const SENSITIVE_PARAMS = new Set([
  "token",
  "access_token",
  "id_token",
  "refresh_token",
  "api_key",
  "apikey",
  "key",
  "secret",
  "password",
  "pass",
  "pwd",
  "signature",
  "sig",
  "auth",
  "code",
  "session",
]);

const PASSWORD_FIELDS = new Set(["password", "pass", "pwd", "passwd", "passphrase"]);

export function isSensitiveHeader(name: string): boolean {
  return SENSITIVE_HEADERS.has(name.toLowerCase()) || SENSITIVE_NAME.test(name);
}

/** Query parameters and form fields (OAuth `code`, `sig`, `key` are only credentials here). */
export function isSensitiveParam(name: string): boolean {
  const lower = name.toLowerCase();
  return SENSITIVE_PARAMS.has(lower) || PASSWORD_FIELDS.has(lower) || SENSITIVE_NAME.test(name);
}

/** JSON keys. `code` and `key` stay visible: in JSON they are mostly error codes and ids. */
export function isSensitiveJsonKey(name: string): boolean {
  return PASSWORD_FIELDS.has(name.toLowerCase()) || SENSITIVE_NAME.test(name);
}

type BodyKind = "json" | "form" | "text";

/** JSON and form bodies by content type; without one, by shape. Invalid JSON is text. */
export function detectBodyKind(text: string, contentType?: string): BodyKind {
  const type = contentType?.toLowerCase();
  if (type !== undefined && type.trim() !== "") {
    if (/[/+]json\b/.test(type)) return isJson(text) ? "json" : "text";
    if (type.includes("application/x-www-form-urlencoded")) return "form";
    return "text";
  }
  const trimmed = text.trim();
  if ((trimmed.startsWith("{") || trimmed.startsWith("[")) && isJson(trimmed)) return "json";
  if (/^[^\s=&]+=[^\s&]*(?:&[^\s=&]+=[^\s&]*)*$/.test(trimmed)) return "form";
  return "text";
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A value under a sensitive name, as a range of the raw text (escapes and encoding included). */
interface SensitiveSpan {
  start: number;
  end: number;
  /** The name it sits under, e.g. "password". */
  name: string;
  /** The value as the application sees it (JSON-unescaped or form-decoded). */
  decoded: string;
}

/**
 * Where sensitive values sit in a JSON document, form body or query string, without rewriting
 * anything else (formatting and number precision survive). In JSON, every string under a
 * sensitive key counts, however deeply nested. Empty values are skipped: they hide nothing.
 */
export function findSensitiveSpans(text: string, kind: BodyKind | "query"): SensitiveSpan[] {
  if (kind === "json") return jsonSpans(text);
  if (kind === "form" || kind === "query") return pairSpans(text, 0);
  return [];
}

function pairSpans(text: string, offset: number): SensitiveSpan[] {
  const spans: SensitiveSpan[] = [];
  let start = 0;
  for (const piece of text.split("&")) {
    const eq = piece.indexOf("=");
    if (eq > 0 && eq < piece.length - 1) {
      const name = formDecode(piece.slice(0, eq));
      if (isSensitiveParam(name)) {
        const valueStart = offset + start + eq + 1;
        spans.push({
          start: valueStart,
          end: offset + start + piece.length,
          name,
          decoded: formDecode(piece.slice(eq + 1)),
        });
      }
    }
    start += piece.length + 1;
  }
  return spans;
}

function formDecode(s: string): string {
  return percentDecode(s.replace(/\+/g, " "));
}

function percentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface JsonFrame {
  kind: "object" | "array";
  /** Inside a value under a sensitive key. */
  sensitive: boolean;
  /** The key whose value comes next (objects), or the sensitive ancestor's key. */
  key: string;
  expectKey: boolean;
  label: string;
}

/** Walks a valid JSON text, noting each string token under a sensitive key. */
function jsonSpans(text: string): SensitiveSpan[] {
  if (!isJson(text)) return [];
  const spans: SensitiveSpan[] = [];
  const stack: JsonFrame[] = [];
  const valueContext = (): { sensitive: boolean; label: string } => {
    const top = stack[stack.length - 1];
    if (!top) return { sensitive: false, label: "" };
    if (top.kind === "array" || top.sensitive) return { sensitive: top.sensitive, label: top.label };
    return { sensitive: isSensitiveJsonKey(top.key), label: top.key };
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "{" || c === "[") {
      const context = valueContext();
      stack.push({
        kind: c === "{" ? "object" : "array",
        sensitive: context.sensitive,
        label: context.label,
        key: "",
        expectKey: c === "{",
      });
      i++;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i++;
    } else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top?.kind === "object") top.expectKey = true;
      i++;
    } else if (c === ":") {
      const top = stack[stack.length - 1];
      if (top) top.expectKey = false;
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const token = text.slice(i, j + 1);
      const decoded = JSON.parse(token) as string;
      const top = stack[stack.length - 1];
      if (top?.kind === "object" && top.expectKey) {
        top.key = decoded;
      } else {
        const context = valueContext();
        if (context.sensitive && decoded !== "") spans.push({ start: i + 1, end: j, name: context.label, decoded });
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return spans;
}

/** Userinfo, query and fragment of a URL (absolute or relative) as ranges of the raw string. */
interface UrlParts {
  /** The `user:password@` range, including the "@", or null. */
  userinfo: { start: number; end: number } | null;
  /** The query without "?", or null. */
  query: { start: number; end: number } | null;
  /** The fragment without "#", or null. */
  fragment: { start: number; end: number } | null;
}

/** Splits without normalising, so the redacted URL is the original minus its secrets. */
export function splitUrl(u: string): UrlParts {
  let userinfo: UrlParts["userinfo"] = null;
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(u);
  if (scheme) {
    const authorityStart = scheme[0].length;
    const rest = u.slice(authorityStart);
    // WHATWG treats "\" like "/" in http(s) URLs, so it ends the authority too.
    const authorityEnd = authorityStart + (rest.search(/[/?#\\]/) === -1 ? rest.length : rest.search(/[/?#\\]/));
    const at = u.lastIndexOf("@", authorityEnd - 1);
    if (at >= authorityStart) userinfo = { start: authorityStart, end: at + 1 };
  }
  const hash = u.indexOf("#");
  const beforeHash = hash === -1 ? u.length : hash;
  const question = u.indexOf("?");
  const query = question !== -1 && question < beforeHash ? { start: question + 1, end: beforeHash } : null;
  const fragment = hash === -1 ? null : { start: hash + 1, end: u.length };
  return { userinfo, query, fragment };
}

/** The password part of a userinfo range ("user:pass@"), decoded, or "" when there is none. */
function userinfoPassword(userinfo: string): string {
  const colon = userinfo.indexOf(":");
  return colon === -1 ? "" : percentDecode(userinfo.slice(colon + 1, -1));
}

/** Replaces ranges (sorted, non-overlapping) of `text`. */
function replaceRanges(
  text: string,
  ranges: ReadonlyArray<{ start: number; end: number }>,
  replacement: string,
): string {
  let out = "";
  let at = 0;
  for (const { start, end } of [...ranges].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    out += text.slice(at, start) + replacement;
    at = end;
  }
  return out + text.slice(at);
}

function cleanLabel(label: string): string {
  return label.replace(/[[\]]/g, "").slice(0, 60) || "value";
}

const MARKER_ONLY = /^\[(?:secret|redacted)(?::[^[\]]*)?\]$/;

interface Interval {
  start: number;
  end: number;
  replacement: string;
}

/** ASCII letters in lower case, every other UTF-16 unit as it is: lengths and offsets are kept. */
function fold(s: string): string {
  return s.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export function createRedactor(secrets: Record<string, string>): Redactor {
  /** Folded value → replacement; the first registration wins, and secrets register first. */
  const known = new Map<string, string>();
  let ordered: string[] | null = null;

  const register = (value: string, replacement: string) => {
    for (const form of encodingsOf(value)) {
      const folded = fold(form);
      if (folded !== "" && !known.has(folded)) {
        known.set(folded, replacement);
        ordered = null;
      }
    }
  };

  const secret = (name: string, value: string): void => {
    // A secret of any length is scrubbed (better noisy than leaked); only blank ones are not.
    if (typeof value === "string" && value.trim() !== "") register(value, `[secret:${cleanLabel(name)}]`);
  };

  // Sorted by name so that two secrets with one value always get the same label.
  for (const [name, value] of Object.entries(secrets).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    secret(name, value);

  const values = (): string[] => (ordered ??= [...known.keys()].sort((a, b) => b.length - a.length));

  /** Every occurrence of every known value, overlapping ones merged, so no character survives. */
  const intervals = (s: string): Interval[] => {
    const found: Interval[] = [];
    const folded = fold(s);
    for (const value of values()) {
      for (let i = folded.indexOf(value); i !== -1; i = folded.indexOf(value, i + 1)) {
        found.push({ start: i, end: i + value.length, replacement: known.get(value)! });
      }
    }
    // By start, longest first: a merged run is labelled by the longest value that starts it.
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const merged: Interval[] = [];
    for (const interval of found) {
      const last = merged[merged.length - 1];
      if (last && interval.start < last.end) last.end = Math.max(last.end, interval.end);
      else merged.push({ ...interval });
    }
    return merged;
  };

  /** Replaces every known value by its label, or by `marker` when one is given. */
  const replaceKnown = (s: string, marker: string | null): string => {
    let out = "";
    let at = 0;
    for (const { start, end, replacement } of intervals(s)) {
      out += s.slice(at, start) + (marker ?? replacement);
      at = end;
    }
    return out + s.slice(at);
  };

  const leaks = (s: string): boolean => {
    const folded = fold(s);
    return values().some((value) => folded.includes(value));
  };

  const text = (s: string): string => {
    if (typeof s !== "string" || known.size === 0) return s;
    const labelled = replaceKnown(s, null);
    if (!leaks(labelled)) return labelled;
    // A label can contain a value ("secret" is in "[secret:NAME]") or spell one with its
    // neighbours ("[secret:XY]z" holds "Y]z"). Then drop the labels; at worst delete the
    // occurrences outright, which terminates because each pass shortens the string.
    for (const marker of [REDACTED, "[hidden]"]) {
      const plain = replaceKnown(s, marker);
      if (!leaks(plain)) return plain;
    }
    let out = s;
    while (leaks(out)) out = replaceKnown(out, "");
    return out;
  };

  const learn = (value: string, label: string): void => {
    if (typeof value !== "string" || value.trim().length < MIN_LEARNED_LENGTH || MARKER_ONLY.test(value)) return;
    register(value, `[redacted:${cleanLabel(label)}]`);
  };

  /** Learns what a sensitive header carries beyond its whole value. */
  const learnHeader = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    learn(value, lower);
    const scheme = /^\s*([A-Za-z][\w.-]*)\s+(\S+)\s*$/.exec(value);
    if (scheme && (lower === "authorization" || lower === "proxy-authorization")) {
      const credentials = scheme[2]!;
      learn(credentials, lower);
      if (scheme[1]!.toLowerCase() === "basic") {
        try {
          const decoded = atob(credentials);
          const colon = decoded.indexOf(":");
          if (colon !== -1) learn(decoded.slice(colon + 1), lower);
        } catch {
          // Not base64: the whole value is already learned.
        }
      }
    }
    if (lower === "cookie" || lower === "set-cookie") {
      const pairs = lower === "cookie" ? value.split(";") : [value.split(";")[0] ?? ""];
      for (const pair of pairs) {
        const eq = pair.indexOf("=");
        const cookie = pair.slice(eq + 1).trim();
        if (eq !== -1 && cookie.length >= MIN_COOKIE_LENGTH) learn(cookie, lower);
      }
    }
  };

  const headers = (h: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    try {
      // Learn first, so a token in Authorization also disappears from, say, Referer.
      for (const [name, value] of Object.entries(h)) if (isSensitiveHeader(name)) learnHeader(name, String(value));
      for (const [name, value] of Object.entries(h))
        out[name] = isSensitiveHeader(name) ? REDACTED : text(String(value));
    } catch {
      for (const name of Object.keys(h)) out[name] = REDACTED;
    }
    return out;
  };

  const url = (u: string): string => {
    try {
      const parts = splitUrl(u);
      const spans: SensitiveSpan[] = [];
      if (parts.query)
        spans.push(
          ...shift(findSensitiveSpans(u.slice(parts.query.start, parts.query.end), "query"), parts.query.start),
        );
      // OAuth implicit flows put access_token in the fragment.
      if (parts.fragment)
        spans.push(
          ...shift(
            findSensitiveSpans(u.slice(parts.fragment.start, parts.fragment.end), "query"),
            parts.fragment.start,
          ),
        );
      if (parts.userinfo) learn(userinfoPassword(u.slice(parts.userinfo.start, parts.userinfo.end)), "url password");
      for (const span of spans) {
        learn(span.decoded, span.name);
        learn(u.slice(span.start, span.end), span.name);
      }
      let out = replaceRanges(u, spans, REDACTED);
      if (parts.userinfo) {
        // The ranges above all sit after the userinfo, so its offsets are still valid.
        out = out.slice(0, parts.userinfo.start) + out.slice(parts.userinfo.end);
      }
      return text(out);
    } catch {
      return text(u);
    }
  };

  const body = (raw: string, contentType?: string): string => {
    try {
      const kind = detectBodyKind(raw, contentType);
      const spans = findSensitiveSpans(raw, kind);
      for (const span of spans) {
        learn(span.decoded, span.name);
        learn(raw.slice(span.start, span.end), span.name);
      }
      return text(replaceRanges(raw, spans, REDACTED));
    } catch {
      return text(raw);
    }
  };

  const deep = <T>(value: T): T => {
    const seen = new WeakSet<object>();
    const walk = (v: unknown): unknown => {
      if (typeof v === "string") return text(v);
      if (v === null || typeof v !== "object") return v;
      if (seen.has(v)) return REDACTED; // a cycle is not JSON-like; cut it rather than recurse forever
      seen.add(v);
      let copy: unknown;
      if (Array.isArray(v)) copy = v.map(walk);
      else {
        // Keys are kept: they are structure (field and header names), not values.
        const out: Record<string, unknown> = {};
        for (const [k, inner] of Object.entries(v)) out[k] = walk(inner);
        copy = out;
      }
      seen.delete(v);
      return copy;
    };
    try {
      return walk(value) as T;
    } catch {
      // Never hand back the unredacted original.
      return REDACTED as T;
    }
  };

  return { secret, learn, text, headers, url, body, deep };
}

function shift(spans: SensitiveSpan[], offset: number): SensitiveSpan[] {
  return spans.map((s) => ({ ...s, start: s.start + offset, end: s.end + offset }));
}
