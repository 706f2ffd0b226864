import type { D1Migration } from "cloudflare:test";
import type { WorkerEnv } from "../src/config.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
