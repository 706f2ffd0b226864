/**
 * The local probe network: local D1 with migrations applied, the demo shop, the Worker under
 * `wrangler dev`, and a cron driver that fires wrangler.toml's crons on every minute boundary
 * exactly like production (crons never fire on their own locally). `npm start` and the browser
 * tests both use it.
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { unstable_readConfig } from "wrangler";
import { cronMatches, parseCron, type Cron } from "../../src/schedule/cron.ts";
import { DEMO_PASSWORD } from "../demo-target/shop.ts";
import { startBrowserService, type BrowserService } from "./browser-service.ts";
import { CHROMIUM_INSTALL_HINT, findChromium } from "./chromium.ts";
import { startWebhookReceiver, type RunningReceiver } from "../demo-target/webhook-receiver.ts";
import { writeRegistry } from "../generate-probe-registry.ts";
import { parseDevVars } from "../cli/local-values.ts";
import { watchProbes } from "./probe-watch.ts";
import { freePort } from "./ports.ts";
import { runToCompletion, startChild, type Child } from "./processes.ts";

export { ROOT } from "./project-root.ts";
import { ROOT } from "./project-root.ts";
import { generateHeartbeatSecret } from "../../src/auth/heartbeat-secret.ts";
import { setSecretSql } from "../../src/storage/heartbeat-store.ts";
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/** Quiet and offline: no telemetry, no Request.cf download. Never in .env: wrangler would bind it. */
export const OFFLINE_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

interface LocalNetworkOptions {
  /** The project to run (default this one; the fleet benchmark runs a generated copy). */
  root?: string;
  /** Extra Worker vars, e.g. { AFTERLIFE_PLAN: "free" }. */
  vars?: Record<string, string>;
  /** Folder of the local D1 state (default .wrangler/state, kept between starts). */
  persistTo?: string;
  workerPort?: number;
  shopPort?: number;
  /** Fire the crons on every minute boundary (default true). */
  cronDriver?: boolean;
  log?: (line: string) => void;
  /** Run browser probes in the machine's Chromium when there is one (default true). */
  browsers?: boolean;
  /** Called when wrangler dev cannot be kept running: the caller should exit non-zero. */
  onFatal?: (reason: string) => void;
}

/** wrangler dev restarts allowed in 10 minutes before the runner gives up. */
const MAX_RESTARTS = 3;

export interface LocalNetwork {
  workerUrl: string;
  /** The local browser service, or undefined when no Chromium was found (browser probes then have no data). */
  browserServiceUrl: string | undefined;
  shopUrl: string;
  /** Where the probes' SHOP_URL points: the demo shop, or your own target (--var SHOP_URL=...). */
  targetUrl: string;
  /** A local webhook receiver wired in as the "local" notification channel. */
  receiver: RunningReceiver;
  crons: string[];
  /** Fires every cron of wrangler.toml that matches the minute of `time`, and waits for it. */
  fireTick(time: number): Promise<void>;
  stopShop(): Promise<void>;
  startShop(): Promise<void>;
  /** Process ids of the children (each leads its own process group). */
  childPids(): number[];
  workerPid(): number | undefined;
  stop(): Promise<void>;
}

/** Makes sure .dev.vars has the demo shop's password as the SHOP_PASSWORD secret; returns it. */
export function ensureDevVars(root = ROOT): string {
  const file = join(root, ".dev.vars");
  const current = existsSync(file) ? readFileSync(file, "utf8") : "";
  const match = /^SHOP_PASSWORD\s*=\s*"?([^"\n]*)"?\s*$/m.exec(current);
  if (match?.[1]) return match[1];
  const line = `# Local secrets for wrangler dev (never committed). Production: npx wrangler secret put SHOP_PASSWORD\nSHOP_PASSWORD="${DEMO_PASSWORD}"\n`;
  if (current) appendFileSync(file, `\n${line}`);
  else writeFileSync(file, line);
  return DEMO_PASSWORD;
}

function readCrons(root = ROOT): string[] {
  const config = unstable_readConfig({ config: join(root, "wrangler.toml") });
  return config.triggers?.crons ?? [];
}

