import { z } from "zod";

/** The Worker's bindings as wrangler.toml, `wrangler secret put` and `.dev.vars` provide them. */
export interface WorkerEnv {
  DB: D1Database;
  AFTERLIFE_ENV?: string;
  [name: string]: unknown;
}

const ConfigSchema = z.object({
  /**
   * production: the SSRF guard refuses loopback, private, link-local and metadata targets.
   * local / test: loopback and private targets are allowed (the demo shop runs on 127.0.0.1).
   */
  AFTERLIFE_ENV: z.enum(["production", "local", "test"]).default("production"),
});

export interface Config {
  environment: "production" | "local" | "test";
  allowPrivateTargets: boolean;
  /** Every string binding (vars and secrets), for {{env:NAME}} and {{secret:NAME}} in probes. */
  values: Readonly<Record<string, string>>;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the Worker's env once per invocation. Throws ConfigError naming the bad variable. */
export function parseConfig(env: WorkerEnv): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid Worker configuration (wrangler.toml [vars] or secrets): ${issues}`);
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === "string") values[name] = value;
  const environment = parsed.data.AFTERLIFE_ENV;
  return { environment, allowPrivateTargets: environment !== "production", values };
}
