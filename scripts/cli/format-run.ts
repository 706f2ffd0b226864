/** The CLI's human report of one run: a step table, the failure, its evidence and the repro script. */
import { styleText } from "node:util";
import type { BrowserEvidence, RunResult, StepResult } from "../../src/probe/result.ts";

type Style = Parameters<typeof styleText>[0];

export function formatRun(
  run: RunResult & { screenshotFile?: string },
  probeName: string,
  color: boolean,
  repro?: string,
  reproFile?: string,
): string {
  const paint = (style: Style, text: string) => (color ? styleText(style, text) : text);
  const lines: string[] = [];
  lines.push(`${paint("bold", run.probeId)}  ${probeName}  (region ${run.region}, version ${run.probeVersion})`);
  const width = Math.max(4, ...run.steps.map((s) => s.name.length));
  for (const step of run.steps) lines.push(...formatStep(step, width, paint));
  const verdict =
    run.status === "up"
      ? paint("green", "UP")
      : run.status === "degraded"
        ? paint("yellow", "DEGRADED")
        : paint("red", "DOWN");
  lines.push("");
  lines.push(
    `${verdict}  in ${Math.round(run.durationMs)} ms${run.failure ? ` — ${run.failure.class} failure in "${run.failure.step}": ${run.failure.message}` : ""}`,
  );
  if (run.browser) lines.push(...formatBrowser(run.browser, run.screenshotFile, paint));
  const failed = run.steps.find((s) => s.evidence);
  if (failed?.evidence) {
    const { request, response, curl } = failed.evidence;
    lines.push("", paint("bold", "Evidence"), `  request   ${request.method} ${request.url}`);
    for (const [name, value] of Object.entries(request.headers)) lines.push(`            ${name}: ${value}`);
    if (request.body !== undefined) lines.push(`  body      ${request.body}`);
    if (response) {
      lines.push(
        `  response  ${response.status}${response.truncated ? ` (body cut, ${response.bodyBytes} bytes in all)` : ""}`,
      );
      for (const [name, value] of Object.entries(response.headers)) lines.push(`            ${name}: ${value}`);
      if (response.body) lines.push(`  body      ${response.body.split("\n").join("\n            ")}`);
    }
    if (!repro)
      lines.push(
        "",
        paint("bold", "Reproduce"),
        curl
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n"),
      );
  }
  if (repro) {
    lines.push(
      "",
      paint(
        "bold",
        `Reproduce (the journey up to "${run.failure?.step}"; ${reproFile ? `written to ${reproFile}` : "save as repro.sh, then sh repro.sh"})`,
      ),
    );
    lines.push(repro.trimEnd());
  }
  return lines.join("\n");
}

const VITALS: [keyof BrowserEvidence["vitals"], string][] = [
  ["lcpMs", "LCP"],
  ["fcpMs", "FCP"],
  ["ttfbMs", "TTFB"],
  ["loadMs", "load"],
  ["inpMs", "INP"],
];

function formatBrowser(
  browser: BrowserEvidence,
  screenshotFile: string | undefined,
  paint: (s: Style, t: string) => string,
): string[] {
  const { vitals } = browser;
  const figures = VITALS.filter(([key]) => vitals[key] !== undefined).map(
    ([key, label]) => `${label} ${vitals[key]} ms`,
  );
  if (vitals.cls !== undefined) figures.push(`CLS ${vitals.cls}`);
  const lines = [
    "",
    `${paint("bold", "Web Vitals")}  ${figures.join("  ") || "none measured"}  (browser held ${Math.round(browser.browserMs)} ms)`,
  ];
  if (browser.consoleErrors.length) {
    lines.push(paint("bold", "Console errors"));
    for (const e of browser.consoleErrors) lines.push(`  [${e.step}] ${e.text}`);
  }
  if (browser.failedRequests.length) {
    lines.push(paint("bold", "Failed requests"));
    for (const r of browser.failedRequests)
      lines.push(`  [${r.step}] ${r.method} ${r.url} ${r.status ?? r.error ?? ""}`);
  }
  if (browser.screenshot)
    lines.push(
      `${paint("bold", "Screenshot")}  ${screenshotFile ?? browser.screenshot.key} (${browser.screenshot.width}x${browser.screenshot.height}, ${browser.screenshot.bytes} bytes, at "${browser.screenshot.step}")`,
    );
  else if (browser.screenshotNote) lines.push(`${paint("bold", "Screenshot")}  ${browser.screenshotNote}`);
  return lines;
}

function formatStep(step: StepResult, width: number, paint: (s: Style, t: string) => string): string[] {
  const mark =
    step.status === "passed" ? paint("green", "✓") : step.status === "failed" ? paint("red", "✗") : paint("gray", "-");
  const statusCodes = step.exchanges.map((e) => e.status ?? "—").join("→") || "   ";
  const answered = step.exchanges.some((e) => e.status !== undefined);
  const time =
    step.status === "skipped"
      ? "skipped"
      : `${Math.round(step.totalMs)} ms`.padStart(8) +
        (answered ? `  (headers ${Math.round(step.ttfbMs)} ms)` : step.exchanges.length ? "  (no response)" : "");
  const lines = [`  ${mark} ${step.name.padEnd(width)}  ${String(statusCodes).padEnd(7)} ${time}`];
  for (const a of step.assertions) {
    const sign = a.passed ? paint("green", "✓") : paint("red", "✗");
    lines.push(`      ${sign} ${a.label}: expected ${a.expected}, got ${a.actual}`);
  }
  if (step.failure && !step.failure.assertion)
    lines.push(`      ${paint("red", "✗")} ${step.failure.class}: ${step.failure.message}`);
  return lines;
}
