/**
 * Step timing vs curl: does the step time Afterlife records match what an independent client
 * measures for the same request?
 *
 * Inside a Worker, Date.now() does not advance while code runs; it only moves forward across
 * I/O (a Spectre mitigation). The runner therefore takes its timestamps right around the awaited
 * fetch() and the awaited body read (src/probe/http-exchange.ts), so a step's totalMs is "request
 * out, last body byte in" as the Workers runtime saw it. This benchmark checks that figure
 * against curl's time_total for the same URL, on loopback, with the demo shop holding the
 * response back by 0, 50, 200 and 1000 ms:
 *
 *   Afterlife  the "product list" step (GET /api/products) of probes/shop-home.ts, run by the
 *              real cron path in workerd (`wrangler dev`, fired with fireTick), read back from
 *              GET /api/v1/runs/:id: TICKS_PER_DELAY ticks x 3 regions per delay.
 *   curl       `curl -s -o /dev/null -w '%{time_total}'` on the same URL, CURL_RUNS times, one
 *              after another (each a fresh process and connection).
 *   node       the same runner code (runProbe) in this Node process, NODE_RUNS times; for
 *              reference only.
 *
 * Runs are not paired request by request, so differences are taken against curl's median for
 * the same delay: "med diff" is Afterlife median minus curl median, "worst |diff|" is the largest
 * |Afterlife sample - curl median|. The summary pools every Afterlife sample the same way.
 *
 * Everything stays on 127.0.0.1; the local network lives in a fresh temp dir that is removed at
 * the end. Run with `npm run bench:timing` (about a minute).
 */
import { MINUTE_MS } from "../../src/time.ts";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import shopHome from "../../probes/shop-home.ts";
import { loadRegistry, type LoadedProbe } from "../../src/probe/registry.ts";
import type { RunResult } from "../../src/probe/result.ts";
import { runProbe } from "../../src/probe/run-probe.ts";
import { slotOf } from "../../src/schedule/plan.ts";
import { startLocalNetwork, type LocalNetwork } from "../local/local-network.ts";
import { formatTable, quantile, withTimeout } from "./measure.ts";
import { freePorts, NetworkLog, shopFaults } from "./temp-project.ts";

const DELAYS_MS = [0, 50, 200, 1000];
const TICKS_PER_DELAY = 4;
const CURL_RUNS = 12;
const NODE_RUNS = 12;
const STEP_NAME = "product list";
const TARGET_PATH = "/api/products";
const CURL_REGION = "weur";
const HTTP_TIMEOUT_MS = 15_000;
const TICK_TIMEOUT_MS = 30_000;

interface DelaySamples {
  delayMs: number;
  afterlife: number[];
  curl: number[];
  node: number[];
}

// ---------------------------------------------------------------- statistics

const median = (values: readonly number[]) => quantile(values, 0.5);
const p90 = (values: readonly number[]) => quantile(values, 0.9);

/** Each Afterlife sample minus curl's median for the same delay. */
function differences(samples: DelaySamples): number[] {
  const curlMedian = median(samples.curl);
  return samples.afterlife.map((ms) => ms - curlMedian);
}

function worstAbsolute(values: readonly number[]): number {
  return Math.max(...values.map(Math.abs));
}

// ---------------------------------------------------------------- the shop's fault knob

async function controlFaults(
  shopUrl: string,
  method: "POST" | "DELETE",
  fault?: { path: string; delayMs: number },
): Promise<void> {
  await shopFaults(shopUrl, method, fault, HTTP_TIMEOUT_MS);
}

async function setDelay(shopUrl: string, delayMs: number): Promise<void> {
  await controlFaults(shopUrl, "DELETE");
  await controlFaults(shopUrl, "POST", { path: TARGET_PATH, delayMs });
}

// ---------------------------------------------------------------- Afterlife in workerd

