/**
 * Shared by the benchmarks that run the project under `wrangler dev` (fleet.ts, api.ts, page.ts,
 * step-timing-vs-curl.ts): a temporary copy of the project with its own generated probes/
 * folder and migrated local D1, the local network started on it (its log lines, the dispatcher's
 * tick lines, the demo shop's fault knob), a D1-only wrangler config for getPlatformProxy on the
 * same persisted database, and the database's SQLite file. The temp dir is always removed.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { getPlatformProxy, unstable_readConfig } from "wrangler";
import { loadRegistry, type LoadedProbe, type ProbeModule } from "../../src/probe/registry.ts";
import type { TickReport } from "../../src/schedule/dispatch-tick.ts";
import { OFFLINE_ENV, startLocalNetwork, type LocalNetwork } from "../local/local-network.ts";
import { freePort } from "../local/ports.ts";
import { runToCompletion } from "../local/processes.ts";

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The regions every generated benchmark probe runs in. */
export const BENCH_REGIONS = ["weur", "enam", "apac", "wnam", "eeur"] as const;

// ---------------------------------------------------------------- the temporary project

/** The source of one probes/*.ts file that default-exports `definition` (plain data). */
export function probeModuleSource(definition: object): string {
  return `import { defineProbe } from "../src/probe/define-probe.ts";\n\nexport default defineProbe(${JSON.stringify(definition, null, 2)});\n`;
}

/**
 * A copy of the project that wrangler can build and run, whose probes/ folder holds only the
 * given files (name -> source). src/generated is left out: startLocalNetwork regenerates it.
 */
export function makeTempProject(root: string, probes: ReadonlyMap<string, string>): void {
  mkdirSync(root, { recursive: true });
  const generated = join(PROJECT_ROOT, "src", "generated");
  cpSync(join(PROJECT_ROOT, "src"), join(root, "src"), {
    recursive: true,
    filter: (source) => source !== generated && !source.startsWith(generated + "/"),
  });
  cpSync(join(PROJECT_ROOT, "migrations"), join(root, "migrations"), { recursive: true });
  for (const file of ["wrangler.toml", "package.json", "tsconfig.json", "scripts/generate-probe-registry.ts"]) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    cpSync(join(PROJECT_ROOT, file), join(root, file));
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  mkdirSync(join(root, "probes"));
  for (const [file, source] of probes) writeFileSync(join(root, "probes", file), source);
}

/** A temporary project whose probes/ folder holds `count` generated probes, <id>.ts each (i from 1). */
export function makeGeneratedProject(
  root: string,
  count: number,
  probeId: (i: number) => string,
  probeSource: (i: number) => string,
): void {
  makeTempProject(root, new Map(Array.from({ length: count }, (_, k) => [`${probeId(k + 1)}.ts`, probeSource(k + 1)])));
}

/** The probes as the Worker loads them: the files of root/probes imported and validated by loadRegistry. */
export async function loadProjectProbes(root: string): Promise<LoadedProbe[]> {
  const files = readdirSync(join(root, "probes"))
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const modules: ProbeModule[] = await Promise.all(
    files.map(async (f) => ({
      file: `probes/${f}`,
      definition: ((await import(pathToFileURL(join(root, "probes", f)).href)) as { default: unknown }).default,
    })),
  );
  return loadRegistry(modules);
}

// ---------------------------------------------------------------- the local D1

/** Applies the project's D1 migrations to the local database persisted under persistTo. */
export async function applyMigrations(root: string, persistTo: string): Promise<void> {
  const wrangler = join(PROJECT_ROOT, "node_modules", ".bin", "wrangler");
  await runToCompletion(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], {
    cwd: root,
    env: { ...OFFLINE_ENV, CI: "true" },
  });
}

/** A wrangler config with only the D1 binding (same database id), so the proxy starts no Durable Objects. */
export function writeD1OnlyConfig(root: string, dir: string, name = "afterlife-bench-d1"): string {
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  const db = config.d1_databases.find((d: { binding: string }) => d.binding === "DB");
  if (!db) throw new Error("wrangler.toml has no D1 binding DB");
  const lines = [
    `name = "${name}"`,
    `compatibility_date = "${config.compatibility_date}"`,
    `[[d1_databases]]`,
    `binding = "DB"`,
    `database_name = "${db.database_name}"`,
    `database_id = "${db.database_id}"`,
    ...(db.preview_database_id ? [`preview_database_id = "${db.preview_database_id}"`] : []),
    ...(db.migrations_dir ? [`migrations_dir = "${db.migrations_dir}"`] : []),
  ];
  const file = join(dir, "d1-only.wrangler.toml");
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

/** A local D1 binding (full meta: rows_read, duration) on the database persisted under persistTo. */
export async function openLocalD1(
  configPath: string,
  persistTo: string,
): Promise<{ db: D1Database; dispose(): Promise<void> }> {
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath,
    persist: { path: join(persistTo, "v3") },
    remoteBindings: false,
    envFiles: [],
  });
  return { db: proxy.env.DB, dispose: () => proxy.dispose() };
}

