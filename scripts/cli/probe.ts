/**
 * The probe CLI for QA (runs in Node with the same runner code as the Worker):
 *
 *   npm run probe -- list [--json]
 *   npm run probe -- validate [paths…] [--var k=v]…
 *   npm run probe -- run <id|file> [--demo] [--base-url URL] [--var k=v]… [--region R] [--json] [--repro FILE]
 *   npm run probe -- test [paths…|--changed] [--demo] [--reporter text|junit|github] [--output FILE] [--concurrency N]
 *   npm run probe -- cost [options] (cost --help)
 *
 * Exit codes: 0 up (or valid), 1 down or degraded, 2 bad input.
release watch: 0 healthy, 1 regressed, 3 inconclusive, 4 the API could not be reached.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { isScriptStep } from "../../src/probe/schema.ts";
import { writeRegistry } from "../generate-probe-registry.ts";
import { ROOT } from "../local/local-network.ts";
import { estimateCost } from "../../src/cost/estimate.ts";
import { ALL_REGIONS, hypotheticalFleet } from "../../src/cost/hypothetical-fleet.ts";
import type { Schedule } from "../../src/probe/schema.ts";
import { BROWSER_SCHEDULES, SCHEDULES } from "../../src/probe/schema.ts";
import { DEFAULT_RETENTION } from "../../src/storage/retention.ts";
import { formatCost } from "./format-cost.ts";
import { formatRun } from "./format-run.ts";
import { tokenCommand, TokenUsageError } from "./tokens.ts";
import { heartbeatCommand } from "./heartbeats.ts";
import { releaseCommand } from "./release-command.ts";
import { localValues } from "./local-values.ts";
import { liveProbeFiles, ProbeFileError, resolveProbePaths } from "./probe-files.ts";
import { checkRegion, checkUrl, localRunner, parseVars } from "./run-locally.ts";
import { testCommand } from "./test-command.ts";
import { UsageError } from "./usage-error.ts";
import { formatProblems, validateProbeFiles } from "./validate-probes.ts";

const USAGE = `usage:
  npm run probe -- list [--json]             the probes in probes/ (--json: id, kind, name, group, schedule, regions, file)
  npm run probe -- validate [paths…]         check probes (default: probes/; files or folders anywhere, drafts too):
                                             types, schema, JSONPath, placeholders, env vars and secrets, ids;
                                             every problem with file:line:col in one pass, exit 2 if any
      --var name=value   a variable you will pass to run/test (repeatable)
  npm run probe -- run <id|file> [options]   run one probe once, here, with the Worker's runner (a file may be a draft anywhere)
      --demo             start the bundled demo shop and point SHOP_URL at it
      --base-url URL     override the probe's baseUrl
      --var name=value   set a variable (repeatable)
      --region R         the region label to send (default: the probe's first region)
      --json             print the run result as JSON
      --repro FILE       when the run fails, write the repro script (a curl per step) to FILE
  npm run probe -- test [paths…|--changed]   run many probes (default: all of probes/) in parallel, a line each
      --changed          only the probe files changed since git HEAD (drafts anywhere in the repository too)
      --demo, --base-url, --var, --region      as for run
      --reporter R       text (default), junit (JUnit XML) or github (workflow annotations)
      --output FILE      write the junit/github report to FILE instead of stdout
      --concurrency N    probes running at once (default 4)
  npm run probe -- cost [options]            monthly Cloudflare usage and bill (cost --help for options)
  npm run probe -- token create --name NAME --scope write [--remote]
  npm run probe -- token list | token revoke ID [--remote]
  npm run probe -- heartbeat secret ID [--remote]       create or rotate a heartbeat's secret (printed once)
  npm run probe -- release <version> (--group G | --probe ID…) [--wait]   mark a release; its probes are watched
  npm run probe -- release watch <id> --wait [--timeout 30m]              the watch's verdict (release --help)

Exit codes: 0 up (or valid), 1 down or degraded, 2 bad input.
`;

function noExtraArguments(command: string, positionals: string[], max = 0): void {
  if (positionals.length > max)
    throw new UsageError(
      `${command}: unexpected argument${positionals.length - max > 1 ? "s" : ""} ${positionals
        .slice(max)
        .map((p) => `'${p}'`)
        .join(" ")}\n\n${USAGE}`,
    );
}

/** The values --demo provides: the shop's URL and password. */
const DEMO_VALUES = ["SHOP_URL", "SHOP_PASSWORD"];

