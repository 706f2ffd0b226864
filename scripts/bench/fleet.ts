/**
 * Fleet benchmark: does the probe network keep a fleet of N probes x 5 regions at 1m inside
 * bounded work per invocation, and what does a run cost in D1 rows and bytes?
 *
 * A temporary copy of the project gets N generated one-step probes (GET {{env:SHOP_URL}}/health,
 * expect 200; the demo shop holds /health back 100 ms) and runs under `wrangler dev` with the
 * paid plan's limits. The copy's Worker entry is counting-entry.ts: the real entry and the real
 * RegionRunner, with each invocation's D1 binding wrapped to count statements, rows written and
 * read (D1's meta) and bound values. T complete scheduled ticks (every stage of the real
 * scheduled handler) are fired at the first minutes of the current hour, as the cron fires them
 * (the hour is open: runs go into their blocks, sealing comes when it closes). Then /api/v1/slo for
 * every probe, /metrics and the status page are timed, the network stops, and the SQLite file is measured
 * (dbstat). A first pass at --baseline probes (default 100) runs the same way, so the statements
 * per invocation of both sizes are printed side by side.
 *
 *   rowsWrittenPerRun  rows written by every invocation of the last tick (the first ones also
 *                      write each probe's first states; day histories apart, counted once per
 *                      probe a day), over the runs it stored, plus what an
 *                      hour's close and retention write per run, from the blocks the ticks made
 *                      and the policy, because a few ticks of an open hour seal and delete
 *                      nothing yet: each run_blocks row is marked sealed once and deleted once
 *                      (the hour's runs of its probes share 2 rows), each pair's hourly rollup
 *                      is written once and deleted once and its day rebuilt once (60 runs share
 *                      3), each daily rollup deleted once (1,440 share 1), each evidence row
 *                      deleted once.
 *   bytesPerRun        run_blocks pages (dbstat), over the 60 runs each probe's block holds at
 *                      steady state: a block carries each probe's full 420-character minutes
 *                      from its first run, so its size is already the steady one.
 *
 * The last line printed is one JSON object with the figures. Everything stays on 127.0.0.1, every
 * wait has a timeout, and the temp dirs are always removed.
 *
 *   npm run bench:fleet                                  1,000 probes (after a 100-probe pass), 3 ticks
 *   npm run bench:fleet -- --probes 100 --ticks 2        one pass
 */
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { estimateCost } from "../../src/cost/estimate.ts";
import { planTick } from "../../src/schedule/plan.ts";
import { DEFAULT_RETENTION } from "../../src/storage/retention.ts";
import { HOUR_MS, MINUTE_MS } from "../../src/time.ts";
import { installCountingEntry, parseInvocation, type InvocationTally } from "./counting-entry.ts";
import { fixed, formatTable, int, positiveInt, progressLogger, quantile, withTimeout } from "./measure.ts";
import {
  BENCH_REGIONS as REGIONS,
  d1File,
  loadProjectProbes,
  makeGeneratedProject,
  NetworkLog,
  probeModuleSource,
  shopFaults,
  TempRun,
  type TickLine,
} from "./temp-project.ts";

const TARGET_DELAY_MS = 100;
const TARGET_PATH = "/health";
const TICK_TIMEOUT_MS = 240_000;
const LINE_WAIT_MS = 15_000;
const HTTP_TIMEOUT_MS = 30_000;
const API_SAMPLES = 5;
const RUNS_PER_HOUR_ROW = 60;
const RUNS_PER_DAY_ROW = 1440;

const { values: flags } = parseArgs({
  options: {
    probes: { type: "string", default: "1000" },
    ticks: { type: "string", default: "3" },
    baseline: { type: "string", default: "100" },
    verbose: { type: "boolean", default: false },
  },
});
const PROBES = positiveInt("--probes", flags.probes);
const TICKS = positiveInt("--ticks", flags.ticks);
const BASELINE = positiveInt("--baseline", flags.baseline);
if (TICKS > 59) throw new Error("--ticks: at most 59 (the ticks share one hour)");
const progress = progressLogger();

