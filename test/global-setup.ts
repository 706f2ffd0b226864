import type { TestProject } from "vitest/node";
import { startShop } from "../scripts/demo-target/shop.ts";
import { startWebhookReceiver } from "../scripts/demo-target/webhook-receiver.ts";
import { startEchoServer } from "./support/echo-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    shopPort: number;
    hookPort: number;
    fleetShopPort: number;
    releaseShopPort: number;
    echoPort: number;
  }
}

/**
 * Starts the demo shop and a webhook receiver on 127.0.0.1 for the worker tests; they reach them
 * over real HTTP. A second shop serves the fleet tests (test/worker/tick-fleet.test.ts): its
 * faults are never set, so the other files' faults on the first shop cannot reach them. A third
 * serves the release-watch tests alone (test/worker/releases/): only they set its faults.
 */
export default async function setup(project: TestProject) {
  const shop = await startShop({ password: "canary-secret-7f3a9c" });
  const fleetShop = await startShop();
  const releaseShop = await startShop({ password: "canary-secret-7f3a9c" });
  const receiver = await startWebhookReceiver();
  const echo = await startEchoServer();
  project.provide("echoPort", echo.port);
  project.provide("shopPort", shop.port);
  project.provide("fleetShopPort", fleetShop.port);
  project.provide("releaseShopPort", releaseShop.port);
  project.provide("hookPort", receiver.port);
  return async () => {
    await shop.close();
    await fleetShop.close();
    await releaseShop.close();
    await receiver.close();
    await echo.close();
  };
}