/** Validates probe files (no type check: quick), or fails with the whole problem block. */
async function loadValid(
  files: string[],
  check: { varNames?: string[]; demo?: boolean; lint?: boolean } = {},
): Promise<LoadedProbe[]> {
  writeRegistry();
  const validation = await validateProbeFiles(files, {
    typecheck: false,
    varNames: check.varNames ?? [],
    valueNames: check.demo ? DEMO_VALUES : [],
    lint: check.lint ?? true,
  });
  if (validation.problems.length) throw new UsageError(formatProblems(validation));
  return validation.loaded;
}

/** What kind of probe: one HTTP request, a journey of several, one with script steps, a heartbeat or a browser journey. */
function kindOf(loaded: LoadedProbe): "http" | "journey" | "script" | "heartbeat" | "browser" {
  if (loaded.probe.kind === "heartbeat") return "heartbeat";
  if (loaded.probe.kind === "browser") return "browser";
  if (loaded.probe.steps.some(isScriptStep)) return "script";
  return loaded.probe.steps.length === 1 ? "http" : "journey";
}

/** How often it runs, or a heartbeat's period. */
function scheduleOf({ probe }: Pick<LoadedProbe, "probe">): string {
  return probe.kind === "heartbeat" ? probe.period : probe.schedule;
}

async function list(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false } },
  });
  noExtraArguments("list", positionals);
  const probes = await loadValid(liveProbeFiles(), { lint: false });
  if (values.json) {
    const rows = probes.map((p) => ({
      id: p.probe.id,
      kind: kindOf(p),
      name: p.probe.name,
      group: p.probe.group,
      schedule: scheduleOf(p),
      regions: p.probe.regions,
      file: p.file,
    }));
    console.log(JSON.stringify(rows, null, 2));
    return 0;
  }
  const width = Math.max(...probes.map((p) => p.probe.id.length));
  for (const { probe, file } of probes) {
    const what =
      probe.kind === "heartbeat"
        ? `heartbeat, grace ${probe.grace}`
        : probe.kind === "browser"
          ? "browser journey"
          : `${probe.steps.length} steps`;
    console.log(
      `${probe.id.padEnd(width)}  ${scheduleOf({ probe }).padEnd(3)}  ${probe.regions.join(",").padEnd(20)}  ${probe.group} / ${probe.name}  (${file}, ${what})`,
    );
  }
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { var: { type: "string", multiple: true, default: [] } },
  });
  const vars = parseVars(values.var);
  writeRegistry();
  const files = positionals.length ? resolveProbePaths(positionals) : liveProbeFiles();
  if (files.length === 0) throw new UsageError(`no probe files in ${positionals.join(" ")}`);
  const validation = await validateProbeFiles(files, { varNames: Object.keys(vars) });
  if (validation.problems.length) {
    console.error(formatProblems(validation));
    return 2;
  }
  console.log(`${validation.loaded.length} probe(s) valid: ${validation.loaded.map((p) => p.probe.id).join(", ")}`);
  return 0;
}

