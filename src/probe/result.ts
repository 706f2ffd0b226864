/**
 * What a probe run produces. A failing target is data: the runner always returns a RunResult.
 * Schemas first: the types come from them, and the API documents runs with the same schemas.
 */
import { z } from "zod";
import { PROBE_ID_PATTERN } from "./schema.ts";

/** Why a run failed, from the network up to the probe itself. */
const FAILURE_CLASSES = [
  "dns", // the name did not resolve
  "connect", // refused, reset or unreachable
  "tls", // handshake or certificate
  "timeout", // step or run deadline passed
  "status", // unexpected HTTP status
  "assertion", // an assertion on the response failed
  "script", // a script step threw something other than an assertion
  "probe", // probe-side: refused target (SSRF guard), missing variable or secret, bad redirect
  // Browser journeys:
  "navigation", // page.goto could not load the page (network error, its deadline)
  "selector-timeout", // an element the journey waited for or acted on never became ready
  "console-error", // the page logged an error (only when the probe sets failOnConsoleError)
] as const;
const FailureClassSchema = z.enum(FAILURE_CLASSES);
export type FailureClass = z.infer<typeof FailureClassSchema>;

export const RunStatusSchema = z.enum(["up", "degraded", "down"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

const AssertionOutcomeSchema = z.object({
  /** Human-readable, e.g. `json $.items length 2`. */
  label: z.string(),
  passed: z.boolean(),
  expected: z.string(),
  actual: z.string(),
});
export type AssertionOutcome = z.infer<typeof AssertionOutcomeSchema>;

const FailureSchema = z.object({
  class: FailureClassSchema,
  step: z.string(),
  message: z.string(),
  /** The first failing assertion, with expected vs actual. */
  assertion: AssertionOutcomeSchema.optional(),
});
export type Failure = z.infer<typeof FailureSchema>;

const RequestEvidenceSchema = z.object({
  method: z.string(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
});

const ResponseEvidenceSchema = z.object({
  status: z.number().int(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  bodyBytes: z.number().int(),
  truncated: z.boolean(),
});

/** Everything needed to reproduce a failing request, already redacted. */
const EvidenceSchema = z.object({
  request: RequestEvidenceSchema,
  response: ResponseEvidenceSchema.optional(),
  /** A ready-to-paste curl command; secrets appear as ${NAME} placeholders. */
  curl: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** One HTTP exchange (one hop of one request). */
const ExchangeTimingSchema = z.object({
  method: z.string(),
  url: z.string(),
  status: z.number().int().optional(),
  /** From just before fetch() to the response headers. */
  ttfbMs: z.number(),
  /** From just before fetch() to the end of the body. */
  totalMs: z.number(),
});
export type ExchangeTiming = z.infer<typeof ExchangeTimingSchema>;

const StepResultSchema = z.object({
  name: z.string(),
  /** browser: a named step of a browser journey; its exchanges are the page navigations it made. */
  kind: z.enum(["http", "script", "browser"]),
  status: z.enum(["passed", "failed", "skipped"]),
  /** Sum over the step's exchanges. */
  ttfbMs: z.number(),
  totalMs: z.number(),
  exchanges: z.array(ExchangeTimingSchema),
  assertions: z.array(AssertionOutcomeSchema),
  failure: FailureSchema.optional(),
  evidence: EvidenceSchema.optional(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

/** Web Vitals of a browser run, in ms (CLS is unitless): of the last page the journey loaded. */
const WebVitalsSchema = z.object({
  /** Largest Contentful Paint. */
  lcpMs: z.number().optional(),
  /** First Contentful Paint. */
  fcpMs: z.number().optional(),
  /** Time to first byte of the document (navigation timing responseStart). */
  ttfbMs: z.number().optional(),
  /** The document's load event end. */
  loadMs: z.number().optional(),
  /** Cumulative Layout Shift. */
  cls: z.number().optional(),
  /** Interaction to Next Paint: the slowest interaction the journey made, when the browser measured one. */
  inpMs: z.number().optional(),
});
export type WebVitals = z.infer<typeof WebVitalsSchema>;

/** Where a failed browser run's screenshot is kept (outside D1) and what it is. */
const ScreenshotRefSchema = z.object({
  /** The object's key in the screenshot bucket. */
  key: z.string(),
  contentType: z.enum(["image/png", "image/jpeg"]),
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  /** The step it was taken in. */
  step: z.string(),
});

/** What a browser run saw besides its steps, redacted like the rest of the result. */
const BrowserEvidenceSchema = z.object({
  vitals: WebVitalsSchema,
  /** The page's console errors and uncaught exceptions, at most MAX_PAGE_MESSAGES. */
  consoleErrors: z.array(z.object({ step: z.string(), text: z.string() })),
  /** Requests that failed (network error) or answered 400 or more, at most MAX_PAGE_MESSAGES. */
  failedRequests: z.array(
    z.object({
      step: z.string(),
      method: z.string(),
      url: z.string(),
      status: z.number().int().optional(),
      error: z.string().optional(),
    }),
  ),
  screenshot: ScreenshotRefSchema.optional(),
  /** Why no screenshot was kept for a failed run (over the size cap, the page was gone). */
  screenshotNote: z.string().optional(),
  /** Wall time the browser was held (launch or connect to close): what Browser Rendering bills. */
  browserMs: z.number(),
});
export type BrowserEvidence = z.infer<typeof BrowserEvidenceSchema>;

/** A failed run is run once more from another region inside the same tick, before it counts. */
const ConfirmationSchema = z.object({
  region: z.string(),
  status: RunStatusSchema,
  failureClass: FailureClassSchema.optional(),
});
export type Confirmation = z.infer<typeof ConfirmationSchema>;

export const RunResultSchema = z.object({
  /** `${probeId}.${region}.${slotAt}`: the run's natural key, stable across replays. */
  runId: z.string(),
  probeId: z.string(),
  probeVersion: z.string(),
  region: z.string(),
  colo: z.string(),
  /** The scheduled minute this run belongs to (epoch ms, multiple of 60 000). */
  slotAt: z.number().int(),
  startedAt: z.number(),
  durationMs: z.number(),
  status: RunStatusSchema,
  failure: FailureSchema.optional(),
  /** Present on failed runs that were retried from another region. */
  confirmation: ConfirmationSchema.optional(),
  /** Made during a maintenance window that is excluded from SLOs: stored, but not counted. */
  inMaintenance: z.boolean().optional(),
  steps: z.array(StepResultSchema),
  /** Journey metrics the run recorded (extract.metric, ctx.metric), by name; absent when none. */
  metrics: z.record(z.string(), z.number()).optional(),
  /** Browser probes: Web Vitals, console errors, failed requests and the failure's screenshot. */
  browser: BrowserEvidenceSchema.optional(),
  /**
   * The value `slo.latency` judges, when the probe times something other than the run's duration
   * (`slo.latency.metric`, e.g. lcp). Stored in the run's minute entry in place of the duration.
   */
  latencyMs: z.number().optional(),
  /**
   * Each step's outcome, present when the run is a pass kept as its outcome only: Afterlife keeps
   * the whole result (timings per step, exchanges, evidence) of failed, degraded and confirmed
   * runs, and of a pass its status, duration and start, so that a run costs one stored row.
   */
  stepOutcomes: z.array(z.object({ name: z.string(), status: z.enum(["passed", "failed", "skipped"]) })).optional(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

/** A run without its steps: what lists and the status page need. */
export const RunSummarySchema = RunResultSchema.omit({
  steps: true,
  confirmation: true,
  failure: true,
  inMaintenance: true,
  stepOutcomes: true,
  browser: true,
  latencyMs: true,
}).extend({
  failure: FailureSchema.pick({ class: true, step: true, message: true }).optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export function runIdOf(probeId: string, region: string, slotAt: number): string {
  return `${probeId}.${region}.${slotAt}`;
}

type RunHeading = Pick<
  RunResult,
  "runId" | "probeId" | "probeVersion" | "region" | "colo" | "slotAt" | "startedAt" | "durationMs" | "status"
>;

/**
 * What every run's result starts with, whatever ran it: who, where, when and how long, and its
 * status: down on a failure, degraded when it passed slower than `degradedAfterMs`, else up.
 * Times are whole milliseconds, as the API documents them, even from a runner whose clock has
 * finer ones (the local browser service times steps with performance.now()).
 */
export function runHeading(
  loaded: { probe: { id: string }; version: string },
  where: { region: string; colo: string; slotAt: number },
  timing: { startedAt: number; durationMs: number },
  failure: Failure | undefined,
  degradedAfterMs: number | undefined,
): RunHeading {
  const durationMs = Math.round(timing.durationMs);
  const slow = degradedAfterMs !== undefined && durationMs > degradedAfterMs;
  return {
    runId: runIdOf(loaded.probe.id, where.region, where.slotAt),
    probeId: loaded.probe.id,
    probeVersion: loaded.version,
    region: where.region,
    colo: where.colo,
    slotAt: where.slotAt,
    startedAt: Math.round(timing.startedAt),
    durationMs,
    status: failure ? "down" : slow ? "degraded" : "up",
  };
}

/** The steps with every exchange's URL redacted: a query may carry tokens no step taught the redactor. */
export function withRedactedUrls(steps: readonly StepResult[], redact: { url(url: string): string }): StepResult[] {
  return steps.map((s) => ({ ...s, exchanges: s.exchanges.map((e) => ({ ...e, url: redact.url(e.url) })) }));
}

/** A run id: `<probe id>.<region>.<slot epoch ms>`. */
export const RUN_ID = new RegExp(`^(${PROBE_ID_PATTERN})\\.([a-z]+)\\.(\\d{1,16})$`);

export function parseRunId(runId: string): { probeId: string; region: string; slotAt: number } | null {
  const match = RUN_ID.exec(runId);
  if (!match) return null;
  return { probeId: match[1]!, region: match[2]!, slotAt: Number(match[3]) };
}
