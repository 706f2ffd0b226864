import type { D1Migration } from "cloudflare:test";
import type { WorkerEnv } from "../src/config.ts";

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** The demo shop started by test/global-setup.ts. */
      SHOP_URL: string;
      SHOP_PASSWORD: string;
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