/** The options run and test share. */
const runOptions = () => ({
  demo: { type: "boolean" as const, default: false },
  "base-url": { type: "string" as const },
  var: { type: "string" as const, multiple: true as const, default: [] as string[] },
  region: { type: "string" as const },
});

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...runOptions(), json: { type: "boolean", default: false }, repro: { type: "string" } },
  });
  const wanted = positionals[0];
  if (!wanted) throw new UsageError("run needs a probe id or file, e.g. `npm run probe -- run shop-checkout`");
  noExtraArguments("run", positionals, 1);
  const region = checkRegion(values.region);
  const baseUrl = checkUrl("--base-url", values["base-url"]);
  const vars = parseVars(values.var);
  let loaded: LoadedProbe | undefined;
  if (wanted.endsWith(".ts") || wanted.includes("/")) {
    loaded = (await loadValid(resolveProbePaths([wanted]), { varNames: Object.keys(vars), demo: values.demo }))[0];
  } else {
    writeRegistry();
    const validation = await validateProbeFiles(liveProbeFiles(), {
      typecheck: false,
      varNames: Object.keys(vars),
      valueNames: values.demo ? DEMO_VALUES : [],
    });
    loaded = validation.loaded.find((p) => p.probe.id === wanted);
    if (!loaded) {
      const known = `known: ${validation.loaded.map((p) => p.probe.id).join(", ")}`;
      // The probe may be one of the files with a problem: show them all.
      throw new UsageError(
        validation.problems.length
          ? `no valid probe '${wanted}'; ${known}\n${formatProblems(validation)}`
          : `no probe '${wanted}'; ${known}`,
      );
    }
  }
  if (!loaded) throw new UsageError(`no probe in ${wanted}`);
  if (loaded.probe.kind === "heartbeat")
    throw new UsageError(
      `${loaded.probe.id} is a heartbeat: your job pings it (see README "Heartbeats"); there is nothing to run`,
    );
  if (region !== undefined && !loaded.probe.regions.includes(region as never))
    console.error(
      `note: ${loaded.probe.id} does not run from ${region} in production (its regions: ${loaded.probe.regions.join(", ")})`,
    );

  const runner = await localRunner({ demo: values.demo, baseUrl, vars, region });
  try {
    const result = await runner.run(loaded);
    const script = runner.repro(loaded, result);
    if (values.repro && script) writeFileSync(values.repro, script, { mode: 0o755 });
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log(formatRun(result, loaded.probe.name, Boolean(process.stdout.isTTY), script, values.repro));
    return result.status === "up" ? 0 : 1;
  } finally {
    await runner.close();
  }
}

async function test(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...runOptions(),
      changed: { type: "boolean", default: false },
      reporter: { type: "string", default: "text" },
      output: { type: "string" },
      concurrency: { type: "string", default: "4" },
    },
  });
  if (values.changed && positionals.length) throw new UsageError("test: give paths or --changed, not both");
  const reporter = values.reporter;
  if (reporter !== "text" && reporter !== "junit" && reporter !== "github")
    throw new UsageError(`--reporter ${reporter}: expected text, junit or github`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
    throw new UsageError(`--concurrency ${values.concurrency}: expected a whole number from 1 to 32`);
  return testCommand({
    paths: positionals,
    changed: values.changed,
    run: {
      demo: values.demo,
      baseUrl: checkUrl("--base-url", values["base-url"]),
      vars: parseVars(values.var),
      region: checkRegion(values.region),
    },
    reporter,
    output: values.output,
    concurrency,
    loadValid,
  });
}

const COST_USAGE = `usage: npm run probe -- cost [options]
  Monthly Cloudflare usage and bill: every D1 row written (runs, evidence, retention, rollups,
  day histories, tick state, incidents), rows read by the tick, pages and APIs, storage at steady
  state against the database cap. Exit code 1 when there is a warning.
      --plan free|paid          the Workers plan to price (default paid)
      --views-per-second N      status page views per second (default 1)
      --slo-polls-per-minute N  /api/v1/slo calls for every probe per minute (default 0)
      --colos N                 Cloudflare locations your viewers reach, each with its own edge
                                cache (default 20, an assumption: a regional audience reaches
                                a handful, a worldwide one a few dozen)
      --cache-seconds N         edge cache lifetime, 0-300 (default PUBLIC_CACHE_SECONDS, else 60);
                                pages and /api/v1/slo render at most once per lifetime per location
      --failure-share X         share of runs down, degraded or confirmed, 0-1 (default 0.01)
      --releases N              releases marked a month: each watch runs every probe every minute (default 0)
      --release-minutes M       minutes each release is watched (default RELEASE_WATCH_MINUTES, 60)
      --probes N                price N one-step probes instead of probes/ (with --regions, --schedule)
      --regions N               regions of each of those probes, 1-9 (default 5)
      --schedule S              their schedule: 1m 2m 5m 10m 15m 30m 1h (default 1m; browser: 5m and up)
      --kind http|browser       their kind (default http); browser probes are priced in browser hours
                                and concurrent browsers too
      --browser-seconds N       seconds a browser run holds its browser (default 15)
      --json                    the estimate as JSON
      --help                    this text
  e.g. npm run probe -- cost --probes 200 --regions 5 --schedule 1m --views-per-second 10
       npm run probe -- cost --probes 20 --regions 3 --schedule 5m --kind browser
`;

function numberFlag(
  flag: string,
  raw: string | undefined,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`${flag} ${raw}: expected a number from ${min}${Number.isFinite(max) ? ` to ${max}` : " up"}`);
  return n;
}

