/**
 * Finds, before any run, the placeholders that would fail at run time: a `{{variable}}` that no
 * earlier step defines, an `{{env:NAME}}` or `{{secret:NAME}}` (or `ctx.env`/`ctx.secret`) with
 * no value, an unknown `{{$built-in}}`. Reads the raw definition, so it works on any probe the
 * schema may still reject.
 *
 * @example
 * lintTemplates(definition, { valueNames: new Set(["SHOP_URL"]), varNames: new Set() })
 * // [{ at: ["steps", 2, "headers", "authorization"], needle: "{{authTokn}}",
 * //    message: "variable {{authTokn}} is not defined by an earlier step; did you mean {{authToken}}?" }]
 */
import { didYouMean } from "./did-you-mean.ts";

interface TemplateProblem {
  at: (string | number)[];
  /** The text the problem is about, to point at it in the source. */
  needle: string;
  message: string;
}

interface TemplateLintContext {
  /** Names that have a value: wrangler.toml [vars], .dev.vars, the shell's environment. */
  valueNames: ReadonlySet<string>;
  /** Names that hold public values (wrangler.toml [vars]), for the wording of the fix. */
  publicNames?: ReadonlySet<string>;
  /** Variables given from outside (`--var name=value`). */
  varNames: ReadonlySet<string>;
}

const BUILTINS = ["$runId", "$region", "$timestamp", "$isoTimestamp", "$randomId"];
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Every string inside a value with its path (object keys and array indexes). */
function stringsIn(value: unknown, at: (string | number)[]): { at: (string | number)[]; text: string }[] {
  if (typeof value === "string") return [{ at, text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, [...at, i]));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => stringsIn(v, [...at, k]));
  return [];
}

/** The variables a script step sets (`ctx.vars.name = ...`, `vars["name"] = ...`); null when it may set any. */
function scriptSets(source: string): string[] | null {
  const names = [
    ...source.matchAll(/\bvars\.([A-Za-z_$][\w$]*)\s*=(?!=)/g),
    ...source.matchAll(/\bvars\[\s*["'`]([^"'`]+)["'`]\s*\]\s*=(?!=)/g),
  ].map((m) => m[1]!);
  if (/\bvars\[(?!\s*["'`])/.test(source) || /Object\.assign\(\s*(?:ctx\.)?vars\b/.test(source)) return null;
  return names;
}

export function lintTemplates(raw: unknown, context: TemplateLintContext): TemplateProblem[] {
  if (!isRecord(raw)) return [];
  const problems: TemplateProblem[] = [];
  const steps = Array.isArray(raw.steps) ? raw.steps : [];
  const defined = new Set(context.varNames);
  let anyVariable = false;
  const definedLater = (from: number, name: string) =>
    steps
      .slice(from)
      .find(
        (s: unknown) =>
          isRecord(s) &&
          ((isRecord(s.extract) && name in s.extract) ||
            (typeof s.script === "function" && scriptSets(String(s.script))?.includes(name))),
      );

  const missingValue = (kind: "env" | "secret", name: string): string => {
    if (kind === "secret")
      return `secret '${name}' has no value here: add ${name}="..." to .dev.vars (or export it), and \`npx wrangler secret put ${name}\` for production`;
    return `env var '${name}' has no value here: add ${name} = "..." to [vars] in wrangler.toml (or to .dev.vars if it is a secret)`;
  };

  const check = (text: string, at: (string | number)[], stepIndex: number) => {
    for (const match of text.matchAll(PLACEHOLDER)) {
      const expression = match[1]!;
      const needle = match[0];
      const colon = /^(env|secret):(.*)$/.exec(expression);
      if (colon) {
        const name = colon[2]!;
        if (!context.valueNames.has(name)) {
          const guess = didYouMean(name, context.valueNames);
          problems.push({
            at,
            needle,
            message: missingValue(colon[1] as "env" | "secret", name) + (guess ? `; did you mean ${guess}?` : ""),
          });
        }
        continue;
      }
      if (expression.startsWith("$")) {
        if (!BUILTINS.includes(expression)) {
          const guess = didYouMean(expression, BUILTINS);
          problems.push({
            at,
            needle,
            message: `unknown built-in {{${expression}}}${guess ? `; did you mean {{${guess}}}?` : ""}; the built-ins are ${BUILTINS.map((b) => `{{${b}}}`).join(" ")}`,
          });
        }
        continue;
      }
      if (anyVariable || defined.has(expression)) continue;
      const guess = didYouMean(expression, defined);
      const later = definedLater(stepIndex + 1, expression) as { name?: unknown } | undefined;
      const where =
        later !== undefined
          ? `; step '${String(later.name)}' defines it, but runs after this one`
          : guess
            ? `; did you mean {{${guess}}}?`
            : defined.size
              ? ` (defined so far: ${[...defined].join(", ")})`
              : "";
      problems.push({
        at,
        needle,
        message: `variable {{${expression}}} is not defined by an earlier step${where} (or pass --var ${expression}=...)`,
      });
    }
  };

  if (typeof raw.baseUrl === "string") check(raw.baseUrl, ["baseUrl"], -1);
  steps.forEach((step: unknown, i) => {
    if (!isRecord(step)) return;
    if (typeof step.script === "function") {
      const source = String(step.script);
      check(source, ["steps", i], i);
      for (const m of source.matchAll(/\bctx\.(env|secret)\(\s*["'`]([A-Za-z_][A-Za-z0-9_]*)["'`]\s*\)/g)) {
        if (!context.valueNames.has(m[2]!))
          problems.push({ at: ["steps", i], needle: m[0], message: missingValue(m[1] as "env" | "secret", m[2]!) });
      }
      const sets = scriptSets(source);
      if (sets === null) anyVariable = true;
      else for (const name of sets) defined.add(name);
      return;
    }
    for (const field of ["url", "headers", "query", "body"] as const)
      for (const s of stringsIn(step[field], ["steps", i, field])) check(s.text, s.at, i);
    if (isRecord(step.extract)) for (const name of Object.keys(step.extract)) defined.add(name);
  });
  return problems;
}