function probeId(i: number): string {
  return `fleet-${String(i).padStart(5, "0")}`;
}

function probeSource(i: number): string {
  return probeModuleSource({
    id: probeId(i),
    name: `Fleet probe ${i}`,
    group: "Fleet",
    schedule: "1m",
    regions: REGIONS,
    steps: [{ name: "health", method: "GET", url: `{{env:SHOP_URL}}${TARGET_PATH}`, expectStatus: 200 }],
  });
}

interface TickFigures {
  slotAt: number;
  wallS: number;
  status?: number;
  error?: string;
  line?: TickLine & Record<string, unknown>;
  planned: number;
  stored: number;
  invocations: InvocationTally[];
}

interface TableSize {
  rows: number;
  bytes: number;
  payload: number;
}

interface PassFigures {
  probes: number;
  ticks: TickFigures[];
  api: { path: string; ms: number[]; statuses: number[]; tally?: InvocationTally }[];
  tables: Record<string, TableSize>;
  evidenceRows: number;
  /** Probes summed over every run_blocks row: the (probe, region, hour) blocks stored. */
  probeBlocks: number;
  stageErrorLines: string[];
  costRowsPerRun: number;
}

/** Lines the tick or a stage logs when a stage failed (whatever the tick's version names them). */
function isStageError(line: string): boolean {
  return /"event":"[a-z_:.-]*(failed|error)[a-z_]*"/i.test(line) && !line.includes('"event":"bench_d1"');
}

/** Stage errors a tick line reports itself, when it has such a field (a later tick reports its stages). */
function stageErrorsOf(line: Record<string, unknown> | undefined): number {
  if (!line) return 0;
  if (typeof line.stageErrors === "number") return line.stageErrors;
  const stages = line.stages;
  if (stages && typeof stages === "object")
    return Object.values(stages as Record<string, { ok?: boolean; error?: unknown }>).filter(
      (s) => s && (s.ok === false || s.error !== undefined),
    ).length;
  return 0;
}

function measureFile(
  file: string,
  slots: readonly number[],
): { tables: Record<string, TableSize>; storedPerSlot: number[]; evidenceRows: number; probeBlocks: number } {
  const db = new DatabaseSync(file);
  try {
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const stat = new Map(
      (
        db.prepare("SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload FROM dbstat GROUP BY name").all() as {
          name: string;
          bytes: number;
          payload: number;
        }[]
      ).map((r) => [r.name, r]),
    );
    const tables: Record<string, TableSize> = {};
    for (const table of [
      "run_blocks",
      "run_evidence",
      "rollups_hourly",
      "rollups_daily",
      "day_history",
      "probe_states",
    ]) {
      const rows = (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      tables[table] = { rows, bytes: stat.get(table)?.bytes ?? 0, payload: stat.get(table)?.payload ?? 0 };
    }
    // Entries at the slot's minute of every probe of every block of its hour (7 characters each).
    const storedPerSlot = slots.map((slotAt) => {
      const minute = Math.floor(slotAt / MINUTE_MS) % 60;
      return (
        db
          .prepare(
            `SELECT count(*) AS n FROM run_blocks b, json_each(b.probes) p WHERE b.hour_at = ? AND substr(b.minutes, (p.key * 60 + ?) * 7 + 1, 1) <> '.'`,
          )
          .get(Math.floor(slotAt / HOUR_MS) * HOUR_MS, minute) as { n: number }
      ).n;
    });
    const probeBlocks = (
      db.prepare("SELECT coalesce(sum(json_array_length(probes)), 0) AS n FROM run_blocks").get() as { n: number }
    ).n;
    return { tables, storedPerSlot, evidenceRows: tables.run_evidence!.rows, probeBlocks };
  } finally {
    db.close();
  }
}

async function timeGet(url: string): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  } catch {
    return { ms: performance.now() - t0, status: 0 };
  }
}