async function cost(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      plan: { type: "string", default: "paid" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      "views-per-second": { type: "string" },
      "slo-polls-per-minute": { type: "string" },
      colos: { type: "string" },
      "cache-seconds": { type: "string" },
      "failure-share": { type: "string" },
      releases: { type: "string" },
      "release-minutes": { type: "string" },
      probes: { type: "string" },
      regions: { type: "string" },
      schedule: { type: "string" },
      kind: { type: "string" },
      "browser-seconds": { type: "string" },
    },
  });
  noExtraArguments("cost", positionals);
  if (values.help) {
    console.log(COST_USAGE);
    return 0;
  }
  if (values.plan !== "free" && values.plan !== "paid")
    throw new UsageError(`--plan ${values.plan}: expected free or paid`);
  const count = numberFlag("--probes", values.probes, 1);
  if (
    count === undefined &&
    (values.regions !== undefined || values.schedule !== undefined || values.kind !== undefined)
  ) {
    throw new UsageError("--regions, --schedule and --kind describe a hypothetical fleet: give --probes N too");
  }
  const kind = values.kind ?? "http";
  if (kind !== "http" && kind !== "browser") throw new UsageError(`--kind ${kind}: expected http or browser`);
  const schedule = values.schedule ?? (kind === "browser" ? "5m" : "1m");
  const allowed: readonly string[] = kind === "browser" ? BROWSER_SCHEDULES : Object.keys(SCHEDULES);
  if (!allowed.includes(schedule))
    throw new UsageError(
      `--schedule ${schedule}: expected one of ${allowed.join(" ")}${kind === "browser" ? " (browser probes run every 5 minutes at most)" : ""}`,
    );
  const probes =
    count === undefined
      ? await loadValid(liveProbeFiles(), { lint: false })
      : hypotheticalFleet(
          Math.round(count),
          Math.round(numberFlag("--regions", values.regions, 1, ALL_REGIONS.length) ?? 5),
          schedule as Schedule,
          kind,
        );
  const env = localValues(ROOT);
  const rawRunDays = Number(env.RAW_RETENTION_DAYS ?? DEFAULT_RETENTION.rawRunDays);
  const estimate = estimateCost(probes, {
    plan: values.plan,
    retention: { ...DEFAULT_RETENTION, rawRunDays },
    viewsPerSecond: numberFlag("--views-per-second", values["views-per-second"], 0) ?? 1,
    sloPollsPerMinute: numberFlag("--slo-polls-per-minute", values["slo-polls-per-minute"], 0) ?? 0,
    colos: Math.round(numberFlag("--colos", values.colos, 1) ?? 20),
    cacheSeconds: Math.round(
      numberFlag("--cache-seconds", values["cache-seconds"] ?? env.PUBLIC_CACHE_SECONDS, 0, 300) ?? 60,
    ),
    failureShare: numberFlag("--failure-share", values["failure-share"], 0, 1) ?? 0.01,
    releasesPerMonth: numberFlag("--releases", values.releases, 0) ?? 0,
    releaseWatchMinutes: Math.round(
      numberFlag("--release-minutes", values["release-minutes"] ?? env.RELEASE_WATCH_MINUTES, 5, 1440) ?? 60,
    ),
    ...(values["browser-seconds"] !== undefined
      ? { browserSecondsPerRun: numberFlag("--browser-seconds", values["browser-seconds"], 1, 600)! }
      : {}),
  });
  console.log(values.json ? JSON.stringify(estimate, null, 2) : formatCost(estimate));
  return estimate.warnings.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "list":
      return list(rest);
    case "validate":
      return validate(rest);
    case "run":
      return run(rest);
    case "test":
      return test(rest);
    case "cost":
      return cost(rest);
    case "token":
      return tokenCommand(rest);
    case "heartbeat":
      return heartbeatCommand(rest);
    case "release":
      return releaseCommand(rest);
    case "help":
    case "--help":
      console.log(USAGE);
      return 0;
    case undefined:
      console.error(`a command is needed\n\n${USAGE}`);
      return 2;
    default:
      throw new UsageError(`unknown command '${command}'\n\n${USAGE}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (
    error instanceof UsageError ||
    error instanceof TokenUsageError ||
    error instanceof ProbeFileError ||
    (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
  ) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  } else {
    throw error;
  }
}
