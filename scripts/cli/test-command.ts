/**
 * `probe test`: runs many probes (the paths given, all of probes/, or the files changed since git
 * HEAD) in parallel with a bound, a summary line each, and a report for CI: JUnit XML or GitHub
 * workflow annotations. Exit codes as `run`: 0 all up, 1 any down or degraded, 2 bad input.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { styleText } from "node:util";
import ts from "typescript";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { ROOT } from "../local/local-network.ts";
import { formatRun } from "./format-run.ts";
import { githubAnnotations } from "./github-annotations.ts";
import { junitReport } from "./junit-report.ts";
import type { ProbeOutcome } from "./probe-outcome.ts";
import { changedProbeFiles, liveProbeFiles, resolveProbePaths } from "./probe-files.ts";
import { localRunner, type LocalRunOptions } from "./run-locally.ts";
import { locate } from "./source-positions.ts";

interface TestOptions {
  paths: string[];
  changed: boolean;
  run: LocalRunOptions;
  reporter: "text" | "junit" | "github";
  output?: string | undefined;
  concurrency: number;
  loadValid(files: string[], check: { varNames?: string[]; demo?: boolean }): Promise<LoadedProbe[]>;
}

/** Runs `task` over `items` with at most `limit` at once, results in the items' order. */
async function mapBounded<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function summaryLine(o: ProbeOutcome, color: boolean): string {
  const paint = (style: Parameters<typeof styleText>[0], text: string) => (color ? styleText(style, text) : text);
  const { result, loaded } = o;
  const mark =
    result.status === "up"
      ? paint("green", "✓")
      : result.status === "degraded"
        ? paint("yellow", "!")
        : paint("red", "✗");
  const verdict = result.status.toUpperCase().padEnd(8);
  const why = result.failure
    ? ` — ${result.failure.class} failure in "${result.failure.step}": ${result.failure.message}`
    : result.status === "degraded"
      ? ` — slower than ${loaded.probe.kind === "heartbeat" ? "" : loaded.probe.degradedAfterMs} ms`
      : "";
  return `${mark} ${loaded.probe.id}  ${verdict} ${`${Math.round(result.durationMs)} ms`.padStart(8)}  ${loaded.file}${why}`;
}

/** The line of the failing step in the probe's source, for annotations. */
function failingLine(loaded: LoadedProbe, stepIndex: number): number | undefined {
  const abs = loaded.file.startsWith("/") ? loaded.file : `${ROOT}/${loaded.file}`;
  try {
    const sf = ts.createSourceFile(abs, readFileSync(abs, "utf8"), ts.ScriptTarget.Latest, true);
    return locate(sf, ["steps", stepIndex]).line;
  } catch {
    return undefined;
  }
}

export async function testCommand(options: TestOptions): Promise<number> {
  const files = options.changed
    ? changedProbeFiles()
    : options.paths.length
      ? resolveProbePaths(options.paths)
      : liveProbeFiles();
  const out = (text: string) =>
    options.reporter === "text" || options.output ? console.log(text) : console.error(text);
  if (files.length === 0) {
    out(options.changed ? "no probe files changed since git HEAD" : "no probe files");
    if (options.reporter !== "text") emit(options, []);
    return 0;
  }
  // Heartbeats are pushed by the software: there is nothing to run locally.
  const probes = (
    await options.loadValid(files, { varNames: Object.keys(options.run.vars), demo: options.run.demo })
  ).filter((p) => p.probe.kind !== "heartbeat");
  const color = Boolean(process.stdout.isTTY) && options.reporter === "text";
  const runner = await localRunner(options.run);
  let outcomes: ProbeOutcome[];
  try {
    outcomes = await mapBounded(probes, options.concurrency, async (loaded) => {
      const result = await runner.run(loaded);
      const repro = runner.repro(loaded, result);
      const failedAt = result.steps.findIndex((s) => s.status === "failed");
      const line = failedAt >= 0 ? failingLine(loaded, failedAt) : undefined;
      const outcome: ProbeOutcome = {
        loaded,
        result,
        details: formatRun(result, loaded.probe.name, false, repro),
        ...(line ? { line } : {}),
      };
      out(summaryLine(outcome, color));
      return outcome;
    });
  } finally {
    await runner.close();
  }
  const up = outcomes.filter((o) => o.result.status === "up").length;
  if (options.reporter === "text") {
    for (const o of outcomes.filter((o) => o.result.status !== "up"))
      console.log(`\n${formatRun(o.result, o.loaded.probe.name, color, runner.repro(o.loaded, o.result))}`);
  }
  out(`\n${up} passed, ${outcomes.length - up} failed (${outcomes.length} probe${outcomes.length === 1 ? "" : "s"})`);
  if (options.reporter !== "text") emit(options, outcomes);
  return up === outcomes.length ? 0 : 1;
}

function emit(options: TestOptions, outcomes: ProbeOutcome[]): void {
  const report = options.reporter === "junit" ? junitReport(outcomes) : githubAnnotations(outcomes);
  if (options.output) writeFileSync(options.output, report);
  else process.stdout.write(report.endsWith("\n") ? report : `${report}\n`);
}