async function fleetPass(count: number, ticks: number): Promise<PassFigures> {
  const log = new NetworkLog(flags.verbose);
  const invocations: InvocationTally[] = [];
  const tickStatuses = new Map<number, number>();
  const stageErrorLines: string[] = [];
  log.listeners.push((line) => {
    const tally = parseInvocation(line);
    if (tally) invocations.push(tally);
    const status = /tick (\S+Z) \(.*\): (\d+)$/.exec(line);
    if (status) tickStatuses.set(Date.parse(status[1]!), Number(status[2]));
    if (isStageError(line)) stageErrorLines.push(line.trim().slice(0, 300));
  });
  const run = new TempRun("afterlife-bench-fleet-", log);
  let figures: PassFigures | undefined;
  await run.run(async () => {
    progress(`${int(count)} probes: copying the project with the counting entry`);
    makeGeneratedProject(run.root, count, probeId, probeSource);
    installCountingEntry(run.root);
    const probes = await loadProjectProbes(run.root);
    progress(`${int(count)} probes: starting the local network (migrations, demo shop, wrangler dev)`);
    const network = await run.startNetwork(29787);
    await shopFaults(network.shopUrl, "POST", { path: TARGET_PATH, delayMs: TARGET_DELAY_MS }, HTTP_TIMEOUT_MS);

    // The first minutes of the current hour: the ticks share its blocks, as a real hour's do.
    const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
    const slots = Array.from({ length: ticks }, (_, i) => hour + i * MINUTE_MS);
    const tickFigures: TickFigures[] = [];
    for (const [i, slotAt] of slots.entries()) {
      progress(`${int(count)} probes: tick ${i + 1}/${ticks} (${new Date(slotAt).toISOString()})`);
      const first = invocations.length;
      const t0 = performance.now();
      const tick: TickFigures = {
        slotAt,
        wallS: 0,
        planned: planTick(probes, slotAt).length,
        stored: 0,
        invocations: [],
      };
      try {
        await withTimeout(network.fireTick(slotAt), TICK_TIMEOUT_MS, `tick ${i + 1}`);
      } catch (error) {
        tick.error = String(error);
      }
      tick.wallS = (performance.now() - t0) / 1000;
      const line = await log.waitForTick(slotAt, tick.error ? 1000 : LINE_WAIT_MS);
      if (line) tick.line = line as TickFigures["line"];
      // The scheduled invocation's own count is logged as it returns: wait for it (bounded).
      const deadline = performance.now() + LINE_WAIT_MS;
      while (!invocations.some((v) => v.kind === "scheduled" && v.slotAt === slotAt) && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      tick.invocations = invocations.slice(first).filter((v) => v.kind !== "fetch");
      tick.status = tickStatuses.get(slotAt);
      tickFigures.push(tick);
      progress(
        `  ${fixed(tick.wallS, 1)} s, status ${tick.status ?? "?"}, ${tick.invocations.length} invocations counted${line ? `, stored ${line.stored}` : ", no tick line"}`,
      );
      if (tick.error) break; // the Worker is still busy with it; later ticks would measure the backlog
    }

    const api: PassFigures["api"] = [];
    for (const path of ["/api/v1/slo", "/metrics", "/"]) {
      progress(`${int(count)} probes: timing ${path}`);
      const first = invocations.length;
      const samples = [];
      for (let k = 0; k < API_SAMPLES + 1; k++) samples.push(await timeGet(`${network.workerUrl}${path}`));
      await new Promise((r) => setTimeout(r, 500));
      const tallies = invocations.slice(first).filter((v) => v.kind === "fetch" && v.label === path);
      const worst = tallies.sort((a, b) => b.statements - a.statements)[0];
      api.push({
        path,
        ms: samples.slice(1).map((s) => s.ms),
        statuses: samples.map((s) => s.status),
        ...(worst ? { tally: worst } : {}),
      });
    }

    progress(`${int(count)} probes: stopping the network and reading the SQLite file`);
    await run.stopNetwork();
    const file = measureFile(d1File(run.persistTo), slots);
    tickFigures.forEach((t, i) => (t.stored = file.storedPerSlot[i] ?? 0));
    const storedAll = file.storedPerSlot.reduce((a, b) => a + b, 0);
    const estimate = estimateCost(probes, {
      plan: "paid",
      retention: DEFAULT_RETENTION,
      viewsPerSecond: 0,
      failureShare: storedAll ? file.evidenceRows / storedAll : 0,
    });
    figures = {
      probes: count,
      ticks: tickFigures,
      api,
      tables: file.tables,
      evidenceRows: file.evidenceRows,
      probeBlocks: file.probeBlocks,
      stageErrorLines,
      costRowsPerRun: estimate.rowsWrittenPerRun,
    };
  });
  return figures!;
}

interface Summary {
  probes: number;
  runsPlanned: number;
  runsStored: number;
  rowsWrittenMeasured: number;
  runsInMeasuredTicks: number;
  retentionPerRun: number;
  rowsWrittenPerRun: number;
  bytesPerRun: number;
  maxStatements: number;
  maxStatementsBy: Record<string, number>;
  maxBound: number;
  tickErrors: number;
  stageErrors: number;
  sloMs: number;
  metricsMs: number;
}

function summarize(p: PassFigures): Summary {
  // The last tick: the first ones also write each probe's first states (a success count that
  // settles after successesToClose ticks). Day histories are rebuilt 25 a tick until every probe
  // has one, then once a day: their rows are taken out here and counted once per probe a day.
  const steady = p.ticks.slice(-1);
  const rebuiltHistories = (t: TickFigures) =>
    Number((t.line as Record<string, { rebuilt?: number } | undefined> | undefined)?.["day-history"]?.rebuilt ?? 0);
  const rowsWrittenMeasured = steady.reduce(
    (n, t) => n + t.invocations.reduce((m, v) => m + v.rowsWritten, 0) - rebuiltHistories(t),
    0,
  );
  const runsInMeasuredTicks = steady.reduce((n, t) => n + t.stored, 0);
  const runsStored = p.ticks.reduce((n, t) => n + t.stored, 0);
  const evidenceShare = runsStored ? p.evidenceRows / runsStored : 0;
  // A full hour of the pairs these blocks hold: each block sealed and deleted once, each pair's
  // hourly rollup written and deleted and its day rebuilt once, its daily rollup deleted once a day.
  const blocks = p.tables.run_blocks!.rows;
  const blockRowsPerRun = p.probeBlocks ? (2 * blocks) / (p.probeBlocks * RUNS_PER_HOUR_ROW) : 0;
  const dayHistoryPerRun = p.probes / (REGIONS.length * p.probes * RUNS_PER_DAY_ROW);
  const retentionPerRun =
    blockRowsPerRun + 3 / RUNS_PER_HOUR_ROW + 1 / RUNS_PER_DAY_ROW + evidenceShare + dayHistoryPerRun;
  const all = [...p.ticks.flatMap((t) => t.invocations), ...p.api.flatMap((a) => (a.tally ? [a.tally] : []))];
  const maxStatementsBy: Record<string, number> = {};
  for (const v of all) {
    const key = v.kind === "fetch" ? v.label : v.kind;
    maxStatementsBy[key] = Math.max(maxStatementsBy[key] ?? 0, v.statements);
  }
  const blockBytes = p.tables.run_blocks!.bytes;
  const ms = (path: string) => quantile(p.api.find((a) => a.path === path)?.ms ?? [], 0.5);
  return {
    probes: p.probes,
    runsPlanned: p.ticks.reduce((n, t) => n + t.planned, 0),
    runsStored,
    rowsWrittenMeasured,
    runsInMeasuredTicks,
    retentionPerRun,
    rowsWrittenPerRun: runsInMeasuredTicks ? rowsWrittenMeasured / runsInMeasuredTicks + retentionPerRun : Number.NaN,
    bytesPerRun: p.probeBlocks ? blockBytes / (p.probeBlocks * RUNS_PER_HOUR_ROW) : Number.NaN,
    maxStatements: Math.max(0, ...all.map((v) => v.statements)),
    maxStatementsBy,
    maxBound: Math.max(0, ...all.map((v) => v.maxBindArity)),
    tickErrors: p.ticks.filter(
      (t) =>
        t.error ||
        (t.status !== undefined && t.status !== 200) ||
        t.invocations.some((v) => v.kind === "scheduled" && v.error),
    ).length,
    stageErrors: p.stageErrorLines.length + p.ticks.reduce((n, t) => n + stageErrorsOf(t.line), 0),
    sloMs: ms("/api/v1/slo"),
    metricsMs: ms("/metrics"),
  };
}

function printPass(p: PassFigures, s: Summary): void {
  console.log(
    `\n${int(p.probes)} probes x ${REGIONS.length} regions (${REGIONS.join(", ")}) at 1m, one step GET ${TARGET_PATH} (shop delay ${TARGET_DELAY_MS} ms), paid plan, wrangler dev on 127.0.0.1\n`,
  );
  console.log(
    formatTable(
      [
        "tick (UTC)",
        "status",
        "planned",
        "stored",
        "invocations",
        "statements (max)",
        "rows written",
        "of them shards",
        "rows read",
        "rows written/run",
        "max bound",
        "wall s",
      ],
      p.ticks.map((t, i) => {
        const written = t.invocations.reduce((n, v) => n + v.rowsWritten, 0);
        return [
          `#${i + 1} ${new Date(t.slotAt).toISOString().slice(11, 16)}`,
          t.error ? "timeout" : String(t.status ?? "?"),
          int(t.planned),
          int(t.stored),
          int(t.invocations.length),
          int(Math.max(0, ...t.invocations.map((v) => v.statements))),
          int(written),
          int(t.invocations.filter((v) => v.kind !== "scheduled").reduce((n, v) => n + v.rowsWritten, 0)),
          int(t.invocations.reduce((n, v) => n + v.rowsRead, 0)),
          t.stored ? fixed(written / t.stored, 3) : "-",
          int(Math.max(0, ...t.invocations.map((v) => v.maxBindArity))),
          fixed(t.wallS, 1),
        ];
      }),
    ),
  );
  for (const t of p.ticks) if (t.error) console.log(`   ${new Date(t.slotAt).toISOString()}: ${t.error}`);
  for (const t of p.ticks)
    for (const v of t.invocations) if (v.error) console.log(`   ${v.kind} ${v.label} threw: ${v.error.slice(0, 200)}`);
  for (const line of p.stageErrorLines.slice(0, 5)) console.log(`   stage error: ${line}`);
  console.log(
    `\n   statements per invocation, most by kind: ${Object.entries(s.maxStatementsBy)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  console.log(
    "\n" +
      formatTable(
        ["request", "statuses", "p50 ms", "max ms", "statements", "rows read"],
        p.api.map((a) => [
          a.path,
          [...new Set(a.statuses)].join(","),
          fixed(quantile(a.ms, 0.5), 0),
          fixed(Math.max(...a.ms), 0),
          a.tally ? int(a.tally.statements) : "-",
          a.tally ? int(a.tally.rowsRead) : "-",
        ]),
      ),
  );
  console.log(
    "\n" +
      formatTable(
        ["table", "rows", "bytes (pages)", "payload B/row", "pages B/row"],
        Object.entries(p.tables).map(([name, t]) => [
          name,
          int(t.rows),
          int(t.bytes),
          t.rows ? fixed(t.payload / t.rows, 1) : "-",
          t.rows ? fixed(t.bytes / t.rows, 1) : "-",
        ]),
      ),
  );
  console.log(
    `\n   rows written per run: ${fixed(s.rowsWrittenMeasured / Math.max(1, s.runsInMeasuredTicks), 3)} measured in tick ${p.ticks.length} (day histories apart) + ${fixed(s.retentionPerRun, 4)} hour close, retention and day histories (blocks sealed and deleted, 3/60 per pair's hourly rollup and day, 1/1,440 per daily row, evidence share, one history per probe a day) = ${fixed(s.rowsWrittenPerRun, 3)}; probe cost says ${fixed(p.costRowsPerRun, 3)} for this fleet (${fixed((p.costRowsPerRun / s.rowsWrittenPerRun - 1) * 100, 1)} %)`,
  );
  console.log(
    `   bytes per passing run at steady state: ${fixed(s.bytesPerRun, 1)} (run_blocks pages / (probes in blocks x ${RUNS_PER_HOUR_ROW}))`,
  );
}

async function main(): Promise<void> {
  const passes: PassFigures[] = [];
  if (BASELINE < PROBES) passes.push(await fleetPass(BASELINE, TICKS));
  passes.push(await fleetPass(PROBES, TICKS));
  const summaries = passes.map(summarize);
  for (const [i, p] of passes.entries()) printPass(p, summaries[i]!);
  if (summaries.length > 1) {
    console.log(`\nSide by side\n`);
    const keys: [string, (s: Summary) => string][] = [
      ["max statements per invocation", (s) => int(s.maxStatements)],
      ["max bound parameters", (s) => int(s.maxBound)],
      ["rows written per run", (s) => fixed(s.rowsWrittenPerRun, 3)],
      ["bytes per run", (s) => fixed(s.bytesPerRun, 1)],
      ["/api/v1/slo p50 ms", (s) => fixed(s.sloMs, 0)],
      ["/metrics p50 ms", (s) => fixed(s.metricsMs, 0)],
      ["tick errors / stage errors", (s) => `${s.tickErrors} / ${s.stageErrors}`],
    ];
    console.log(
      formatTable(
        ["", ...summaries.map((s) => `${int(s.probes)} probes`)],
        keys.map(([label, f]) => [label, ...summaries.map(f)]),
      ),
    );
  }
  const main = summaries[summaries.length - 1]!;
  const base = summaries.length > 1 ? summaries[0]! : undefined;
  const round = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
  console.log(
    JSON.stringify({
      probes: main.probes,
      regions: REGIONS.length,
      ticks: passes[passes.length - 1]!.ticks.length,
      runsPlanned: main.runsPlanned,
      runsStored: main.runsStored,
      rowsWrittenPerRun: round(main.rowsWrittenPerRun, 4),
      rowsWrittenPerRunMeasured: round(main.rowsWrittenMeasured / Math.max(1, main.runsInMeasuredTicks), 4),
      retentionRowsPerRun: round(main.retentionPerRun, 4),
      costRowsWrittenPerRun: round(passes[passes.length - 1]!.costRowsPerRun, 4),
      bytesPerRun: round(main.bytesPerRun, 1),
      maxStatementsPerInvocation: main.maxStatements,
      maxStatementsByKind: main.maxStatementsBy,
      maxBoundParameters: main.maxBound,
      tickErrors: main.tickErrors,
      stageErrors: main.stageErrors,
      sloMs: round(main.sloMs, 0),
      metricsMs: round(main.metricsMs, 0),
      ...(base
        ? {
            baseline: {
              probes: base.probes,
              maxStatementsPerInvocation: base.maxStatements,
              maxBoundParameters: base.maxBound,
              tickErrors: base.tickErrors,
              stageErrors: base.stageErrors,
            },
          }
        : {}),
    }),
  );
}

await main();
