/**
 * `npm start`: the whole local probe network in one command. Ctrl-C stops everything; the local
 * D1 (in .wrangler/state) keeps its data for the next start.
 *
 * Keys (when the terminal is interactive): d = stop/start the demo shop, q = quit.
 */
import { startLocalNetwork } from "./local-network.ts";

const verbose = process.argv.includes("--verbose");
const startedAt = Date.now();
const say = (line: string) => console.log(`[afterlife] ${line}`);

const network = await startLocalNetwork({
  log: (line) => {
    if (verbose || line.startsWith("tick") || line.startsWith("notice") || line.startsWith("applying") || /error/i.test(line)) say(line);
  },
});

say(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.log(`
  Status page     ${network.workerUrl}/
  API             ${network.workerUrl}/api/v1/status
  One run         ${network.workerUrl}/api/v1/runs/<run id from /api/v1/status>
  Demo shop       ${network.shopUrl}/   (faults: POST ${network.shopUrl}/_control/faults)
  Notices         ${network.receiver.url}/deliveries   (incidents' DOWN/UP webhooks, also printed here)
  Cron            ${network.crons.join(", ")} — fired on every minute boundary, as in production

  Break something: curl -X POST ${network.shopUrl}/_control/faults -d '{"path":"/api/cart","status":503}'
                   curl -X POST ${network.shopUrl}/_control/faults -d '{"region":"apac","delayMs":3000}'
  Repair:          curl -X DELETE ${network.shopUrl}/_control/faults
  ${process.stdin.isTTY ? "Keys: d = stop/start the demo shop, q = quit (or Ctrl-C)" : "Ctrl-C stops everything."}
`);

let shuttingDown = false;
async function shutdown(code = 0) {
  if (shuttingDown) return;
  shuttingDown = true;
  say("stopping…");
  await network.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown());
process.on("SIGTERM", () => void shutdown());

if (process.stdin.isTTY) {
  let shopUp = true;
  process.stdin.setRawMode(true);
  process.stdin.resume();
  process.stdin.on("data", (key: Buffer) => {
    const k = key.toString();
    if (k === "q" || k === "\u0003") void shutdown();
    if (k === "d") {
      shopUp = !shopUp;
      void (shopUp ? network.startShop() : network.stopShop()).then(() => say(shopUp ? "demo shop started" : "demo shop stopped"));
    }
  });
}
