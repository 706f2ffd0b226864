/**
 * Turns a request into a curl command an engineer can paste into a POSIX shell to replay it.
 * Secrets become `${NAME}` placeholders, so `export NAME=...` and a paste send the very same
 * bytes; every other sensitive value (per the redactor) becomes `<redacted>`.
 */
import {
  detectBodyKind,
  findSensitiveSpans,
  isSensitiveHeader,
  REDACTION_MARKER,
  splitUrl,
  type Redactor,
} from "./redact.ts";

export interface CurlRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A shell word is built from literal text and secret placeholders. */
export type Piece = string | { secret: string };

interface Range {
  start: number;
  end: number;
}

const PLACEHOLDER_REDACTED = "<redacted>";
/** Commands longer than this are broken into one option per line. */
const ONE_LINE_MAX = 80;
const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Headers curl computes itself; a stale copy would disagree with a redacted body. */
const SKIPPED_HEADERS = new Set(["content-length"]);
const FETCH_NORMALISED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);

export function toCurl(request: CurlRequest, secrets: Record<string, string>, redactor: Redactor): string {
  const contentType = Object.entries(request.headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  // Let the redactor learn every sensitive value first, so a token seen in one place (say, a
  // body field) is also hidden where it appears under an innocent name (say, a query param).
  redactor.headers(request.headers);
  redactor.url(request.url);
  if (request.body !== undefined) redactor.body(request.body, contentType);

  const render = renderer(secrets, redactor);
  // fetch() upper-cases these six methods and sends any other exactly as written.
  const method = FETCH_NORMALISED.has(request.method.toUpperCase()) ? request.method.toUpperCase() : request.method;
  // `-X HEAD` makes curl wait for a body that never comes; --head is the way to send HEAD.
  const head =
    method === "HEAD"
      ? ["curl", "-sS", "-i", "--head"]
      : ["curl", "-sS", "-i", "-X", /^[A-Za-z]+$/.test(method) ? method : shellWord([method])];
  const options: string[] = [];

  for (const [name, value] of Object.entries(request.headers)) {
    if (SKIPPED_HEADERS.has(name.toLowerCase())) continue;
    const forced = isSensitiveHeader(name) ? [{ start: 0, end: value.length }] : [];
    // "-H 'Name:'" would delete the header; "Name;" is curl's syntax for an empty one.
    const pieces: Piece[] = value === "" ? [`${name};`] : [`${name}: `, ...render(value, forced)];
    options.push(`-H ${shellWord(pieces)}`);
  }
  if (request.body !== undefined) {
    const kind = detectBodyKind(request.body, contentType);
    options.push(`--data-raw ${shellWord(render(request.body, findSensitiveSpans(request.body, kind)))}`);
  }
  options.push("--max-redirs 0");
  options.push(shellWord(renderUrl(request.url, render)));

  const oneLine = [...head, ...options].join(" ");
  if (oneLine.length <= ONE_LINE_MAX && !oneLine.includes("\n")) return oneLine;
  return [head.join(" "), ...options].join(" \\\n  ");
}

/** The URL as sent: no userinfo (the guard refuses it anyway), no fragment (never sent). */
function renderUrl(url: string, render: (raw: string, forced: Range[]) => Piece[]): Piece[] {
  let raw = url;
  const first = splitUrl(raw);
  if (first.fragment) raw = raw.slice(0, first.fragment.start - 1);
  if (first.userinfo) raw = raw.slice(0, first.userinfo.start) + raw.slice(first.userinfo.end);
  const { query } = splitUrl(raw);
  const forced = query
    ? findSensitiveSpans(raw.slice(query.start, query.end), "query").map((s) => ({
        start: s.start + query.start,
        end: s.end + query.start,
      }))
    : [];
  return render(raw, forced);
}

/**
 * Splits raw text into literal pieces and placeholders. Exact occurrences of a secret become its
 * placeholder; `forced` ranges (sensitive values) become <redacted> unless they hold a secret;
 * everything else goes through redactor.text(), whose markers become <redacted>.
 */
function renderer(secrets: Record<string, string>, redactor: Redactor) {
  const known = Object.entries(secrets)
    .filter(([, value]) => typeof value === "string" && value.trim() !== "")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  return (raw: string, forced: Range[]): Piece[] => {
    // Secret occurrences, longest first at each start; overlapping ones merge into one range.
    const found: Array<Range & { name: string }> = [];
    for (const [name, value] of known) {
      for (let i = raw.indexOf(value); i !== -1; i = raw.indexOf(value, i + 1))
        found.push({ start: i, end: i + value.length, name });
    }
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const marks: Array<Range & { secret: string | null }> = [];
    for (const occurrence of found) {
      const last = marks[marks.length - 1];
      if (last && occurrence.start < last.end) {
        // Two secrets overlap: no single placeholder spells the text, so hide it.
        if (occurrence.end > last.end) last.secret = null;
        last.end = Math.max(last.end, occurrence.end);
      } else {
        marks.push({
          start: occurrence.start,
          end: occurrence.end,
          secret: SHELL_NAME.test(occurrence.name) ? occurrence.name : null,
        });
      }
    }
    const secretRanges = [...marks];
    for (const range of forced) {
      if (range.end <= range.start) continue;
      const holdsSecret = secretRanges.some((m) => m.start >= range.start && m.end <= range.end);
      if (!holdsSecret) marks.push({ start: range.start, end: range.end, secret: null });
    }
    marks.sort((a, b) => a.start - b.start || b.end - a.end);

    const pieces: Piece[] = [];
    let at = 0;
    for (const mark of marks) {
      if (mark.end <= at) continue;
      if (mark.start < at) {
        // Overlaps what was already emitted (a forced range across a secret's edge): hide the rest.
        pieces.push(PLACEHOLDER_REDACTED);
        at = mark.end;
        continue;
      }
      if (mark.start > at) pieces.push(scrub(raw.slice(at, mark.start), redactor));
      pieces.push(mark.secret === null ? PLACEHOLDER_REDACTED : { secret: mark.secret });
      at = mark.end;
    }
    if (at < raw.length) pieces.push(scrub(raw.slice(at), redactor));
    return pieces;
  };
}

function scrub(text: string, redactor: Redactor): string {
  return redactor.text(text).replace(REDACTION_MARKER, PLACEHOLDER_REDACTED);
}

/**
 * One shell word. With placeholders: double quotes, escaping `"`, `\`, `$` and backticks, and
 * `!` written as `"'!'"` because interactive bash and zsh expand it even inside double quotes.
 * Without: single quotes, `'` written as `'\''`.
 */
export function shellWord(pieces: Piece[]): string {
  if (pieces.some((p) => typeof p !== "string")) {
    const body = pieces
      .map((p) => (typeof p === "string" ? p.replace(/[\\"$`]/g, "\\$&").replace(/!/g, `"'!'"`) : `\${${p.secret}}`))
      .join("");
    return `"${body}"`;
  }
  const text = pieces.join("");
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
