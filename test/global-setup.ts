import type { TestProject } from "vitest/node";
import { startShop } from "../scripts/demo-target/shop.ts";

declare module "vitest" {
  export interface ProvidedContext {
    shopPort: number;
  }
}

/** Starts the demo shop on 127.0.0.1 for the worker tests; they reach it over real HTTP. */
export default async function setup(project: TestProject) {
  const shop = await startShop({ password: "canary-secret-7f3a9c" });
  project.provide("shopPort", shop.port);
  return () => shop.close();
}
