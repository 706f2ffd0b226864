/**
 * Which probe files a command works on, and loading them: every file in probes/, or the paths
 * given (files or folders, anywhere on disk, so drafts can be checked and run before they go
 * live), or the files changed since git HEAD.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { probeFiles } from "../generate-probe-registry.ts";
import { ROOT } from "../local/project-root.ts";

export class ProbeFileError extends Error {}

const isProbeFile = (name: string) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.startsWith("_");

/** Absolute paths of every probes/*.ts file. */
export function liveProbeFiles(root = ROOT): string[] {
  return probeFiles(root).map((f) => join(root, "probes", f));
}

/** Absolute paths of the given files and folders (a folder means its *.ts files). */
export function resolveProbePaths(paths: string[], cwd = process.cwd()): string[] {
  const files = new Set<string>();
  for (const path of paths) {
    const abs = resolve(cwd, path);
    if (!existsSync(abs)) throw new ProbeFileError(`${path}: no such file or folder`);
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).filter(isProbeFile).sort()) files.add(join(abs, name));
    } else if (!abs.endsWith(".ts")) {
      throw new ProbeFileError(
        `${path}: not a TypeScript file (a probe is a .ts file whose default export is defineProbe({...}))`,
      );
    } else {
      files.add(abs);
    }
  }
  return [...files];
}

/**
 * Probe files changed since git HEAD: modified, added or untracked .ts files anywhere in the
 * repository that call defineProbe (drafts included).
 */
export function changedProbeFiles(root = ROOT): string[] {
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: root, encoding: "utf8" }).split("\n").filter(Boolean);
  const top = git("rev-parse", "--show-toplevel")[0]!;
  const names = new Set([...git("diff", "--name-only", "HEAD"), ...git("ls-files", "--others", "--exclude-standard")]);
  return [...names]
    .map((name) => join(top, name))
    .filter(
      (abs) =>
        isProbeFile(abs.split("/").pop()!) &&
        existsSync(abs) &&
        !abs.includes("/node_modules/") &&
        /\bdefineProbe\s*\(/.test(readFileSync(abs, "utf8")),
    )
    .sort();
}

/** How a file is named in messages and in the registry: "probes/x.ts" inside the project, else as given. */
function displayName(abs: string, root = ROOT): string {
  const rel = relative(root, abs);
  return rel.startsWith("..") || isAbsolute(rel) ? abs : rel;
}

interface ImportedProbe {
  abs: string;
  file: string;
  definition?: unknown;
  error?: string;
}

/** Imports each file (a fresh copy each time, so a changed file is read again). */
export async function importProbeFiles(files: string[], root = ROOT): Promise<ImportedProbe[]> {
  const out: ImportedProbe[] = [];
  for (const abs of files) {
    const file = displayName(abs, root);
    try {
      const url = `${pathToFileURL(abs).href}?t=${statSync(abs).mtimeMs}`;
      const mod = (await import(url)) as { default?: unknown };
      out.push({ abs, file, definition: mod.default });
    } catch (error) {
      out.push({ abs, file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return out;
}
