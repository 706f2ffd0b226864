/**
 * GitHub Actions workflow commands: an `::error` annotation per failed probe, placed on the
 * line of its failing step, so the failure shows in the pull request's diff.
 */
import type { ProbeOutcome } from "./probe-outcome.ts";

/** Escapes as the runner expects: data %, CR, LF; properties also ':' and ','. */
const data = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const property = (text: string) => data(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

export function githubAnnotations(outcomes: ProbeOutcome[]): string {
  const lines: string[] = [];
  for (const { loaded, result, line } of outcomes) {
    if (result.status === "up") continue;
    const level = result.status === "degraded" ? "warning" : "error";
    const title = `${loaded.probe.id} ${result.status.toUpperCase()}`;
    const message = result.failure
      ? `${result.failure.class} failure in "${result.failure.step}": ${result.failure.message}`
      : `slower than degradedAfterMs (${Math.round(result.durationMs)} ms)`;
    lines.push(
      `::${level} file=${property(loaded.file)}${line ? `,line=${line}` : ""},title=${property(title)}::${data(message)}`,
    );
  }
  return lines.join("\n");
}
