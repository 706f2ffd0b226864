/**
 * A small, deliberately strict parser of the Prometheus text exposition format 0.0.4, for tests.
 * Stricter than Prometheus itself where Afterlife promises more: no free-form comments, no sample
 * timestamps, no NaN, no blank lines, a trailing newline, one HELP and one TYPE per family written
 * before its samples, contiguous families, no duplicate series. Throws ExpositionError on the
 * first violation, with the 1-based line number.
 */

export class ExpositionError extends Error {
  override name = "ExpositionError";
}

interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  line: number;
}

export interface ParsedFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: ParsedSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Go ParseFloat-compatible decimals plus the infinities; NaN is rejected on purpose. */
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]Inf)$/;

function fail(line: number, message: string): never {
  throw new ExpositionError(`line ${line}: ${message}`);
}

function unescapeHelp(text: string, line: number): string {
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === "\\") return "\\";
    if (c === "n") return "\n";
    return fail(line, `invalid escape \\${c} in HELP`);
  });
}

/** Parses `{a="x",b="y"}` starting at `text[start] === "{"`; returns labels and the index after `}`. */
function parseLabels(text: string, start: number, line: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  if (text[i] === "}") fail(line, "empty label set must be written without braces");
  for (;;) {
    const eq = text.indexOf("=", i);
    if (eq < 0) fail(line, "label without '='");
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) fail(line, `invalid label name ${JSON.stringify(name)}`);
    if (name.startsWith("__")) fail(line, `reserved label name ${name}`);
    if (Object.hasOwn(labels, name)) fail(line, `duplicate label ${name}`);
    i = eq + 1;
    if (text[i] !== '"') fail(line, `label ${name}: value must be double-quoted`);
    i++;
    let value = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) fail(line, `label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else fail(line, `label ${name}: invalid escape \\${next ?? ""}`);
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    labels[name] = value;
    i++; // closing quote
    if (text[i] === ",") {
      i++;
      if (text[i] === "}") fail(line, "trailing comma in label set");
      continue;
    }
    if (text[i] === "}") return { labels, end: i + 1 };
    fail(line, `expected ',' or '}' after label ${name}`);
  }
}

function seriesKey(name: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]]);
  return JSON.stringify([name, sorted]);
}

export function parseExposition(text: string): ParsedFamily[] {
  if (!text.endsWith("\n")) fail(0, "output must end with a newline");
  const lines = text.slice(0, -1).split("\n");
  const families = new Map<string, ParsedFamily & { hasHelp: boolean; hasType: boolean }>();
  const series = new Set<string>();
  /** Family whose samples are being written; once another family starts, this one is closed. */
  let current: string | null = null;
  const closed = new Set<string>();

  const open = (name: string, line: number) => {
    if (current !== name) {
      if (closed.has(name)) fail(line, `family ${name} is not contiguous`);
      if (current !== null) closed.add(current);
      current = name;
    }
    let f = families.get(name);
    if (!f) {
      f = { name, help: "", type: "gauge", samples: [], hasHelp: false, hasType: false };
      families.set(name, f);
    }
    return f;
  };

  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === "") fail(line, "blank line");
    // A raw carriage return is legal inside a label value (only \\, \" and line feed must be escaped).
    if (raw.startsWith("#")) {
      const m = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(raw);
      if (!m) fail(line, `unexpected comment ${JSON.stringify(raw)}`);
      const [, keyword, name, rest] = m as unknown as [string, "HELP" | "TYPE", string, string];
      if (!METRIC_NAME.test(name)) fail(line, `invalid metric name ${JSON.stringify(name)}`);
      const f = open(name, line);
      if (f.samples.length > 0) fail(line, `${keyword} for ${name} after its samples`);
      if (keyword === "HELP") {
        if (f.hasHelp) fail(line, `second HELP for ${name}`);
        f.hasHelp = true;
        f.help = unescapeHelp(rest, line);
      } else {
        if (f.hasType) fail(line, `second TYPE for ${name}`);
        if (rest !== "gauge" && rest !== "counter") fail(line, `unsupported type ${JSON.stringify(rest)}`);
        f.hasType = true;
        f.type = rest;
      }
      return;
    }
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw);
    if (!nameMatch) fail(line, `invalid sample ${JSON.stringify(raw)}`);
    const name = nameMatch[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (raw[i] === "{") ({ labels, end: i } = parseLabels(raw, i, line));
    if (raw[i] !== " ") fail(line, "expected a single space before the value");
    const valueText = raw.slice(i + 1);
    if (valueText.includes(" ")) fail(line, "unexpected timestamp or extra field");
    if (!VALUE.test(valueText)) fail(line, `invalid value ${JSON.stringify(valueText)}`);
    const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
    if (!families.get(name)?.hasType) fail(line, `sample of ${name} without a TYPE declared before it`);
    const f = open(name, line);
    const key = seriesKey(name, labels);
    if (series.has(key)) fail(line, `duplicate series ${key}`);
    series.add(key);
    f.samples.push({ name, labels, value, line });
  });

  for (const f of families.values()) {
    if (!f.hasType) fail(0, `family ${f.name} has no TYPE`);
    if (!f.hasHelp) fail(0, `family ${f.name} has no HELP`);
  }
  return [...families.values()].map(({ name, help, type, samples }) => ({ name, help, type, samples }));
}
