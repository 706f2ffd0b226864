/**
 * `npm run probe -- release …`: what a CI pipeline calls around a deploy. It speaks to a running
 * Afterlife over its API (--api, or AFTERLIFE_API_URL; a write token in AFTERLIFE_TOKEN or --token).
 *
 *   release <version> --group G | --probe ID…   mark a release; its watch starts
 *   release watch <id> [--wait] [--timeout 30m]  the watch's verdict; exit 0 healthy, 1 regressed, 3 inconclusive
 *   release list [--probe ID]                    the newest releases and their verdicts
 */
import { parseArgs } from "node:util";
import type { Finding, Release } from "../../src/releases/model.ts";
import { UsageError } from "./usage-error.ts";

const RELEASE_USAGE = `usage:
  npm run probe -- release <version> (--group G | --probe ID [--probe ID…]) [options]
      --url URL              a link for people (the pipeline run, the changelog)
      --description TEXT     what changed
      --at ISO-TIME          when it went live (default now)
      --watch-minutes N      how long to watch (default the Worker's RELEASE_WATCH_MINUTES, 60)
      --baseline-minutes N   how far before the release the baseline reaches (default 120)
      --wait [--timeout T]   then wait for the verdict, as release watch --wait
  npm run probe -- release watch <id> [--wait] [--timeout 30m] [--interval 10s]
  npm run probe -- release list [--probe ID] [--limit N]
  Every command: --api URL (default $AFTERLIFE_API_URL or http://127.0.0.1:8787), --token T (default $AFTERLIFE_TOKEN)

Exit codes: 0 healthy (or done), 1 regressed, 2 bad input, 3 inconclusive (not enough runs, or no verdict before --timeout), 4 the API could not be reached or refused.`;

const EXIT = { healthy: 0, regressed: 1, usage: 2, inconclusive: 3, api: 4 } as const;

const COMMON = {
  api: { type: "string" },
  token: { type: "string" },
} as const;

/** "30m", "90s", "1h", "45" (seconds) in ms. */
function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} ${text}: expected a duration such as 30m, 90s or 1h`);
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  return value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} ${text}: expected a whole number of minutes`);
  return Number(text);
}

class ApiError extends Error {}

interface Connection {
  api: string;
  token: string | undefined;
}

