/**
 * What a probe run produces. A failing target is data: the runner always returns a RunResult.
 */

/** Why a run failed, from the network up to the probe itself. */
export type FailureClass =
  | "dns" // the name did not resolve
  | "connect" // refused, reset or unreachable
  | "tls" // handshake or certificate
  | "timeout" // step or run deadline passed
  | "status" // unexpected HTTP status
  | "assertion" // an assertion on the response failed
  | "script" // a script step threw something other than an assertion
  | "probe"; // probe-side: refused target (SSRF guard), missing variable or secret, bad redirect

export type RunStatus = "up" | "degraded" | "down";

export interface AssertionOutcome {
  /** Human-readable, e.g. `json $.items length 2`. */
  label: string;
  passed: boolean;
  expected: string;
  actual: string;
}

export interface Failure {
  class: FailureClass;
  step: string;
  message: string;
  /** The first failing assertion, with expected vs actual. */
  assertion?: AssertionOutcome;
}

export interface RequestEvidence {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ResponseEvidence {
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyBytes: number;
  truncated: boolean;
}

/** Everything needed to reproduce a failing request, already redacted. */
export interface Evidence {
  request: RequestEvidence;
  response?: ResponseEvidence;
  /** A ready-to-paste curl command; secrets appear as ${NAME} placeholders. */
  curl: string;
}

/** One HTTP exchange (one hop of one request). */
export interface ExchangeTiming {
  method: string;
  url: string;
  status?: number;
  /** From just before fetch() to the response headers. */
  ttfbMs: number;
  /** From just before fetch() to the end of the body. */
  totalMs: number;
}

export interface StepResult {
  name: string;
  kind: "http" | "script";
  status: "passed" | "failed" | "skipped";
  /** Sum over the step's exchanges. */
  ttfbMs: number;
  totalMs: number;
  exchanges: ExchangeTiming[];
  assertions: AssertionOutcome[];
  failure?: Failure;
  evidence?: Evidence;
}

/** A failed run is run once more from another region inside the same tick, before it counts. */
export interface Confirmation {
  region: string;
  status: RunStatus;
  failureClass?: FailureClass;
}

export interface RunResult {
  /** `${probeId}.${region}.${slotAt}`: the run's natural key, stable across replays. */
  runId: string;
  probeId: string;
  probeVersion: string;
  region: string;
  colo: string;
  /** The scheduled minute this run belongs to (epoch ms, multiple of 60 000). */
  slotAt: number;
  startedAt: number;
  durationMs: number;
  status: RunStatus;
  failure?: Failure;
  /** Present on failed runs that were retried from another region. */
  confirmation?: Confirmation;
  steps: StepResult[];
}

export function runIdOf(probeId: string, region: string, slotAt: number): string {
  return `${probeId}.${region}.${slotAt}`;
}

export function parseRunId(runId: string): { probeId: string; region: string; slotAt: number } | null {
  const match = /^([a-z0-9-]+)\.([a-z]+)\.(\d{1,16})$/.exec(runId);
  if (!match) return null;
  return { probeId: match[1]!, region: match[2]!, slotAt: Number(match[3]) };
}
