/**
 * `{{...}}` templating for step URLs, headers, query and bodies.
 *
 *   {{name}}           a variable: extracted by an earlier step, set by a script, or --var
 *   {{env:NAME}}       a Worker var (wrangler.toml [vars]); any other binding read this way is a
 *                      secret, and redacted like one
 *   {{secret:NAME}}    a Worker secret; its value is redacted from everything the run records
 *   {{$runId}} {{$timestamp}} {{$isoTimestamp}} {{$randomId}} {{$region}}   built-ins
 */

export interface TemplateScope {
  vars: Readonly<Record<string, string>>;
  /** String bindings of the Worker (vars and secrets). */
  values: Readonly<Record<string, string>>;
  builtins: { runId: string; region: string; now: () => number; randomId: () => string };
  /** False only for public values (wrangler.toml [vars]); every other binding is a secret. */
  isSecret: (name: string) => boolean;
  /** Called with each secret a template resolves, however it was named, so the run can redact its value. */
  onSecret: (name: string, value: string) => void;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Replaces every placeholder or throws TemplateError naming the missing one and how to supply it. */
export function renderTemplate(text: string, scope: TemplateScope): string {
  return text.replace(PLACEHOLDER, (_match, expression: string) => resolve(expression, scope));
}

function resolve(expression: string, scope: TemplateScope): string {
  if (expression.startsWith("secret:")) {
    const name = expression.slice("secret:".length);
    const value = scope.values[name];
    if (value === undefined) {
      throw new TemplateError(
        `secret '${name}' is not set: add it with \`npx wrangler secret put ${name}\` (or to .dev.vars locally)`,
      );
    }
    scope.onSecret(name, value);
    return value;
  }
  if (expression.startsWith("env:")) {
    const name = expression.slice("env:".length);
    const value = scope.values[name];
    if (value === undefined) throw new TemplateError(`env var '${name}' is not set: add it to [vars] in wrangler.toml`);
    // A secret read as {{env:}} is still a secret: the name does not decide, the source does.
    if (scope.isSecret(name)) scope.onSecret(name, value);
    return value;
  }
  if (expression.startsWith("$")) {
    switch (expression) {
      case "$runId":
        return scope.builtins.runId;
      case "$region":
        return scope.builtins.region;
      case "$timestamp":
        return String(scope.builtins.now());
      case "$isoTimestamp":
        return new Date(scope.builtins.now()).toISOString();
      case "$randomId":
        return scope.builtins.randomId();
      default:
        throw new TemplateError(
          `unknown built-in {{${expression}}}; use $runId, $region, $timestamp, $isoTimestamp or $randomId`,
        );
    }
  }
  const value = scope.vars[expression];
  if (value === undefined) {
    const known = Object.keys(scope.vars);
    throw new TemplateError(
      `variable {{${expression}}} is not defined yet; extract it in an earlier step, set it in a script, or pass --var ${expression}=...` +
        (known.length ? ` (defined: ${known.join(", ")})` : ""),
    );
  }
  return value;
}

/**
 * Names of the secrets a piece of probe data references, as {{secret:}} or as {{env:}} of a
 * binding that is not public, to redact them before the first request.
 */
export function referencedSecrets(data: unknown, isSecret: (name: string) => boolean = () => true): string[] {
  const names = new Set<string>();
  const json = JSON.stringify(data) ?? "";
  for (const match of json.matchAll(/\{\{\s*(secret|env):([^{}\s]+)\s*\}\}/g))
    if (match[1] === "secret" || isSecret(match[2]!)) names.add(match[2]!);
  return [...names];
}
