import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Idempotent: applies only the migrations this test file's D1 has not seen yet.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
