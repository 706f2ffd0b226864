/**
 * Validates the probes bundled from probes/ and gives each a version (a hash of its definition,
 * script source included) so history shows which version of a probe produced a run.
 */
import type { z } from "zod";
import { parseJsonPath } from "./jsonpath.ts";
import { didYouMean } from "./did-you-mean.ts";
import { ProbeSchema, type BrowserProbe, type HeartbeatProbe, type HttpProbe, type Probe } from "./schema.ts";
import { cyrb53 } from "../hash.ts";

export interface ProbeModule {
  /** Path relative to the project root, e.g. "probes/shop-journey.ts". */
  file: string;
  definition: unknown;
}

export interface LoadedProbe {
  probe: Probe;
  file: string;
  version: string;
}

/** A loaded probe of one kind: what the runner (HTTP) or the heartbeat stage works on. */
type LoadedHttpProbe = LoadedProbe & { probe: HttpProbe };
export type LoadedHeartbeat = LoadedProbe & { probe: HeartbeatProbe };
export type LoadedBrowserProbe = LoadedProbe & { probe: BrowserProbe };
/** A probe Afterlife runs itself from its regions (an HTTP or a browser journey), not one that is pinged. */
export type LoadedRunnable = LoadedHttpProbe | LoadedBrowserProbe;

export function isLoadedHttp(loaded: LoadedProbe): loaded is LoadedHttpProbe {
  return loaded.probe.kind === "http";
}

export function isLoadedHeartbeat(loaded: LoadedProbe): loaded is LoadedHeartbeat {
  return loaded.probe.kind === "heartbeat";
}

export function isLoadedBrowser(loaded: LoadedProbe): loaded is LoadedBrowserProbe {
  return loaded.probe.kind === "browser";
}

export function isLoadedRunnable(loaded: LoadedProbe): loaded is LoadedRunnable {
  return loaded.probe.kind !== "heartbeat";
}

interface ProbeProblem {
  file: string;
  probeId: string | undefined;
  /** e.g. "steps[1].assert[0].op" */
  path: string;
  /** The same path as keys and indexes, to find the field in the source file. */
  at: (string | number)[];
  /** For an unknown key: the key, so the problem points at it rather than at its object. */
  key?: string;
  /** Text inside the field that the problem is about (a placeholder), to point right at it. */
  needle?: string;
  message: string;
}

export class ProbeRegistryError extends Error {
  override name = "ProbeRegistryError";
  readonly problems: ProbeProblem[];
  constructor(problems: ProbeProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in probes/:\n${problems.map(formatProblem).join("\n")}`,
    );
    this.problems = problems;
  }
}

function formatProblem(p: ProbeProblem): string {
  return `  ${p.file}${p.probeId ? ` (${p.probeId})` : ""}: ${p.path || "(probe)"}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    "",
  );
}

type Found = Omit<ProbeProblem, "file" | "probeId" | "path">;

/** A value as the message quotes it: JSON, cut to a readable length. */
function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "function") return "a function";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = root;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

// zod's own definitions, read only to list the keys an object accepts ("did you mean").
interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  discriminator?: string;
  values?: unknown[];
}
const defOf = (schema: z.core.$ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schemas a value may be checked against, wrappers removed and union options picked by discriminator. */
function forms(schema: z.core.$ZodType, value: unknown): z.core.$ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return forms(def.innerType, value);
  if (def.type === "pipe" && def.in) return forms(def.in, value);
  if (def.type === "union" && def.options) {
    const options = def.options.flatMap((o) => forms(o, value));
    if (def.discriminator && value !== null && typeof value === "object") {
      const tag = (value as Record<string, unknown>)[def.discriminator];
      const matching = options.filter((o) => defOf(defOf(o).shape?.[def.discriminator!] ?? o).values?.includes(tag));
      if (matching.length) return matching;
    }
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      // An undiscriminated union of objects (a step: HTTP or script): the forms that know most of its keys.
      const unknownKeys = (o: z.core.$ZodType) => Object.keys(value).filter((k) => !defOf(o).shape?.[k]).length;
      const fewest = Math.min(...options.map(unknownKeys));
      return options.filter((o) => unknownKeys(o) === fewest);
    }
    return options;
  }
  return [schema];
}

