/**
 * `npm start` as QA runs it, on a copy of the project: a bad probe added while it runs leaves the
 * other probes running and is reported (file:line:col, field, expected) in one block; fixing
 * and removing files changes the set without a restart; SIGTERM sent to the npm process ends
 * every process it started.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempProject } from "../../scripts/bench/temp-project.ts";
import { ROOT } from "../../scripts/local/project-root.ts";

/** Every process descending from `pid` (by parent id in /proc), children first. */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const visit = (p: number) => {
    for (const [child, parent] of parents)
      if (parent === p) {
        out.push(child);
        visit(child);
      }
  };
  visit(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const probeSource = (id: string, extra = "") =>
  `import { check, defineProbe } from "../src/probe/define-probe.ts";\n\nexport default defineProbe({\n  id: "${id}",\n  name: "${id}",\n${extra}  baseUrl: "{{env:SHOP_URL}}",\n  steps: [{ name: "home", url: "/", assert: [check.body().contains("Demo Shop")] }],\n});\n`;

describe("npm start supervises its probes and its children", () => {
  let root: string;
  let npm: ChildProcess;
  let output = "";
  let workerUrl: string;

  const probeIds = async () => {
    const res = await fetch(`${workerUrl}/api/v1/probes`).catch(() => undefined);
    if (!res?.ok) return undefined;
    return ((await res.json()) as { probes: { id: string }[] }).probes.map((p) => p.id).sort();
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "afterlife-start-"));
    makeTempProject(
      root,
      new Map([
        ["alpha.ts", probeSource("alpha")],
        ["beta.ts", probeSource("beta")],
      ]),
    );
    cpSync(join(ROOT, "scripts"), join(root, "scripts"), { recursive: true });
    npm = spawn("npm", ["start"], {
      cwd: root,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    npm.stdout!.on("data", (c: Buffer) => (output += c.toString()));
    npm.stderr!.on("data", (c: Buffer) => (output += c.toString()));
    workerUrl = await until(
      "npm start to be ready",
      () => /Status page\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output)?.[1],
      150_000,
    );
  }, 180_000);

  afterAll(() => {
    if (npm.pid && alive(npm.pid)) for (const pid of [npm.pid, ...descendants(npm.pid)]) process.kill(pid, "SIGKILL");
    rmSync(root, { recursive: true, force: true });
  });

  it("keeps the other probes running when a bad one is added, reports it, and takes the full set back without a restart", async () => {
    expect(await probeIds()).toEqual(["alpha", "beta"]);
    const bad = join(root, "probes", "gamma.ts");
    writeFileSync(bad, probeSource("gamma", '  schedule: "3m",\n'));
    const block = await until(
      "the problem block",
      () => /probes\/gamma\.ts has problems[\s\S]*?Fix the file/.exec(output)?.[0],
    );
    expect(block).toContain("the other 2 probes keep running");
    expect(block).toContain('probes/gamma.ts:6:3  schedule: got "3m"; expected one of 1m, 2m, 5m, 10m, 15m, 30m, 1h');
    // The Worker still answers with the good probes, and a tick runs them.
    expect(await probeIds()).toEqual(["alpha", "beta"]);
    const tick = await fetch(
      `${workerUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent("* * * * *")}&time=${Math.floor(Date.now() / 60_000) * 60_000}`,
    );
    expect(tick.status).toBe(200);

    writeFileSync(bad, probeSource("gamma"));
    await until("gamma to load", async () => ((await probeIds())?.includes("gamma") ? true : undefined));
    expect(await probeIds()).toEqual(["alpha", "beta", "gamma"]);
    await until("the all-clear", () =>
      /probes\/ is valid again \(probes\/gamma\.ts fixed or removed\): all 3 probes run/.test(output)
        ? true
        : undefined,
    );

    unlinkSync(bad);
    await until("gamma to go", async () => ((await probeIds())?.length === 2 ? true : undefined));
    expect(await probeIds()).toEqual(["alpha", "beta"]);
    expect(output).not.toContain("restarting wrangler dev");
    expect(output.match(/\] ready in/g)).toHaveLength(1);
    expect(output).not.toMatch(/tick .* failed/);
  }, 180_000);

  it("says why when wrangler dev dies, restarts it, and the probes answer again", async () => {
    const wrangler = descendants(npm.pid!).find((pid) =>
      /wrangler-dist\/cli\.js\s+dev/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")),
    );
    expect(wrangler).toBeDefined();
    process.kill(wrangler!, "SIGKILL");
    await until("the restart", () => (/wrangler dev is back on/.test(output) ? true : undefined), 120_000);
    expect(output).toMatch(/error: wrangler dev exited \((code \d+|killed by a signal)\)\. Its last lines:/);
    expect(output).toContain("restarting wrangler dev (1 of 3 restarts allowed in 10 minutes)");
    expect(await probeIds()).toEqual(["alpha", "beta"]);
  }, 150_000);

  it("ends every process it started when the npm process gets SIGTERM", async () => {
    const children = descendants(npm.pid!);
    // npm, sh, the runner, the demo shop, wrangler and its workerd and esbuild.
    expect(children.length).toBeGreaterThanOrEqual(5);
    const exited = new Promise((resolve) => npm.once("exit", resolve));
    process.kill(npm.pid!, "SIGTERM");
    await exited;
    const left = await until(
      "every child to end",
      () => {
        const running = children.filter(alive);
        return running.length === 0 ? running : undefined;
      },
      60_000,
    );
    expect(left).toEqual([]);
    await until(
      "the worker port to close",
      async () =>
        (await fetch(workerUrl).then(
          () => false,
          () => true,
        ))
          ? true
          : undefined,
      30_000,
    );
  }, 120_000);
});
