import { z } from "zod";
import { declaredVarNames } from "./generated/declared-vars.ts";
import { ChannelConfigSchema, type ChannelConfig } from "./incidents/channels/channel.ts";

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
  /** The Workers plan, for the per-invocation limits the shard planner packs runs under. */
  AFTERLIFE_PLAN: z.enum(["free", "paid"]).default("paid"),
  /** Days raw runs are kept; rollups are kept 400 days. */
  RAW_RETENTION_DAYS: z.coerce.number().int().min(1, "at least 1 day").max(400).default(14),
  /**
   * The longest a public answer (status page, status and Statuspage APIs, badges, SLOs) is fresh
   * in each Cloudflare location's cache; each is fresh for its own s-maxage up to this, and never
   * past the end of the minute it was rendered in (src/api/edge-cache-policy.ts), so 60 and more
   * mean "the rest of the minute". 0 turns the edge cache off.
   */
  PUBLIC_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(0, "0 (off) or more")
    .max(300, "at most 300 s: a status change must show soon")
    .default(60),
  /**
   * Local development only: the browser service (scripts/local/browser-service.ts) that runs
   * browser probes in the machine's Chromium, started and set by `npm start`. In production the
   * Browser Rendering binding BROWSER runs them instead.
   */
  AFTERLIFE_BROWSER_URL: z.url({ protocol: /^https?$/, error: "an http URL such as http://127.0.0.1:8791" }).optional(),
  /** Minutes a release is watched after it goes live, unless its POST says otherwise (src/releases/). */
  RELEASE_WATCH_MINUTES: z.coerce
    .number()
    .int()
    .min(5, "at least 5 minutes: the watch's first look is at 5")
    .max(1440, "at most 1440 minutes (24 h)")
    .default(60),
  /** Notification channels, a JSON array: [{"name":"ops","type":"webhook","url":"https://...","secretName":"OPS_HOOK_KEY"}]. */
  NOTIFY_CHANNELS: z
    .string()
    .default("[]")
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({
          code: "custom",
          message: 'not JSON; expected an array such as [{"name":"ops","type":"slack","url":"{{secret:SLACK_URL}}"}]',
        });
        return z.NEVER;
      }
    })
    .pipe(z.array(ChannelConfigSchema)),
});

export interface Config {
  environment: "production" | "local" | "test";
  plan: "free" | "paid";
  rawRetentionDays: number;
  /** Seconds the edge keeps a public answer at most; 0: never cached (see src/api/edge-cache.ts). */
  publicCacheSeconds: number;
  channels: ChannelConfig[];
  /** Default length of a release watch (minutes). */
  releaseWatchMinutes: number;
  allowPrivateTargets: boolean;
  /** The local browser service, when `npm start` found a Chromium (see AFTERLIFE_BROWSER_URL). */
  browserServiceUrl: string | undefined;
  /** Every string binding (vars and secrets), for {{env:NAME}} and {{secret:NAME}} in probes. */
  values: Readonly<Record<string, string>>;
  /**
   * The names of `values` that are public: wrangler.toml's [vars]. Every other binding is a
   * secret (`wrangler secret put`, .dev.vars), however a probe reads it, and is redacted.
   */
  publicValueNames: ReadonlySet<string>;
}

class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the Worker's env once per invocation. Throws ConfigError naming the bad variable.
 * `publicNames` defaults to the vars wrangler.toml declares (generated at build time).
 */
export function parseConfig(env: WorkerEnv, publicNames: readonly string[] = declaredVarNames): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`invalid Worker configuration (wrangler.toml [vars] or secrets): ${issues}`);
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === "string") values[name] = value;
  const environment = parsed.data.AFTERLIFE_ENV;
  return {
    environment,
    plan: parsed.data.AFTERLIFE_PLAN,
    rawRetentionDays: parsed.data.RAW_RETENTION_DAYS,
    publicCacheSeconds: parsed.data.PUBLIC_CACHE_SECONDS,
    channels: parsed.data.NOTIFY_CHANNELS,
    releaseWatchMinutes: parsed.data.RELEASE_WATCH_MINUTES,
    allowPrivateTargets: environment !== "production",
    browserServiceUrl: parsed.data.AFTERLIFE_BROWSER_URL,
    values,
    publicValueNames: new Set(publicNames),
  };
}
