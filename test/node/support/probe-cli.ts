/** Runs the probe CLI as QA does: a real process, the project's Node, the real runner. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../../scripts/local/project-root.ts";

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export function probeCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, "scripts/cli/probe.ts"), ...args], { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 110_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
