/**
 * `npm start`: the whole local probe network in one command. The local D1 (in .wrangler/state)
 * keeps its data for the next start.
 *
 *   npm start -- --var SHOP_URL=http://127.0.0.1:3000   probe your own target (repeatable; or .dev.vars)
 *   npm start -- --verbose                              also show wrangler's own output
 *
 * Every child (demo shop, wrangler, workerd) ends when this process ends, whatever ended it:
 * Ctrl-C, SIGTERM, SIGHUP (a closed terminal), or the parent dying (npm killed, a process
 * manager). Keys (when the terminal is interactive): d = stop/start the demo shop, q = quit.
 */
import { parseArgs } from "node:util";
import { startLocalNetwork, type LocalNetwork } from "./local-network.ts";
import { killAllChildren } from "./processes.ts";

const USAGE = `usage: npm start [-- --var NAME=value ... --verbose]
  --var NAME=value   a Worker var for this run, e.g. --var SHOP_URL=http://127.0.0.1:3000 to probe your own
                     target instead of the demo shop (repeatable; .dev.vars entries work too)
  --verbose          also show wrangler's own output`;

function parseStartArgs(argv: string[]): { verbose: boolean; vars: Record<string, string> } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { verbose: { type: "boolean", default: false }, var: { type: "string", multiple: true, default: [] } },
    });
    if (positionals.length) throw new Error(`unexpected argument '${positionals[0]}'`);
    const vars: Record<string, string> = {};
    for (const pair of values.var) {
      const eq = pair.indexOf("=");
      if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq)))
        throw new Error(`--var ${pair}: expected NAME=value, e.g. --var SHOP_URL=http://127.0.0.1:3000`);
      vars[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return { verbose: values.verbose, vars };
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const args = parseStartArgs(process.argv.slice(2));
const startedAt = Date.now();
const say = (line: string) => console.log(`[afterlife] ${line}`);

let network: LocalNetwork | undefined;
let shuttingDown = false;
async function shutdown(code = 0, why?: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  say(why ? `stopping: ${why}` : "stopping…");
  await network?.stop();
  process.exit(code);
}

// The last resort: whatever ends this process, its children's process groups end with it.
process.on("exit", killAllChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
  process.on(
    signal,
    () => void shutdown(signal === "SIGINT" ? 0 : 128 + (signal === "SIGTERM" ? 15 : 1), `got ${signal}`),
  );
// npm does not always pass its signals on (sh -c may stand between): when the parent goes, so do we.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown(1, "the parent process is gone");
}, 1000).unref();

network = await startLocalNetwork({
  vars: args.vars,
  log: (line) => {
    if (
      args.verbose ||
      /^(tick|notice|heartbeat|applying|probes|restarting|wrangler dev is back|warning|browser probes)/.test(line) ||
      /\berror\b/i.test(line)
    )
      say(line);
  },
  onFatal: (reason) => void shutdown(1, reason),
});

say(
  `ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (ports chosen automatically: the first free from 8787 and 8790)`,
);
const ownTarget = network.targetUrl !== network.shopUrl;
console.log(`
  Status page     ${network.workerUrl}/
  API             ${network.workerUrl}/api/v1/status
  One run         ${network.workerUrl}/api/v1/runs/<run id from /api/v1/status>
  Probes target   ${network.targetUrl}${ownTarget ? "   (your target; the demo shop still runs)" : "   (the demo shop)"}
  Demo shop       ${network.shopUrl}/   (faults: POST ${network.shopUrl}/_control/faults)
  Notices         ${network.receiver.url}/deliveries   (incidents' DOWN/UP webhooks, also printed here)
  Cron            ${network.crons.join(", ")} — fired on every minute boundary, as in production
  Browser probes  ${network.browserServiceUrl ? `Chromium, through the browser service ${network.browserServiceUrl}` : "not running: no Chromium (see the warning above)"}

  Break something: curl -X POST ${network.shopUrl}/_control/faults -d '{"path":"/api/cart","status":503}'
                   curl -X POST ${network.shopUrl}/_control/faults -d '{"region":"apac","delayMs":3000}'
                   curl -X POST ${network.shopUrl}/_control/faults -d '{"path":"/store","breakButton":"add-to-cart"}'
  Repair:          curl -X DELETE ${network.shopUrl}/_control/faults
  ${process.stdin.isTTY ? "Keys: d = stop/start the demo shop, q = quit (or Ctrl-C)" : "Ctrl-C stops everything."}
`);

if (process.stdin.isTTY) {
  let shopUp = true;
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on("data", (key: Buffer) => {
    const k = key.toString();
    if (k === "q" || k === "\u0003") void shutdown();
    if (k === "d" && network) {
      shopUp = !shopUp;
      void (shopUp ? network.startShop() : network.stopShop()).then(() =>
        say(shopUp ? "demo shop started" : "demo shop stopped"),
      );
    }
  });
}
