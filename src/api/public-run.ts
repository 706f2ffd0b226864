/**
 * A run as a caller without a token sees it, unless STATUS_PAGE.showFailureEvidence is on: its
 * failure told by structured fields (step, class, HTTP status), and none of what the target
 * answered (no evidence, no exchanges' URLs beyond the step, no assertion's actual value), since
 * a response body may carry what the target should never have said in public.
 */
import { describeFailure } from "../incidents/public-failure.ts";
import type { RunResult, RunSummary, StepResult } from "../probe/result.ts";

/** The HTTP status the failing step last got, if any. */
function statusOf(step: StepResult | undefined): number | undefined {
  return step?.exchanges.at(-1)?.status;
}

export function publicRunSummary<T extends RunSummary>(run: T): T {
  if (!run.failure) return run;
  return { ...run, failure: { ...run.failure, message: describeFailure(run.failure) } };
}

export function publicRun(run: RunResult): RunResult {
  const failedStep = run.steps.find((s) => s.status === "failed");
  const steps = run.steps.map((step): StepResult => {
    const { evidence: _evidence, ...rest } = step;
    return {
      ...rest,
      assertions: step.assertions.map((a) => ({ ...a, actual: a.passed ? a.actual : "" })),
      ...(step.failure
        ? {
            failure: {
              class: step.failure.class,
              step: step.failure.step,
              message: describeFailure({ ...step.failure, statusCode: statusOf(step) }),
            },
          }
        : {}),
    };
  });
  // A browser run keeps its Web Vitals in public; the page's console text, failed URLs and the
  // screenshot are what the target showed, kept for token holders like the HTTP evidence.
  const browser = run.browser
    ? { vitals: run.browser.vitals, consoleErrors: [], failedRequests: [], browserMs: run.browser.browserMs }
    : undefined;
  return {
    ...run,
    steps,
    ...(browser ? { browser } : {}),
    ...(run.failure
      ? {
          failure: {
            class: run.failure.class,
            step: run.failure.step,
            message: describeFailure({ ...run.failure, statusCode: statusOf(failedStep) }),
          },
        }
      : {}),
  };
}