function connection(values: { api?: string | undefined; token?: string | undefined }): Connection {
  const api = (values.api ?? process.env.AFTERLIFE_API_URL ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
  if (!/^https?:\/\//.test(api))
    throw new UsageError(`--api ${api}: expected the Worker's URL, e.g. https://afterlife.example.workers.dev`);
  return { api, token: values.token ?? process.env.AFTERLIFE_TOKEN };
}

async function call<T>(c: Connection, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${c.api}${path}`, {
      method,
      headers: {
        ...(c.token ? { authorization: `Bearer ${c.token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new ApiError(`could not reach ${c.api}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text;
    try {
      const problem = JSON.parse(text) as {
        title?: string;
        detail?: string;
        invalidParams?: { name: string; reason: string }[];
      };
      detail = [
        problem.detail ?? problem.title,
        ...(problem.invalidParams ?? []).map((p) => `  ${p.name}: ${p.reason}`),
      ]
        .filter(Boolean)
        .join("\n");
    } catch {
      // not a problem document: show the text as it came
    }
    throw new ApiError(`${method} ${path}: ${res.status}\n${detail}`);
  }
  return JSON.parse(text) as T;
}

function value(f: Finding, side: "before" | "after"): string {
  const v = f[side].value;
  if (v === null) return "none";
  return f.measure === "latency" ? `${Math.round(v)} ms` : `${Math.round(v * 1000) / 10}%`;
}

/** The verdict and its findings, as lines for a CI log. */
function formatJudgement(release: Release): string {
  const j = release.judgement;
  const lines = [
    `${release.id} ${release.version}: ${j.verdict}${j.final ? "" : " (watching)"}${j.atMinute === null ? "" : ` at minute ${j.atMinute} of ${release.watchMinutes}`} — ${j.reason}`,
  ];
  const shown = j.verdict === "regressed" ? j.findings.filter((f) => f.regressed) : j.findings.slice(0, 0);
  for (const f of shown) {
    lines.push(
      `  ${f.probeId} ${f.region} ${f.measure}: ${f.measure === "latency" ? "median " : "passing "}${value(f, "before")} before (${f.before.runs} runs), ${value(f, "after")} after (${f.after.runs} runs), p = ${f.p.toExponential(2)} < ${f.threshold.toExponential(2)}`,
    );
    if (f.evidence.length)
      lines.push(`    runs: ${f.evidence.slice(0, 5).join(", ")}${f.evidence.length > 5 ? ", …" : ""}`);
  }
  return lines.join("\n");
}

function exitOf(release: Release): number {
  const j = release.judgement;
  if (j.verdict === "regressed") return EXIT.regressed;
  if (j.verdict === "healthy" && j.final) return EXIT.healthy;
  return EXIT.inconclusive;
}

async function watch(
  c: Connection,
  id: string,
  options: { wait: boolean; timeoutMs: number; intervalMs: number },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let last = "";
  for (;;) {
    const release = await call<Release>(c, "GET", `/api/v1/releases/${encodeURIComponent(id)}`);
    const text = formatJudgement(release);
    if (text !== last) console.log(`[${new Date().toISOString()}] ${text}`);
    last = text;
    if (!options.wait || release.judgement.final) return exitOf(release);
    if (Date.now() + options.intervalMs > deadline) {
      console.log(
        `no final verdict within ${Math.round(options.timeoutMs / 1000)} s: inconclusive (the watch goes on until ${new Date(release.watchUntil).toISOString()})`,
      );
      return EXIT.inconclusive;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

async function create(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      group: { type: "string" },
      probe: { type: "string", multiple: true },
      url: { type: "string" },
      description: { type: "string" },
      at: { type: "string" },
      "watch-minutes": { type: "string" },
      "baseline-minutes": { type: "string" },
      wait: { type: "boolean", default: false },
      timeout: { type: "string" },
      interval: { type: "string" },
    },
  });
  const [version, ...extra] = positionals;
  if (!version)
    throw new UsageError(`release needs a version, e.g. release v2.14.0 --group Checkout\n\n${RELEASE_USAGE}`);
  if (extra.length) throw new UsageError(`release: unexpected argument '${extra[0]}'`);
  if ((values.group === undefined) === (values.probe === undefined))
    throw new UsageError(
      "release needs --group G or --probe ID (repeatable), not both: the probes this release may affect",
    );
  const c = connection(values);
  if (!c.token)
    throw new UsageError(
      "release needs a write token: --token or AFTERLIFE_TOKEN (npm run probe -- token create --name ci --scope write)",
    );
  const body = {
    version,
    ...(values.group !== undefined ? { group: values.group } : { probeIds: values.probe }),
    ...(values.url !== undefined ? { url: values.url } : {}),
    ...(values.description !== undefined ? { description: values.description } : {}),
    ...(values.at !== undefined ? { at: values.at } : {}),
    ...(values["watch-minutes"] !== undefined
      ? { watchMinutes: positiveInt(values["watch-minutes"], "--watch-minutes") }
      : {}),
    ...(values["baseline-minutes"] !== undefined
      ? { baselineMinutes: positiveInt(values["baseline-minutes"], "--baseline-minutes") }
      : {}),
  };
  const release = await call<Release>(c, "POST", "/api/v1/releases", body);
  console.log(
    `${release.id} ${release.version}: watching ${release.probeIds.join(", ")} from ${new Date(release.watchFrom).toISOString()} to ${new Date(release.watchUntil).toISOString()}`,
  );
  if (!values.wait) return 0;
  return watch(c, release.id, {
    wait: true,
    timeoutMs: parseDuration(values.timeout ?? `${release.watchMinutes + 5}m`, "--timeout"),
    intervalMs: parseDuration(values.interval ?? "10s", "--interval"),
  });
}

async function watchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      wait: { type: "boolean", default: false },
      timeout: { type: "string", default: "30m" },
      interval: { type: "string", default: "10s" },
    },
  });
  const [id, ...extra] = positionals;
  if (!id) throw new UsageError(`release watch needs a release id (printed by release <version>)\n\n${RELEASE_USAGE}`);
  if (extra.length) throw new UsageError(`release watch: unexpected argument '${extra[0]}'`);
  return watch(connection(values), id, {
    wait: values.wait,
    timeoutMs: parseDuration(values.timeout, "--timeout"),
    intervalMs: parseDuration(values.interval, "--interval"),
  });
}

async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, probe: { type: "string" }, limit: { type: "string", default: "20" } },
  });
  if (positionals.length) throw new UsageError(`release list: unexpected argument '${positionals[0]}'`);
  const query = new URLSearchParams({ limit: values.limit, ...(values.probe ? { probe: values.probe } : {}) });
  const { releases } = await call<{ releases: Release[] }>(connection(values), "GET", `/api/v1/releases?${query}`);
  for (const r of releases)
    console.log(
      `${r.id}  ${new Date(r.releasedAt).toISOString()}  ${r.version}  ${r.judgement.verdict}${r.judgement.final ? "" : " (watching)"}  ${r.probeIds.join(",")}`,
    );
  if (releases.length === 0) console.log("no releases");
  return 0;
}

/** `release …`; returns the exit code. */
export async function releaseCommand(args: string[]): Promise<number> {
  try {
    if (args[0] === "watch") return await watchCommand(args.slice(1));
    if (args[0] === "list") return await listCommand(args.slice(1));
    if (args[0] === undefined || args[0] === "--help" || args[0] === "help") {
      console.log(RELEASE_USAGE);
      return args[0] === undefined ? EXIT.usage : 0;
    }
    return await create(args);
  } catch (error) {
    if (error instanceof ApiError) {
      console.error(error.message);
      return EXIT.api;
    }
    throw error;
  }
}
