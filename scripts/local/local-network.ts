/**
 * The local probe network: local D1 with migrations applied, the demo shop, the Worker under
 * `wrangler dev`, and a cron driver that fires wrangler.toml's crons on every minute boundary
 * exactly like production (crons never fire on their own locally). `npm start` and the browser
 * tests both use it.
 */
import { existsSync, readFileSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { unstable_readConfig } from "wrangler";
import { cronMatches, parseCron, type Cron } from "../../src/schedule/cron.ts";
import { DEMO_PASSWORD } from "../demo-target/shop.ts";
import { startWebhookReceiver, type RunningReceiver } from "../demo-target/webhook-receiver.ts";
import { writeRegistry } from "../generate-probe-registry.ts";
import { freePort } from "./ports.ts";
import { runToCompletion, startChild, type Child } from "./processes.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WRANGLER = join(ROOT, "node_modules", ".bin", "wrangler");

/** Quiet and offline: no telemetry, no Request.cf download. Never in .env: wrangler would bind it. */
export const OFFLINE_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

export interface LocalNetworkOptions {
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
}

export interface LocalNetwork {
  workerUrl: string;
  shopUrl: string;
  /** A local webhook receiver wired in as the "local" notification channel. */
  receiver: RunningReceiver;
  crons: string[];
  /** Fires every cron of wrangler.toml that matches the minute of `time`, and waits for it. */
  fireTick(time: number): Promise<void>;
  stopShop(): Promise<void>;
  startShop(): Promise<void>;
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

export function readCrons(root = ROOT): string[] {
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

export async function startLocalNetwork(options: LocalNetworkOptions = {}): Promise<LocalNetwork> {
  const log = options.log ?? (() => {});
  const root = options.root ?? ROOT;
  const extraVars = Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]);
  const persistArgs = options.persistTo ? ["--persist-to", options.persistTo] : [];
  writeRegistry(root);
  const password = ensureDevVars(root);

  log("applying D1 migrations to the local database…");
  await runToCompletion(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", ...persistArgs], { cwd: root, env: { ...OFFLINE_ENV, CI: "true" } });

  const shopPort = options.shopPort ?? (await freePort(8790));
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  let shop: Child | undefined;
  const startShop = async () => {
    shop = startChild("demo shop", process.execPath, [join(ROOT, "scripts/demo-target/main.ts"), "--port", String(shopPort), "--password", password], {
      cwd: ROOT,
      onOutput: (line) => log(`[shop] ${line}`),
    });
    await waitForHealth(`${shopUrl}/health`, shop, 15_000);
  };
  await startShop();

  // Notices of the local network go to a receiver on loopback, so alerting can be watched too.
  const receiver = await startWebhookReceiver({ log: (line) => log(line) });
  const channels = JSON.stringify([{ name: "local", type: "webhook", url: `${receiver.url}/hook`, secretName: "LOCAL_HOOK_KEY" }]);

  const workerPort = options.workerPort ?? (await freePort(8787));
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const worker = startChild(
    "wrangler dev",
    WRANGLER,
    ["dev", "--ip", "127.0.0.1", "--port", String(workerPort), "--show-interactive-dev-session=false", "--var", "AFTERLIFE_ENV:local", "--var", `SHOP_URL:${shopUrl}`, "--var", `NOTIFY_CHANNELS:${channels}`, "--var", "LOCAL_HOOK_KEY:local-demo-signing-key", ...extraVars, ...persistArgs],
    { cwd: root, env: OFFLINE_ENV, onOutput: (line) => log(`[worker] ${line}`) },
  );
  try {
    await waitForHealth(`${workerUrl}/api/v1/health`, worker, 90_000);
  } catch (error) {
    await worker.stop();
    await shop?.stop();
    await receiver.close();
    throw error;
  }

  const crons = readCrons(root);
  const parsed: Cron[] = crons.map(parseCron);
  const fireTick = async (time: number) => {
    for (const cron of parsed.filter((c) => cronMatches(c, time))) {
      const url = `${workerUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron.source)}&time=${time}`;
      const res = await fetch(url);
      await res.arrayBuffer();
      log(`tick ${new Date(time).toISOString()} (${cron.source}): ${res.status}`);
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  if (options.cronDriver !== false) {
    const scheduleNext = () => {
      const now = Date.now();
      const next = Math.floor(now / 60_000) * 60_000 + 60_000;
      timer = setTimeout(() => {
        if (stopped) return;
        scheduleNext();
        fireTick(next).catch((error: unknown) => log(`tick failed: ${String(error)}`));
      }, next - now);
    };
    scheduleNext();
    // The current minute's tick, delivered late (as production may): the first runs arrive now.
    fireTick(Math.floor(Date.now() / 60_000) * 60_000).catch((error: unknown) => log(`tick failed: ${String(error)}`));
  }

  return {
    workerUrl,
    shopUrl,
    receiver,
    crons,
    fireTick,
    startShop,
    stopShop: async () => {
      await shop?.stop();
      shop = undefined;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([worker.stop(), shop?.stop(), receiver.close()]);
    },
  };
}
