/**
 * The values a probe sees as {{env:NAME}} and {{secret:NAME}} when QA runs it locally:
 * wrangler.toml [vars], then .dev.vars, then the shell's environment (later wins).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";

export function parseDevVars(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith("#")) continue;
    const raw = match[2]!;
    values[match[1]!] = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return values;
}

/** The names of wrangler.toml [vars]: the only public values; .dev.vars and the shell hold secrets. */
export function localVarNames(root: string): string[] {
  return Object.keys(unstable_readConfig({ config: join(root, "wrangler.toml") }).vars ?? {});
}

export function localValues(root: string): Record<string, string> {
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  const vars: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.vars ?? {})) if (typeof value === "string") vars[name] = value;
  const devVarsFile = join(root, ".dev.vars");
  const devVars = existsSync(devVarsFile) ? parseDevVars(readFileSync(devVarsFile, "utf8")) : {};
  const shell: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (/^[A-Z][A-Z0-9_]*$/.test(name) && value !== undefined) shell[name] = value;
  return { ...vars, ...devVars, ...shell };
}