async function waitForHealth(url: string, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${child.name} exited before it became ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** What the Worker reads from .dev.vars in `root` (wrangler binds those entries too). */
function devVarNames(root: string): Set<string> {
  const file = join(root, ".dev.vars");
  return new Set(existsSync(file) ? Object.keys(parseDevVars(readFileSync(file, "utf8"))) : []);
}

export async function startLocalNetwork(options: LocalNetworkOptions = {}): Promise<LocalNetwork> {
  const log = options.log ?? (() => {});
  const root = options.root ?? ROOT;
  const userVars = options.vars ?? {};
  const persistArgs = options.persistTo ? ["--persist-to", options.persistTo] : [];
  const password = ensureDevVars(root);
  // Only good probe files go into the Worker: a bad one is reported, the others keep running.
  const probeWatch = watchProbes(root, (block) => log(`probes ${block}`));
  const firstCheck = await probeWatch.check();
  writeRegistry(
    root,
    firstCheck.loaded.map((p) => p.file.slice("probes/".length)),
  );

  log("applying D1 migrations to the local database…");
  await runToCompletion(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", ...persistArgs], {
    cwd: root,
    env: { ...OFFLINE_ENV, CI: "true" },
  });

  // The heartbeats' jobs are played by this process: a fresh secret each start, a ping at the
  // first tick and every hour after, so they are green locally (their periods are longer).
  const heartbeatSecrets = new Map<string, string>();
  for (const { probe } of firstCheck.loaded.filter((p) => p.probe.kind === "heartbeat"))
    heartbeatSecrets.set(probe.id, "");
  if (heartbeatSecrets.size) {
    const statements: string[] = [];
    for (const id of heartbeatSecrets.keys()) {
      const { secret, secretHash } = await generateHeartbeatSecret();
      heartbeatSecrets.set(id, secret);
      statements.push(setSecretSql(id, secretHash, Date.now()));
    }
    await runToCompletion(
      WRANGLER,
      ["d1", "execute", "DB", "--local", ...persistArgs, "--command", statements.join(";\n")],
      { cwd: root, env: { ...OFFLINE_ENV, CI: "true" } },
    );
  }

  const shopPort = options.shopPort ?? (await freePort(8790));
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  let shop: Child | undefined;
  const startShop = async () => {
    shop = startChild(
      "demo shop",
      process.execPath,
      [join(ROOT, "scripts/demo-target/main.ts"), "--port", String(shopPort), "--password", password],
      {
        cwd: ROOT,
        onOutput: (line) => log(`[shop] ${line}`),
      },
    );
    await waitForHealth(`${shopUrl}/health`, shop, 15_000);
  };
  await startShop();

  // Browser probes run in the machine's Chromium through the browser service; without one they
  // are left out of the ticks (no data), said once here, and everything else runs.
  let browsers: BrowserService | undefined;
  if (options.browsers !== false) {
    const chromiumPath = findChromium();
    if (chromiumPath) {
      browsers = await startBrowserService({ root, chromiumPath, log: (line) => log(`[browser] ${line}`) });
      log(`browser probes run in ${chromiumPath} (browser service ${browsers.url})`);
    } else {
      log(
        `warning: no Chromium found, so browser probes are left out (not run, not on the page); HTTP probes run as usual. To run them, ${CHROMIUM_INSTALL_HINT}, then npm start again.`,
      );
    }
  }

  // Notices of the local network go to a receiver on loopback, so alerting can be watched too.
  const receiver = await startWebhookReceiver({ log: (line) => log(line) });
  const channels = JSON.stringify([
    { name: "local", type: "webhook", url: `${receiver.url}/hook`, secretName: "LOCAL_HOOK_KEY" },
  ]);

  // The demo shop is the default target; --var SHOP_URL=... or SHOP_URL in .dev.vars points the probes elsewhere.
  const fromDevVars = devVarNames(root);
  const defaults: Record<string, string> = {
    AFTERLIFE_ENV: "local",
    SHOP_URL: shopUrl,
    NOTIFY_CHANNELS: channels,
    LOCAL_HOOK_KEY: "local-demo-signing-key",
    ...(browsers ? { AFTERLIFE_BROWSER_URL: browsers.url } : {}),
  };
  const vars = {
    ...Object.fromEntries(
      Object.entries(defaults).filter(([name]) => !fromDevVars.has(name) || name === "AFTERLIFE_ENV"),
    ),
    ...userVars,
  };
  const targetUrl = vars.SHOP_URL ?? "(SHOP_URL from .dev.vars)";

  const workerPort = options.workerPort ?? (await freePort(8787));
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const varArgs = Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  // wrangler's last lines, to say why it stopped.
  const recent: string[] = [];
  let worker: Child | undefined;
  let workerReady = false;
  let stopped = false;
  const restarts: number[] = [];

  const launchWorker = async () => {
    workerReady = false;
    const child = startChild(
      "wrangler dev",
      WRANGLER,
      [
        "dev",
        "--ip",
        "127.0.0.1",
        "--port",
        String(workerPort),
        "--show-interactive-dev-session=false",
        ...varArgs,
        ...persistArgs,
      ],
      {
        cwd: root,
        env: { ...OFFLINE_ENV, AFTERLIFE_KEEP_GOOD_PROBES: "1" },
        onOutput: (line) => {
          recent.push(line);
          if (recent.length > 30) recent.shift();
          log(`[worker] ${line}`);
        },
      },
    );
    worker = child;
    await waitForHealth(`${workerUrl}/api/v1/health`, child, 90_000);
    workerReady = true;
    void child.exited.then((code) => onWorkerExit(child, code));
  };

  const onWorkerExit = (child: Child, code: number | null) => {
    if (stopped || child !== worker) return;
    workerReady = false;
    // workerd may outlive wrangler in its process group, holding the port: end the group.
    try {
      if (child.process.pid !== undefined) process.kill(-child.process.pid, "SIGKILL");
    } catch {
      // already gone
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0]! < now - 10 * 60_000) restarts.shift();
    const why = recent
      .filter((l) => l.trim())
      .slice(-12)
      .map((l) => `    ${l}`)
      .join("\n");
    log(
      `error: wrangler dev exited (${code === null ? "killed by a signal" : `code ${code}`}). Its last lines:\n${why}`,
    );
    if (restarts.length > MAX_RESTARTS) {
      log(
        `error: wrangler dev stopped ${restarts.length} times in 10 minutes; giving up (fix the problem above, then npm start again)`,
      );
      options.onFatal?.(`wrangler dev keeps exiting (code ${code})`);
      return;
    }
    log(`restarting wrangler dev (${restarts.length} of ${MAX_RESTARTS} restarts allowed in 10 minutes)…`);
    launchWorker().then(
      () => log(`wrangler dev is back on ${workerUrl}`),
      (error: unknown) => {
        log(`error: wrangler dev did not come back: ${error instanceof Error ? error.message : String(error)}`);
        options.onFatal?.("wrangler dev did not come back");
      },
    );
  };

  try {
    await launchWorker();
  } catch (error) {
    stopped = true;
    probeWatch.close();
    await worker?.stop();
    await shop?.stop();
    await receiver.close();
    await browsers?.close();
    const why = recent
      .filter((l) => l.trim())
      .slice(-12)
      .join("\n");
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}${why ? `; wrangler's last lines:\n${why}` : ""}`,
    );
  }

  const crons = readCrons(root);
  const parsed: Cron[] = crons.map(parseCron);
  let pinged = false;
  const pingHeartbeats = async (time: number) => {
    if (pinged && time % 3_600_000 !== 0) return;
    pinged = true;
    for (const [id, secret] of heartbeatSecrets) {
      const res = await fetch(`${workerUrl}/hb/${id}`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}` },
      });
      await res.arrayBuffer();
      log(`heartbeat ${id} pinged: ${res.status}`);
    }
  };
  const fireTick = async (time: number) => {
    await pingHeartbeats(time).catch((error: unknown) => log(`error: heartbeat ping failed: ${String(error)}`));
    for (const cron of parsed.filter((c) => cronMatches(c, time))) {
      const url = `${workerUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron.source)}&time=${time}`;
      const res = await fetch(url);
      await res.arrayBuffer();
      log(`tick ${new Date(time).toISOString()} (${cron.source}): ${res.status}`);
    }
  };
  const tick = (time: number) => {
    if (!workerReady) {
      log(`tick ${new Date(time).toISOString()} skipped: wrangler dev is not running (see above)`);
      return;
    }
    fireTick(time).catch((error: unknown) => {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      log(
        `error: tick ${new Date(time).toISOString()} failed: wrangler dev on ${workerUrl} did not answer (${String(error)}${cause})`,
      );
    });
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.cronDriver !== false) {
    const scheduleNext = () => {
      const now = Date.now();
      const next = Math.floor(now / 60_000) * 60_000 + 60_000;
      timer = setTimeout(() => {
        if (stopped) return;
        scheduleNext();
        tick(next);
      }, next - now);
    };
    scheduleNext();
    // The current minute's tick, delivered late (as production may): the first runs arrive now.
    tick(Math.floor(Date.now() / 60_000) * 60_000);
  }

  return {
    workerUrl,
    browserServiceUrl: browsers?.url,
    shopUrl,
    targetUrl,
    receiver,
    crons,
    fireTick,
    startShop,
    stopShop: async () => {
      await shop?.stop();
      shop = undefined;
    },
    childPids: () => [worker?.process.pid, shop?.process.pid].filter((p): p is number => p !== undefined),
    workerPid: () => worker?.process.pid,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      probeWatch.close();
      await Promise.all([worker?.stop(), shop?.stop(), receiver.close(), browsers?.close()]);
    },
  };
}
