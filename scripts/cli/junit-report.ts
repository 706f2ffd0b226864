/**
 * JUnit XML for CI systems (GitHub, GitLab, Jenkins, CircleCI read it): one testcase per probe,
 * a failed or degraded run as a <failure> whose type is the failure class and whose text holds
 * the step table and the repro script.
 */
import type { ProbeOutcome } from "./probe-outcome.ts";

function xml(text: string): string {
  // Characters XML 1.0 cannot hold at all are dropped; the rest are escaped.
  return text
    .replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitReport(outcomes: ProbeOutcome[], suiteName = "afterlife probes", timestamp = new Date()): string {
  const failures = outcomes.filter((o) => o.result.status !== "up").length;
  const total = outcomes.reduce((sum, o) => sum + o.result.durationMs, 0);
  const cases = outcomes.map(({ loaded, result, details }) => {
    const open = `    <testcase classname="${xml(loaded.file)}" name="${xml(`${loaded.probe.id} (${loaded.probe.name})`)}" file="${xml(loaded.file)}" time="${seconds(result.durationMs)}">`;
    if (result.status === "up") return `${open}</testcase>`;
    const type = result.failure?.class ?? "degraded";
    const message = result.failure
      ? `${result.failure.class} failure in "${result.failure.step}": ${result.failure.message}`
      : `slower than degradedAfterMs ${loaded.probe.kind === "heartbeat" ? "" : loaded.probe.degradedAfterMs} ms: ${Math.round(result.durationMs)} ms`;
    return `${open}\n      <failure type="${xml(type)}" message="${xml(message)}">${xml(details)}</failure>\n    </testcase>`;
  });
  const counts = `tests="${outcomes.length}" failures="${failures}" errors="0"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(suiteName)}" ${counts} time="${seconds(total)}">`,
    `  <testsuite name="${xml(suiteName)}" ${counts} skipped="0" time="${seconds(total)}" timestamp="${timestamp.toISOString().slice(0, 19)}">`,
    ...cases,
    "  </testsuite>",
    "</testsuites>",
    "",
  ].join("\n");
}
