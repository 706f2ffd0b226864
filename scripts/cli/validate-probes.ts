/**
 * One validation pass over probe files, reporting every problem of every file with its
 * file:line:col: type errors (the TypeScript checker), schema errors, JSONPath and regular
 * expressions, placeholders no earlier step defines, env vars and secrets without a value,
 * duplicate ids. `probe validate`, `probe test`, `probe run` and the local runner all use it.
 */
import { readFileSync, statSync } from "node:fs";
import ts from "typescript";
import { inspectProbes, type LoadedProbe, type ProbeModule } from "../../src/probe/registry.ts";
import { lintTemplates } from "../../src/probe/template-lint.ts";
import { ROOT } from "../local/project-root.ts";
import { localValues, localVarNames } from "./local-values.ts";
import { importProbeFiles, liveProbeFiles } from "./probe-files.ts";
import { locate } from "./source-positions.ts";
import { typecheckProbeFiles } from "./typecheck-probes.ts";

interface LocatedProblem {
  file: string;
  line: number;
  col: number;
  /** The field, e.g. "steps[2].headers.authorization"; "" for the whole file; "type" for a type error. */
  field: string;
  message: string;
}

export interface Validation {
  /** The probes of the files that have no problem. */
  loaded: LoadedProbe[];
  problems: LocatedProblem[];
  /** Display names of the files checked. */
  files: string[];
}

interface ValidateOptions {
  /** Variables given with --var: defined for every step. */
  varNames?: Iterable<string>;
  /** Skip the TypeScript checker (the local runner's quick re-check before a reload). */
  typecheck?: boolean;
  /** Skip the placeholder checks (listing probes needs no values). */
  lint?: boolean;
  /** Names that will have a value besides the local ones (the demo shop's SHOP_URL and SHOP_PASSWORD). */
  valueNames?: Iterable<string>;
  root?: string;
}

export async function validateProbeFiles(files: string[], options: ValidateOptions = {}): Promise<Validation> {
  const root = options.root ?? ROOT;
  // Files in probes/ go live together: a duplicate id among them counts even if only one was named.
  const live = liveProbeFiles(root);
  const context = files.some((f) => live.includes(f)) ? live.filter((f) => !files.includes(f)) : [];
  const mtime = (f: string) => statSync(f).mtimeMs;
  const all = [...context, ...files].sort((a, b) => mtime(a) - mtime(b) || a.localeCompare(b));

  const typed = options.typecheck === false ? undefined : typecheckProbeFiles(files, root);
  const syntaxBroken = new Set(typed?.problems.filter((p) => p.syntax).map((p) => p.abs));
  const imported = await importProbeFiles(
    all.filter((f) => !syntaxBroken.has(f)),
    root,
  );
  const byFile = new Map(imported.map((i) => [i.file, i]));
  const named = new Set(imported.filter((i) => files.includes(i.abs)).map((i) => i.file));

  const problems: LocatedProblem[] = [];
  for (const p of typed?.problems ?? [])
    problems.push({
      file: displayOf(p.abs, imported, root),
      line: p.line,
      col: p.col,
      field: p.syntax ? "syntax" : "type",
      message: p.message,
    });
  for (const i of imported)
    if (i.error && named.has(i.file))
      problems.push({ file: i.file, line: 1, col: 1, field: "", message: `the file failed to load: ${i.error}` });

  const modules: ProbeModule[] = imported
    .filter((i) => !i.error)
    .map((i) => ({ file: i.file, definition: i.definition }));
  const inspection = inspectProbes(modules);
  const sourceOf = (file: string) => {
    const abs = byFile.get(file)?.abs;
    return abs === undefined ? undefined : (typed?.sourceFile(abs) ?? sourceFileFor(abs));
  };
  const position = (file: string, at: (string | number)[], key?: string, needle?: string) => {
    const sf = sourceOf(file);
    return sf
      ? locate(sf, at, { ...(key !== undefined ? { key } : {}), ...(needle !== undefined ? { needle } : {}) })
      : { line: 1, col: 1 };
  };
  for (const p of inspection.problems) {
    // Problems of files not named are left out, except duplicate ids (they name both files).
    if (!named.has(p.file) && p.path !== "id") continue;
    const field = p.key !== undefined ? (p.path ? `${p.path}.${p.key}` : p.key) : p.path;
    problems.push({ file: p.file, ...position(p.file, p.at, p.key, p.needle), field, message: p.message });
  }

  const values = localValues(root);
  const lintContext = {
    valueNames: new Set([...Object.keys(values), ...(options.valueNames ?? [])]),
    publicNames: new Set(localVarNames(root)),
    varNames: new Set(options.varNames ?? []),
  };
  for (const m of modules) {
    if (!named.has(m.file) || options.lint === false) continue;
    for (const p of lintTemplates(m.definition, lintContext)) {
      problems.push({
        file: m.file,
        ...position(m.file, p.at, undefined, p.needle),
        field: formatField(p.at),
        message: p.message,
      });
    }
  }

  // A type error on a line that also has a schema or placeholder problem says the same thing less precisely.
  const precise = new Set(problems.filter((p) => p.field !== "type").map((p) => `${p.file}:${p.line}`));
  const kept = problems.filter((p) => p.field !== "type" || !precise.has(`${p.file}:${p.line}`));
  kept.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);

  const broken = new Set(kept.map((p) => p.file));
  const namedFiles = imported.filter((i) => named.has(i.file)).map((i) => i.file);
  return {
    // In the order the files were given (the duplicate check ran oldest first).
    loaded: inspection.loaded
      .filter((l) => named.has(l.file) && !broken.has(l.file))
      .sort((a, b) => files.indexOf(byFile.get(a.file)!.abs) - files.indexOf(byFile.get(b.file)!.abs)),
    problems: kept,
    files: [...namedFiles, ...files.filter((f) => syntaxBroken.has(f)).map((f) => displayOf(f, imported, root))],
  };
}

function formatField(at: (string | number)[]): string {
  return at.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    "",
  );
}

function displayOf(abs: string, imported: { abs: string; file: string }[], root: string): string {
  return imported.find((i) => i.abs === abs)?.file ?? (abs.startsWith(`${root}/`) ? abs.slice(root.length + 1) : abs);
}

/** A parsed source file for positions when the checker did not run. */
function sourceFileFor(abs: string): ts.SourceFile {
  return ts.createSourceFile(abs, readFileSync(abs, "utf8"), ts.ScriptTarget.Latest, true);
}

/** The problems as one block: a line per problem, `file:line:col  field: message`. */
export function formatProblems(validation: Validation): string {
  const { problems, files } = validation;
  const broken = new Set(problems.map((p) => p.file));
  const lines = [
    `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${broken.size} of ${files.length} file${files.length === 1 ? "" : "s"}:`,
  ];
  for (const p of problems) lines.push(`  ${p.file}:${p.line}:${p.col}  ${p.field ? `${p.field}: ` : ""}${p.message}`);
  return lines.join("\n");
}
