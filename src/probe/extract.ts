/**
 * Pulls one string out of a response for use as `{{name}}` in later steps. Pure and total:
 * a value that is not there is an error message saying what was looked for and why it was not
 * found, never an exception.
 */
import { queryJsonPath } from "./jsonpath.ts";
import { parseJsonBody } from "./observed-response.ts";
import type { ObservedResponse } from "./observed-response.ts";
import type { Extractor } from "./schema.ts";

export type Extracted = { ok: true; value: string } | { ok: false; error: string };

/** How many names to list when saying what was seen instead. */
const MAX_LISTED = 20;

export function extractValue(extractor: Extractor, response: ObservedResponse): Extracted {
  switch (extractor.from) {
    case "json":
      return fromJson(extractor.path, response);
    case "header":
      return fromHeader(extractor.name, response.headers);
    case "regex":
      return fromRegex(extractor.pattern, extractor.group, response.bodyText);
    case "cookie":
      return fromCookie(extractor.name, response.headers);
  }
}

function fromJson(path: string, response: ObservedResponse): Extracted {
  const body = parseJsonBody(response);
  if (!body.ok) return { ok: false, error: `cannot read ${path}: ${body.error}` };
  let matches: unknown[];
  try {
    matches = queryJsonPath(body.value, path);
  } catch (err) {
    // A JsonPathSyntaxError names the position; anything else (say, a pathologically deep body) is reported too.
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  if (matches.length === 0) return { ok: false, error: `no match for ${path} in the JSON body` };
  // The first match: a wildcard path extracts the first of its values.
  const value = matches[0];
  // Strings as-is (a token must not gain quotes); anything else in its JSON form.
  return { ok: true, value: typeof value === "string" ? value : JSON.stringify(value) };
}

function fromHeader(name: string, headers: Headers): Extracted {
  let value: string | null;
  try {
    value = headers.get(name);
  } catch {
    return { ok: false, error: `${JSON.stringify(name)} is not a valid header name` };
  }
  if (value !== null) return { ok: true, value };
  return {
    ok: false,
    error: `no header named ${name} in the response (headers seen: ${listed([...new Set(headers.keys())])})`,
  };
}

function fromRegex(pattern: string, group: number, body: string): Extracted {
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  const m = re.exec(body);
  if (m === null) return { ok: false, error: `no match for /${pattern}/ in the body` };
  if (group >= m.length) {
    const groups = m.length - 1;
    return {
      ok: false,
      error: `/${pattern}/ has no capture group ${group} (it has ${groups}; group 0 is the whole match)`,
    };
  }
  const value = m[group];
  // A group inside an unmatched alternative, e.g. group 2 of /(a)|(b)/ matching "a".
  if (value === undefined)
    return { ok: false, error: `capture group ${group} of /${pattern}/ did not take part in the match` };
  return { ok: true, value };
}

function fromCookie(name: string, headers: Headers): Extracted {
  const cookies = headers.getSetCookie().map(parseSetCookie);
  // Like a browser, a later Set-Cookie for the same name replaces an earlier one.
  const found = cookies.findLast((c) => c.name === name);
  if (found) return { ok: true, value: found.value };
  const seen =
    cookies.length === 0
      ? "no Set-Cookie headers"
      : `cookies seen: ${listed(cookies.map((c) => c.name || "(no name)"))}`;
  return { ok: false, error: `no Set-Cookie named ${name} (${seen})` };
}

/** `name=value` before the first `;`; attributes (Path, Expires, ...) are not the value. */
function parseSetCookie(header: string): { name: string; value: string } {
  const pair = header.split(";", 1)[0] ?? "";
  const eq = pair.indexOf("=");
  // RFC 6265bis (what browsers do): a pair without '=' is a cookie with an empty name.
  if (eq < 0) return { name: "", value: pair.trim() };
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
}

function listed(names: string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, MAX_LISTED).join(", ");
  return names.length > MAX_LISTED ? `${shown}, and ${names.length - MAX_LISTED} more` : shown;
}
