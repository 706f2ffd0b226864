/**
 * The probe CLI for QA (runs in Node with the same runner code as the Worker):
 *
 *   npm run probe -- list
 *   npm run probe -- validate
 *   npm run probe -- cost [--plan free|paid] [--views-per-second N] [--colos N] [--cache-seconds N] [--probes N --regions N --schedule S] [--json] (--help)
 *   npm run probe -- run <id|file> [--demo] [--base-url URL] [--var k=v]... [--region R] [--json]
 *
 * Exit codes: 0 up (or valid), 1 down or degraded, 2 bad input.
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { formatProblem, loadRegistry, ProbeRegistryError, type LoadedProbe, type ProbeModule } from "../../src/probe/registry.ts";
import { runProbe } from "../../src/probe/run-probe.ts";
import { slotOf } from "../../src/schedule/plan.ts";
import { startShop } from "../demo-target/shop.ts";
import { probeFiles, writeRegistry } from "../generate-probe-registry.ts";
import { ROOT } from "../local/local-network.ts";
import { estimateCost } from "../../src/cost/estimate.ts";
import { ALL_REGIONS, hypotheticalFleet } from "../../src/cost/hypothetical-fleet.ts";
import type { Schedule } from "../../src/probe/schema.ts";
import { SCHEDULES } from "../../src/probe/schema.ts";
import { DEFAULT_RETENTION } from "../../src/storage/retention.ts";
import { formatCost } from "./format-cost.ts";
import { formatRun } from "./format-run.ts";
import { tokenCommand, TokenUsageError } from "./tokens.ts";
import { localValues, localVarNames } from "./local-values.ts";

const USAGE = `usage:
  npm run probe -- list                      the probes in probes/
  npm run probe -- validate                  check every probe; path-precise errors, exit 2 if any
  npm run probe -- cost [options]            monthly Cloudflare usage and bill (cost --help for options)
  npm run probe -- token create --name NAME --scope write [--remote]
  npm run probe -- token list | token revoke ID [--remote]
  npm run probe -- run <id|file> [options]   run one probe once, here, with the Worker's runner
      --demo             start the bundled demo shop and point SHOP_URL at it
      --base-url URL     override the probe's baseUrl
      --var name=value   set a variable (repeatable)
      --region R         the region label to send (default: the probe's first region)
      --json             print the run result as JSON
`;

class UsageError extends Error {}

async function importProbes(): Promise<{ modules: ProbeModule[]; importErrors: string[] }> {
  writeRegistry();
  const modules: ProbeModule[] = [];
  const importErrors: string[] = [];
  for (const file of probeFiles()) {
    try {
      const mod = (await import(pathToFileURL(join(ROOT, "probes", file)).href)) as { default?: unknown };
      modules.push({ file: `probes/${file}`, definition: mod.default });
    } catch (error) {
      importErrors.push(`  probes/${file}: the file failed to load: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { modules, importErrors };
}

async function loadProbes(): Promise<LoadedProbe[]> {
  const { modules, importErrors } = await importProbes();
  try {
    const probes = loadRegistry(modules);
    if (importErrors.length) throw new UsageError(`probes/ has files that do not load:\n${importErrors.join("\n")}`);
    return probes;
  } catch (error) {
    if (error instanceof ProbeRegistryError) {
      throw new UsageError(`${error.problems.length + importErrors.length} problem(s) in probes/:\n${[...importErrors, ...error.problems.map(formatProblem)].join("\n")}`);
    }
    throw error;
  }
}

async function list(): Promise<number> {
  const probes = await loadProbes();
  const width = Math.max(...probes.map((p) => p.probe.id.length));
  for (const { probe, file } of probes) {
    console.log(`${probe.id.padEnd(width)}  ${probe.schedule.padEnd(3)}  ${probe.regions.join(",").padEnd(20)}  ${probe.group} / ${probe.name}  (${file}, ${probe.steps.length} steps)`);
  }
  return 0;
}

async function validate(): Promise<number> {
  const probes = await loadProbes();
  console.log(`${probes.length} probe(s) valid: ${probes.map((p) => p.probe.id).join(", ")}`);
  return 0;
}

function parseVars(pairs: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--var ${pair}: expected name=value, e.g. --var orderId=42`);
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return vars;
}

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      demo: { type: "boolean", default: false },
      "base-url": { type: "string" },
      var: { type: "string", multiple: true, default: [] },
      region: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const wanted = positionals[0];
  if (!wanted) throw new UsageError("run needs a probe id or file, e.g. `npm run probe -- run shop-checkout`");
  const probes = await loadProbes();
  const wantedFile = wanted.endsWith(".ts") ? `probes/${resolve(wanted).split("/probes/").pop()}` : undefined;
  const loaded = probes.find((p) => p.probe.id === wanted || p.file === wantedFile);
  if (!loaded) throw new UsageError(`no probe '${wanted}'; known: ${probes.map((p) => p.probe.id).join(", ")}`);

  const region = values.region ?? loaded.probe.regions[0]!;
  const env = localValues(ROOT);
  const shop = values.demo ? await startShop({ password: env.SHOP_PASSWORD ?? undefined }) : undefined;
  if (shop) env.SHOP_URL = shop.url;
  const probe = values["base-url"] ? { ...loaded, probe: { ...loaded.probe, baseUrl: values["base-url"] } } : loaded;
  try {
    const result = await runProbe(
      probe,
      { region, colo: "local", slotAt: slotOf(Date.now()), vars: parseVars(values.var) },
      {
        fetch: globalThis.fetch,
        now: () => performance.timeOrigin + performance.now(),
        randomId: () => crypto.randomUUID(),
        values: env,
        publicValueNames: new Set(localVarNames(ROOT)),
        // QA's own machine: staging on a private network or a local server is a fair target.
        allowPrivateTargets: true,
      },
    );
    console.log(values.json ? JSON.stringify(result, null, 2) : formatRun(result, loaded.probe.name, Boolean(process.stdout.isTTY)));
    return result.status === "up" ? 0 : 1;
  } finally {
    await shop?.close();
  }
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
      --cache-seconds N         edge cache lifetime, 0-300 (default PUBLIC_CACHE_SECONDS, else 15);
                                pages and /api/v1/slo render at most once per lifetime per location
      --failure-share X         share of runs down, degraded or confirmed, 0-1 (default 0.01)
      --probes N                price N one-step probes instead of probes/ (with --regions, --schedule)
      --regions N               regions of each of those probes, 1-9 (default 5)
      --schedule S              their schedule: 1m 2m 5m 10m 15m 30m 1h (default 1m)
      --json                    the estimate as JSON
      --help                    this text
  e.g. npm run probe -- cost --probes 200 --regions 5 --schedule 1m --views-per-second 10
`;

function numberFlag(flag: string, raw: string | undefined, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max) throw new UsageError(`${flag} ${raw}: expected a number from ${min}${Number.isFinite(max) ? ` to ${max}` : " up"}`);
  return n;
}

async function cost(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      plan: { type: "string", default: "paid" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      "views-per-second": { type: "string" },
      "slo-polls-per-minute": { type: "string" },
      colos: { type: "string" },
      "cache-seconds": { type: "string" },
      "failure-share": { type: "string" },
      probes: { type: "string" },
      regions: { type: "string" },
      schedule: { type: "string" },
    },
  });
  if (values.help) {
    console.log(COST_USAGE);
    return 0;
  }
  if (values.plan !== "free" && values.plan !== "paid") throw new UsageError(`--plan ${values.plan}: expected free or paid`);
  const count = numberFlag("--probes", values.probes, 1);
  if (count === undefined && (values.regions !== undefined || values.schedule !== undefined)) throw new UsageError("--regions and --schedule describe a hypothetical fleet: give --probes N too");
  const schedule = values.schedule ?? "1m";
  if (!(schedule in SCHEDULES)) throw new UsageError(`--schedule ${schedule}: expected one of ${Object.keys(SCHEDULES).join(" ")}`);
  const probes =
    count === undefined ? await loadProbes() : hypotheticalFleet(Math.round(count), Math.round(numberFlag("--regions", values.regions, 1, ALL_REGIONS.length) ?? 5), schedule as Schedule);
  const env = localValues(ROOT);
  const rawRunDays = Number(env.RAW_RETENTION_DAYS ?? DEFAULT_RETENTION.rawRunDays);
  const estimate = estimateCost(probes, {
    plan: values.plan,
    retention: { ...DEFAULT_RETENTION, rawRunDays },
    viewsPerSecond: numberFlag("--views-per-second", values["views-per-second"], 0) ?? 1,
    sloPollsPerMinute: numberFlag("--slo-polls-per-minute", values["slo-polls-per-minute"], 0) ?? 0,
    colos: Math.round(numberFlag("--colos", values.colos, 1) ?? 20),
    cacheSeconds: Math.round(numberFlag("--cache-seconds", values["cache-seconds"] ?? env.PUBLIC_CACHE_SECONDS, 0, 300) ?? 15),
    failureShare: numberFlag("--failure-share", values["failure-share"], 0, 1) ?? 0.01,
  });
  console.log(values.json ? JSON.stringify(estimate, null, 2) : formatCost(estimate));
  return estimate.warnings.length ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "list":
      return list();
    case "validate":
      return validate();
    case "run":
      return run(rest);
    case "cost":
      return cost(rest);
    case "token":
      return tokenCommand(rest);
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError || error instanceof TokenUsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  } else {
    throw error;
  }
}
