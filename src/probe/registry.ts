/**
 * Validates the probes bundled from probes/ and gives each a version (a hash of its definition,
 * script source included) so history shows which version of a probe produced a run.
 */
import type { z } from "zod";
import { parseJsonPath } from "./jsonpath.ts";
import { isScriptStep, ProbeSchema, type Probe } from "./schema.ts";

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

export interface ProbeProblem {
  file: string;
  probeId: string | undefined;
  /** e.g. "steps[1].assert[0].op" */
  path: string;
  message: string;
}

export class ProbeRegistryError extends Error {
  override name = "ProbeRegistryError";
  readonly problems: ProbeProblem[];
  constructor(problems: ProbeProblem[]) {
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} in probes/:\n${problems.map(formatProblem).join("\n")}`);
    this.problems = problems;
  }
}

export function formatProblem(p: ProbeProblem): string {
  return `  ${p.file}${p.probeId ? ` (${p.probeId})` : ""}: ${p.path || "(probe)"}: ${p.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), "");
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")} (check the spelling)`;
  if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
    return issue.message;
  }
  return issue.message;
}

/** Checks what zod cannot: JSONPath syntax and regular expressions compile. */
function deepChecks(probe: Probe): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  probe.steps.forEach((step, i) => {
    if (isScriptStep(step)) return;
    step.assert.forEach((a, j) => {
      const at = `steps[${i}].assert[${j}]`;
      if (a.source === "json") {
        try {
          parseJsonPath(a.path);
        } catch (error) {
          problems.push({ path: `${at}.path`, message: (error as Error).message });
        }
      }
      if (a.op === "matches" || a.op === "notMatches") {
        try {
          new RegExp(String(a.value));
        } catch (error) {
          problems.push({ path: `${at}.value`, message: `not a valid regular expression: ${(error as Error).message}` });
        }
      }
      if ((a.source === "header" || a.source === "json") && a.op !== "exists" && a.op !== "notExists" && a.value === undefined) {
        problems.push({ path: `${at}.value`, message: `a value to compare with ('${a.op}' needs one)` });
      }
    });
    Object.entries(step.extract).forEach(([name, e]) => {
      const at = `steps[${i}].extract.${name}`;
      if (e.from === "json") {
        try {
          parseJsonPath(e.path);
        } catch (error) {
          problems.push({ path: `${at}.path`, message: (error as Error).message });
        }
      }
      if (e.from === "regex") {
        try {
          new RegExp(e.pattern);
        } catch (error) {
          problems.push({ path: `${at}.pattern`, message: `not a valid regular expression: ${(error as Error).message}` });
        }
      }
    });
  });
  return problems;
}

/** Validates every module; collects all problems (not just the first) and throws them together. */
export function loadRegistry(modules: readonly ProbeModule[]): LoadedProbe[] {
  const problems: ProbeProblem[] = [];
  const loaded: LoadedProbe[] = [];
  const files = new Map<string, string>();
  for (const module of modules) {
    const raw = module.definition as { id?: unknown } | undefined;
    const probeId = typeof raw?.id === "string" ? raw.id : undefined;
    if (raw === undefined || raw === null || typeof raw !== "object") {
      problems.push({ file: module.file, probeId, path: "", message: "the file must `export default defineProbe({...})`" });
      continue;
    }
    const parsed = ProbeSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ file: module.file, probeId, path: formatPath(issue.path), message: describeIssue(issue) });
      continue;
    }
    const extra = deepChecks(parsed.data);
    for (const p of extra) problems.push({ file: module.file, probeId, ...p });
    if (extra.length) continue;
    const previous = files.get(parsed.data.id);
    if (previous !== undefined) {
      problems.push({ file: module.file, probeId, path: "id", message: `duplicate id '${parsed.data.id}', already used by ${previous}; ids must be unique` });
      continue;
    }
    files.set(parsed.data.id, module.file);
    loaded.push({ probe: parsed.data, file: module.file, version: probeVersion(parsed.data) });
  }
  if (problems.length) throw new ProbeRegistryError(problems);
  return loaded;
}

/** A short stable hash of the definition; functions hash by their source text. */
export function probeVersion(probe: Probe): string {
  const text = JSON.stringify(probe, (_key, value: unknown) => (typeof value === "function" ? `fn:${value.toString()}` : value));
  // cyrb53: fast, well-distributed, no crypto needed for an identifier.
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(11, "0");
}