/** The schemas that check the value at `path` of the probe. */
function schemasAt(root: unknown, path: readonly PropertyKey[]): z.core.$ZodType[] {
  let current: z.core.$ZodType[] = [ProbeSchema];
  let value: unknown = root;
  for (const key of path) {
    const next: z.core.$ZodType[] = [];
    for (const schema of current.flatMap((c) => forms(c, value))) {
      const def = defOf(schema);
      if (def.type === "object" && typeof key === "string" && def.shape?.[key]) next.push(def.shape[key]);
      if (def.type === "array" && typeof key === "number" && def.element) next.push(def.element);
      if (def.type === "record" && def.valueType) next.push(def.valueType);
    }
    current = next;
    value = valueAt(value, [key]);
  }
  return current;
}

/** The keys an object at `path` of the probe may have. */
function knownKeysAt(root: unknown, path: readonly PropertyKey[]): string[] {
  const value = valueAt(root, path);
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path).flatMap((c) => forms(c, value)))
    for (const k of Object.keys(defOf(schema).shape ?? {})) keys.add(k);
  return [...keys];
}

/** The values a discriminated union at `path` accepts for its tag (e.g. every assertion source). */
function knownTags(root: unknown, path: readonly PropertyKey[], key: string): string[] {
  const tags = new Set<string>();
  for (const schema of schemasAt(root, path).flatMap((c) => forms(c, undefined))) {
    const tag = defOf(schema).shape?.[key];
    for (const v of tag ? (defOf(tag).values ?? []) : []) if (typeof v === "string") tags.add(v);
  }
  return [...tags];
}

/** What the union-typed fields accept, in words. */
const UNION_FORMS: Record<string, string> = {
  expectStatus: "a status code (200), a list of codes ([200, 204]) or a range ({ min: 200, max: 299 })",
  body: '{ json: ... }, { form: { name: value } } or { text: "...", contentType? }',
};

/** One zod issue in words: the bad value, what is expected, and a guess at what was meant. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown, prefix: PropertyKey[] = []): Found[] {
  const at = [...prefix, ...issue.path] as (string | number)[];
  const value = valueAt(raw, at);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = knownKeysAt(raw, at);
      return issue.keys.map((key) => {
        const guess = didYouMean(key, known);
        return {
          at,
          key,
          message: `unknown key '${key}'${guess ? `; did you mean '${guess}'?` : known.length ? ` (known keys: ${known.join(", ")})` : " (check the spelling)"}`,
        };
      });
    }
    case "invalid_value": {
      const options = issue.values.map((v) => (typeof v === "string" ? v : showValue(v)));
      const guess = typeof value === "string" ? didYouMean(value, options) : undefined;
      return [
        {
          at,
          message: `got ${showValue(value)}; expected ${options.length === 1 ? options[0] : `one of ${options.join(", ")}`}${guess ? ` (did you mean "${guess}"?)` : ""}`,
        },
      ];
    }
    case "invalid_type":
      if (value === undefined) return [{ at, message: `missing; expected ${issue.expected}` }];
      return [{ at, message: `got ${showValue(value)}; expected ${issue.expected}` }];
    case "invalid_union": {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (issue.errors.length === 0 || discriminator) {
        // A discriminated union whose tag matched no option (e.g. `source: "jsn"`).
        const key = discriminator ?? "source";
        const base = at[at.length - 1] === key ? at.slice(0, -1) : at;
        const tags = knownTags(raw, base, key);
        const tag = valueAt(raw, [...base, key]);
        const guess = typeof tag === "string" ? didYouMean(tag, tags) : undefined;
        return [
          {
            at: [...base, key],
            message: `got ${showValue(tag)}; expected one of ${tags.join(", ")}${guess ? ` (did you mean "${guess}"?)` : ""}`,
          },
        ];
      }
      // Report the form that came closest: the one that knows most of the value's keys, then the one with the fewest issues.
      const unknownKeys = (issues: z.core.$ZodIssue[]) =>
        issues.reduce((n, i) => n + (i.code === "unrecognized_keys" && i.path.length === 0 ? i.keys.length : 0), 0);
      const best = [...issue.errors].sort((a, b) => unknownKeys(a) - unknownKeys(b) || a.length - b.length)[0]!;
      if (best.every((i) => i.path.length === 0 && i.code === "invalid_type")) {
        const forms = UNION_FORMS[String(at[at.length - 1])];
        return [
          {
            at,
            message: `got ${showValue(value)}; expected ${forms ?? "one of the forms your editor shows for this field"}`,
          },
        ];
      }
      return best.flatMap((i) => describeIssue(i, raw, at));
    }
    default:
      return [{ at, message: `${issue.message}; got ${showValue(value)}` }];
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Checks what zod cannot: JSONPath syntax and regular expressions compile. Reads the raw
 * definition, so these are found in the same pass as the schema's problems.
 */