async function readRun(workerUrl: string, runId: string): Promise<RunResult> {
  const res = await fetch(`${workerUrl}/api/v1/runs/${encodeURIComponent(runId)}`, {
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`GET /api/v1/runs/${runId} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as RunResult;
}

function stepTotalMs(run: Pick<RunResult, "runId" | "steps">): number {
  const step = run.steps.find((s) => s.name === STEP_NAME);
  if (!step) throw new Error(`run ${run.runId} has no step '${STEP_NAME}'`);
  if (step.status !== "passed")
    throw new Error(`run ${run.runId}: step '${STEP_NAME}' ${step.status}: ${step.failure?.message ?? "no message"}`);
  return step.totalMs;
}

/** Fires one tick for `slotAt` and returns the step time of every shop-home run it stored. */
async function afterlifeTick(network: LocalNetwork, probe: LoadedProbe, slotAt: number): Promise<number[]> {
  await withTimeout(network.fireTick(slotAt), TICK_TIMEOUT_MS, `the tick for ${new Date(slotAt).toISOString()}`);
  const { id, regions } = probe.probe;
  const runs = await Promise.all(regions.map((region) => readRun(network.workerUrl, `${id}.${region}.${slotAt}`)));
  return runs.map(stepTotalMs);
}

// ---------------------------------------------------------------- curl and in-process Node

function curlTotalMs(url: string): Promise<number> {
  const args = [
    "-s",
    "--fail",
    "-o",
    "/dev/null",
    "-w",
    "%{time_total}",
    "-H",
    `x-afterlife-region: ${CURL_REGION}`,
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("curl", args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => {
      const seconds = Number(out.trim());
      if (code === 0 && Number.isFinite(seconds)) resolve(seconds * 1000);
      else reject(new Error(`curl ${url} exited with ${code} (output '${out}')`));
    });
  });
}

async function nodeStepMs(probe: LoadedProbe, shopUrl: string): Promise<number> {
  const run = await runProbe(
    probe,
    { region: CURL_REGION, colo: "node", slotAt: slotOf(Date.now()) },
    {
      fetch: globalThis.fetch,
      now: () => performance.timeOrigin + performance.now(),
      randomId: () => crypto.randomUUID(),
      values: { SHOP_URL: shopUrl },
      allowPrivateTargets: true,
    },
  );
  return stepTotalMs(run);
}

async function repeat(times: number, measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await measure());
  return samples;
}

// ---------------------------------------------------------------- one delay

/** Distinct minute slots a day in the past, so no two ticks of the benchmark share a run id. */
function slotFor(delayIndex: number, tick: number): number {
  const base = slotOf(Date.now()) - 24 * 60 * MINUTE_MS;
  return base + (delayIndex * TICKS_PER_DELAY + tick) * MINUTE_MS;
}

async function measureDelay(
  network: LocalNetwork,
  probe: LoadedProbe,
  delayMs: number,
  delayIndex: number,
): Promise<DelaySamples> {
  await setDelay(network.shopUrl, delayMs);
  const afterlife: number[] = [];
  for (let tick = 0; tick < TICKS_PER_DELAY; tick++)
    afterlife.push(...(await afterlifeTick(network, probe, slotFor(delayIndex, tick))));
  const curl = await repeat(CURL_RUNS, () => curlTotalMs(`${network.shopUrl}${TARGET_PATH}`));
  const node = await repeat(NODE_RUNS, () => nodeStepMs(probe, network.shopUrl));
  return { delayMs, afterlife, curl, node };
}

// ---------------------------------------------------------------- report

const ms = (value: number) => value.toFixed(1);
const signed = (value: number) => `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;

function tableRow(s: DelaySamples): string[] {
  const diffs = differences(s);
  const curlMedian = median(s.curl);
  const ratio = curlMedian > 0 ? (median(s.afterlife) / curlMedian).toFixed(3) : "n/a";
  return [
    `${s.delayMs}`,
    `${s.afterlife.length}/${s.curl.length}/${s.node.length}`,
    `${ms(median(s.afterlife))} / ${ms(p90(s.afterlife))}`,
    `${ms(curlMedian)} / ${ms(p90(s.curl))}`,
    `${ms(median(s.node))} / ${ms(p90(s.node))}`,
    signed(median(s.afterlife) - curlMedian),
    ms(worstAbsolute(diffs)),
    ratio,
  ];
}

function printReport(results: DelaySamples[]): void {
  const header = [
    "delay ms",
    "n al/curl/node",
    "afterlife med/p90",
    "curl med/p90",
    "node med/p90",
    "med diff",
    "worst |diff|",
    "ratio",
  ];
  console.log(formatTable(header, results.map(tableRow), "right"));
  const pooled = results.flatMap(differences);
  const worst = results
    .map((s) => ({ delayMs: s.delayMs, worst: worstAbsolute(differences(s)) }))
    .reduce((a, b) => (b.worst > a.worst ? b : a));
  console.log(
    `\nsummary: over ${pooled.length} Afterlife step timings, median difference to curl ${signed(median(pooled))} ms, ` +
      `worst |difference| ${ms(worst.worst)} ms (at ${worst.delayMs} ms delay)`,
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const [probe] = loadRegistry([{ file: "probes/shop-home.ts", definition: shopHome }]);
  const persistTo = await mkdtemp(join(tmpdir(), "afterlife-bench-timing-"));
  const networkLog = new NetworkLog(false, 40);
  let network: LocalNetwork | undefined;
  try {
    console.error("starting the local network (D1, demo shop, wrangler dev)…");
    network = await startLocalNetwork({
      persistTo,
      cronDriver: false,
      log: networkLog.log,
      ...(await freePorts(28787)),
    });
    const results: DelaySamples[] = [];
    for (const [index, delayMs] of DELAYS_MS.entries()) {
      console.error(`delay ${delayMs} ms: ${TICKS_PER_DELAY} ticks, ${CURL_RUNS} curl runs, ${NODE_RUNS} node runs…`);
      results.push(await measureDelay(network, probe!, delayMs, index));
    }
    console.log(`\nstep '${STEP_NAME}' (GET ${TARGET_PATH} on 127.0.0.1) - times in ms\n`);
    printReport(results);
    console.error(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    networkLog.printRecent();
    throw error;
  } finally {
    if (network) {
      await controlFaults(network.shopUrl, "DELETE").catch(() => {});
      await network.stop();
    }
    await rm(persistTo, { recursive: true, force: true });
  }
}

await main();
