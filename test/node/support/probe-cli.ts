/** Runs the probe CLI as QA does: a real process, the project's Node, the real runner. */
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../../scripts/local/project-root.ts";

interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

export function probeCli(args: string[], env: Record<string, string> = {}, cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, "scripts/cli/probe.ts"), ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 110_000,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/**
 * The same, without blocking this process: for tests whose target (a demo shop) runs in the
 * test process itself and must keep answering while the command runs.
 */
export function runAsync(command: string, args: string[], env: Record<string, string>, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out, err }));
  });
}

export function probeCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runAsync(process.execPath, [join(ROOT, "scripts/cli/probe.ts"), ...args], {
    ...(process.env as Record<string, string>),
    ...env,
  });
}
