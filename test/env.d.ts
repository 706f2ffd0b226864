import type { D1Migration } from "cloudflare:test";
import type { RegionRunnerEnv } from "../src/schedule/region-runner.ts";

declare global {
  namespace Cloudflare {
    interface Env extends RegionRunnerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** Empty: test/worker/storage/migration.test.ts applies the migrations to it step by step. */
      MIGRATION_DB: D1Database;
      /** The demo shop started by test/global-setup.ts. */
      SHOP_URL: string;
      SHOP_PASSWORD: string;
      /** A second demo shop, never faulted, for the fleet tests. */
      FLEET_SHOP_URL: string;
      RELEASE_SHOP_URL: string;
      NOTIFY_CHANNELS: string;
      OPS_HOOK_KEY: string;
      /** The echo target started by test/global-setup.ts (test/support/echo-server.ts). */
      ECHO_URL: string;
      CANARY_SECRET: string;
      CANARY_ENV: string;
      SHORT_PIN: string;
    }
  }
}

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("../src/index.ts");
    }
  }
}
