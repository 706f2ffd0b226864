import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects:
 * - worker: unit and integration tests inside workerd (the real Workers runtime) with a real
 *   local D1 (migrations applied in test/worker/setup.ts) and the demo shop on 127.0.0.1
 *   started by test/global-setup.ts.
 * - node: tests that drive Afterlife from outside: the local runner and Chromium, the CLI, the
 *   production build.
 */
export default defineConfig({
  test: {
    reporters: ["default", "json"],
    outputFile: { json: "test-output/vitest-results.json" },
    projects: [
      {
        plugins: [
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              // A second, empty database on which the migration test applies the migrations step by step.
              d1Databases: { MIGRATION_DB: "migration-test" },
              bindings: {
                AFTERLIFE_ENV: "test",
                SHOP_URL: `http://127.0.0.1:${inject<number>("shopPort")}`,
                SHOP_PASSWORD: "canary-secret-7f3a9c",
                FLEET_SHOP_URL: `http://127.0.0.1:${inject<number>("fleetShopPort")}`,
                RELEASE_SHOP_URL: `http://127.0.0.1:${inject<number>("releaseShopPort")}`,
                NOTIFY_CHANNELS: JSON.stringify([
                  {
                    name: "ops",
                    type: "webhook",
                    url: `http://127.0.0.1:${inject<number>("hookPort")}/hook`,
                    secretName: "OPS_HOOK_KEY",
                  },
                ]),
                OPS_HOOK_KEY: "hook-signing-key-test",
                // Canaries for the redaction tests (test/worker/probe/secret-redaction.test.ts and
                // test/worker/canary.test.ts): bindings that are not wrangler.toml [vars], so secrets,
                // with characters that every encoding changes.
                ECHO_URL: `http://127.0.0.1:${inject<number>("echoPort")}`,
                CANARY_SECRET: "Cq7 <zX9>&'w2\"Lk4-pR8v/é",
                CANARY_ENV: "Ev5 <mN3>&'t6\"Yh2-uJ9q/ü",
                SHORT_PIN: "k9Z",
                TEST_MIGRATIONS: await readD1Migrations("./migrations"),
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/worker/**/*.test.ts"],
          // Generous: a test's work must finish, not race a clock; vitest's 5 s default fails
          // heavy tests (the API fuzz test, the fleet ticks) on a machine whose cores are busy.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          globalSetup: ["test/global-setup.ts"],
          setupFiles: ["test/worker/setup.ts"],
        },
      },
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