function deepChecks(raw: Record<string, unknown>): Found[] {
  const problems: Found[] = [];
  const steps = Array.isArray(raw.steps) ? raw.steps : [];
  steps.forEach((step: unknown, i) => {
    if (!isRecord(step)) return;
    (Array.isArray(step.assert) ? step.assert : []).forEach((a: unknown, j) => {
      if (!isRecord(a)) return;
      const at = ["steps", i, "assert", j];
      if (a.source === "json" && typeof a.path === "string" && a.path.startsWith("$")) {
        try {
          parseJsonPath(a.path);
        } catch (error) {
          problems.push({ at: [...at, "path"], message: (error as Error).message });
        }
      }
      if ((a.op === "matches" || a.op === "notMatches") && typeof a.value === "string") {
        try {
          new RegExp(a.value);
        } catch (error) {
          problems.push({
            at: [...at, "value"],
            message: `not a valid regular expression: ${(error as Error).message}`,
          });
        }
      }
      if (
        (a.source === "header" || a.source === "json") &&
        typeof a.op === "string" &&
        a.op !== "exists" &&
        a.op !== "notExists" &&
        a.value === undefined
      ) {
        problems.push({ at: [...at, "value"], message: `a value to compare with ('${a.op}' needs one)` });
      }
    });
    const extractors: [(string | number)[], unknown][] = [
      ...(isRecord(step.extract)
        ? Object.entries(step.extract).map(([name, e]): [(string | number)[], unknown] => [
            ["steps", i, "extract", name],
            e,
          ])
        : []),
      ...(Array.isArray(step.metrics)
        ? step.metrics.map((m: unknown, j): [(string | number)[], unknown] => [
            ["steps", i, "metrics", j, "value"],
            isRecord(m) ? m.value : undefined,
          ])
        : []),
    ];
    for (const [at, e] of extractors) {
      if (!isRecord(e)) continue;
      if (e.from === "json" && typeof e.path === "string" && e.path.startsWith("$")) {
        try {
          parseJsonPath(e.path);
        } catch (error) {
          problems.push({ at: [...at, "path"], message: (error as Error).message });
        }
      }
      if (e.from === "regex" && typeof e.pattern === "string") {
        try {
          new RegExp(e.pattern);
        } catch (error) {
          problems.push({
            at: [...at, "pattern"],
            message: `not a valid regular expression: ${(error as Error).message}`,
          });
        }
      }
    }
  });
  return problems;
}

interface Inspection {
  loaded: LoadedProbe[];
  problems: ProbeProblem[];
}

/**
 * Validates every module in one pass and collects every problem: schema, JSONPath and regular
 * expressions of each file, then duplicate ids (blamed on the later module, naming the earlier).
 */
export function inspectProbes(modules: readonly ProbeModule[]): Inspection {
  const problems: ProbeProblem[] = [];
  const loaded: LoadedProbe[] = [];
  const files = new Map<string, string>();
  for (const module of modules) {
    const raw = module.definition;
    const probeId = isRecord(raw) && typeof raw.id === "string" ? raw.id : undefined;
    const add = (found: Found) => problems.push({ file: module.file, probeId, path: formatPath(found.at), ...found });
    if (!isRecord(raw)) {
      add({ at: [], message: "the file must `export default defineProbe({...})`" });
      continue;
    }
    const parsed = ProbeSchema.safeParse(raw);
    const found = [
      ...(parsed.success ? [] : parsed.error.issues.flatMap((issue) => describeIssue(issue, raw))),
      ...deepChecks(raw),
    ];
    if (probeId !== undefined) {
      const previous = files.get(probeId);
      if (previous !== undefined)
        found.push({
          at: ["id"],
          message: `duplicate id '${probeId}': ${previous} already has it; ids must be unique (history is keyed by them)`,
        });
      else files.set(probeId, module.file);
    }
    found.forEach(add);
    if (found.length === 0 && parsed.success)
      loaded.push({ probe: parsed.data, file: module.file, version: probeVersion(parsed.data) });
  }
  return { loaded, problems };
}

/** Validates every module; collects all problems (not just the first) and throws them together. */
export function loadRegistry(modules: readonly ProbeModule[]): LoadedProbe[] {
  const { loaded, problems } = inspectProbes(modules);
  if (problems.length) throw new ProbeRegistryError(problems);
  return loaded;
}

/** A short stable hash of the definition; functions hash by their source text. */
export function probeVersion(probe: Probe): string {
  const text = JSON.stringify(probe, (_key, value: unknown) =>
    typeof value === "function" ? `fn:${value.toString()}` : value,
  );
  return cyrb53(text);
}
