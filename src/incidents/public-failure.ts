/**
 * The public words for a failure, made only of structured fields (step name, failure class,
 * HTTP status): never the failure message, which quotes the target's response body (up to 200
 * characters of it) and may carry what the target should not have said. The message stays with
 * the run, for token holders, and on the page only when STATUS_PAGE.showFailureEvidence is on.
 */

interface StructuredFailure {
  step: string;
  class: string;
  /** The HTTP status of the failing step's last response, when it got one. */
  statusCode?: number | undefined;
}

const CLASS_WORDS: Record<string, string> = {
  dns: "the name did not resolve",
  connect: "the connection failed",
  tls: "the TLS handshake failed",
  timeout: "it timed out",
  status: "an unexpected HTTP status",
  assertion: "a check on the response failed",
  script: "the script step failed",
  probe: "the probe could not run",
  navigation: "a page did not load",
  "selector-timeout": "a page element never became ready",
  "console-error": "the page logged an error",
};

/** `the step "log in" failed: an unexpected HTTP status (503)`. */
export function describeFailure(failure: StructuredFailure): string {
  const what = CLASS_WORDS[failure.class] ?? "it failed";
  const status = failure.statusCode !== undefined ? ` (HTTP ${failure.statusCode})` : "";
  return `the step "${failure.step}" failed: ${what}${status}`;
}