/** The local D1 database's SQLite file (plain SQLite; open it only while no workerd has it open). */
export function d1File(persistTo: string): string {
  const dir = join(persistTo, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1)
    throw new Error(`expected one D1 database file in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0]!);
}

// ---------------------------------------------------------------- the local network

/** Free ports for the Worker and the demo shop: base (or the next free one), base + 3 or above. */
export async function freePorts(base: number): Promise<{ workerPort: number; shopPort: number }> {
  const workerPort = await freePort(base);
  const shopPort = await freePort(Math.max(base + 3, workerPort + 1));
  return { workerPort, shopPort };
}

/** The dispatcher's `{"event":"tick",...}` log line. */
export type TickLine = Omit<TickReport, "outcomes">;

/** The local network's log: the last `keep` lines (for a failure), echoed when verbose, and the tick lines. */
export class NetworkLog {
  private readonly lines = new Map<number, TickLine>();
  private readonly waiters = new Map<number, (line: TickLine) => void>();
  readonly recent: string[] = [];
  /** Called with every line (e.g. to collect other structured lines than the tick's). */
  readonly listeners: ((line: string) => void)[] = [];
  private readonly verbose: boolean;
  private readonly keep: number;
  constructor(verbose = false, keep = 60) {
    this.verbose = verbose;
    this.keep = keep;
  }

  readonly log = (line: string): void => {
    if (this.verbose) console.error(line);
    this.recent.push(line);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const listener of this.listeners) listener(line);
    const at = line.indexOf('{"event":"tick"');
    if (at < 0) return;
    try {
      const parsed = JSON.parse(line.slice(at)) as TickLine & { event: string };
      this.lines.set(parsed.slotAt, parsed);
      this.waiters.get(parsed.slotAt)?.(parsed);
    } catch {
      // a line cut in two by the pipe; the tick shows as "no line"
    }
  };

  /** The tick line of slotAt, waiting up to `ms` for it; undefined if none came. */
  async waitForTick(slotAt: number, ms: number): Promise<TickLine | undefined> {
    const known = this.lines.get(slotAt);
    if (known) return known;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.lines.get(slotAt)), ms);
      this.waiters.set(slotAt, (line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  }

  printRecent(): void {
    if (this.recent.length) console.error(`last lines of the local network:\n${this.recent.join("\n")}`);
  }
}

/** The demo shop's fault knob: POST one fault, or DELETE them all. */
export async function shopFaults(
  shopUrl: string,
  method: "POST" | "DELETE",
  fault?: { path: string; delayMs: number },
  timeoutMs = 15_000,
): Promise<void> {
  const res = await fetch(`${shopUrl}/_control/faults`, {
    method,
    headers: { "content-type": "application/json" },
    ...(fault ? { body: JSON.stringify(fault) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${method} /_control/faults answered ${res.status}`);
}

/**
 * One benchmark run in a fresh temp dir (project/ for the copy, state/ for the persisted local
 * state): `run` prints the network's last log lines on a failure, and always stops the network
 * and removes the temp dir.
 */
export class TempRun {
  readonly temp: string;
  readonly root: string;
  readonly persistTo: string;
  readonly networkLog: NetworkLog;
  private network: LocalNetwork | undefined;

  constructor(prefix: string, networkLog: NetworkLog) {
    this.temp = mkdtempSync(join(tmpdir(), prefix));
    this.root = join(this.temp, "project");
    this.persistTo = join(this.temp, "state");
    this.networkLog = networkLog;
  }

  /**
   * `wrangler dev` on the copy with the paid plan's limits and the demo shop, no cron driver, and
   * the edge cache off unless `vars` say otherwise: the benches time and count renders, not
   * cached copies (bench:page measures both).
   */
  async startNetwork(basePort: number, vars: Record<string, string> = {}): Promise<LocalNetwork> {
    const { workerPort, shopPort } = await freePorts(basePort);
    this.network = await startLocalNetwork({
      root: this.root,
      persistTo: this.persistTo,
      cronDriver: false,
      workerPort,
      shopPort,
      vars: { AFTERLIFE_PLAN: "paid", PUBLIC_CACHE_SECONDS: "0", ...vars },
      log: this.networkLog.log,
    });
    return this.network;
  }

  async stopNetwork(): Promise<void> {
    await this.network?.stop();
    this.network = undefined;
  }

  /** Runs body; `release` (before the network stops) frees what the body's measuring held. */
  async run(body: () => Promise<void>, release?: () => void): Promise<void> {
    try {
      await body();
    } catch (error) {
      this.networkLog.printRecent();
      throw error;
    } finally {
      release?.();
      if (this.network) await this.network.stop().catch(() => {});
      if (existsSync(this.temp)) rmSync(this.temp, { recursive: true, force: true });
    }
  }
}
