/**
 * Runs the demo shop on its own: `npm run demo-target -- --port 8790`.
 * The local runner (`npm start`) starts it for you; this entry is for poking at it by hand.
 */
import { parseArgs } from "node:util";
import { startShop } from "./shop.ts";

const { values } = parseArgs({ options: { port: { type: "string", default: "8790" }, password: { type: "string" } } });
const shop = await startShop({ port: Number(values.port), ...(values.password ? { password: values.password } : {}) });
console.log(`demo shop listening on ${shop.url}`);
const stop = () => void shop.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
