/**
 * Runs one browser probe once: its journey in a fresh browser context of the browser it is
 * given, with named steps timed, every failure classified (navigation, selector-timeout,
 * assertion, console-error, script, timeout, probe), the page's console errors, failed
 * requests and Web Vitals recorded, a screenshot taken at the failure, and the whole result
 * redacted. Where the browser comes from is the caller's business: the Browser Rendering
 * binding in production (browser-binding.ts), a local Chromium in development and in the CLI.
 */
import type { Browser, BrowserContext, Request } from "playwright-core";
import { createRedactor, SENSITIVE_NAME } from "../redact.ts";
import type { LoadedProbe } from "../registry.ts";
import type {
  AssertionOutcome,
  BrowserEvidence,
  ExchangeTiming,
  Failure,
  FailureClass,
  RunResult,
  StepResult,
} from "../result.ts";
import { runHeading, runIdOf, withRedactedUrls } from "../result.ts";
import type { RunOptions, RunnerDeps } from "../run-probe.ts";
import type { BrowserProbe } from "../schema.ts";
import { ExpectationError } from "../script-context.ts";
import { checkTarget } from "../target-guard.ts";
import { renderTemplate, TemplateError, type TemplateScope } from "../template.ts";
import { createBrowserExpect } from "./browser-expect.ts";
import type { Journey, JourneyContext } from "./journey-context.ts";
import { screenshotKey, takeScreenshot, VIEWPORT, type Screenshot } from "./screenshot.ts";
import { parsePageVitals, VITALS_BINDING, VITALS_INIT_SCRIPT, worstVitals, type PageVitals } from "./web-vitals.ts";

export interface BrowserRunnerDeps extends Omit<RunnerDeps, "fetch"> {
  /** A connected browser. The run opens and closes its own context in it, never the browser. */
  browser: Browser;
  /** Time spent getting the browser for this run (launch or connect), counted in `browserMs`. */
  acquireMs?: number;
}

/** A browser run: the result, and the failure's screenshot, which is stored apart (R2) under `result.browser.screenshot.key`. */
export interface BrowserRun {
  result: RunResult;
  screenshot?: Screenshot;
}

/**
 * A run that could not be made for want of a browser (no session, the service down): a failure
 * on the monitoring side (class probe), which SLIs leave out, never the target's.
 */
export function browserUnavailable(
  loaded: LoadedProbe,
  options: RunOptions,
  startedAt: number,
  durationMs: number,
  message: string,
): BrowserRun {
  const failure: Failure = { class: "probe", step: OUTSIDE_STEPS, message: message.slice(0, MESSAGE_CHARS) };
  const heading = runHeading(loaded, options, { startedAt, durationMs: Math.max(0, durationMs) }, failure, undefined);
  return { result: { ...heading, failure, steps: [failedOutsideSteps(failure)] } };
}

/** Console errors and failed requests kept per run at most. */
const MAX_PAGE_MESSAGES = 20;
const MESSAGE_CHARS = 500;
/** The step name of what a journey does outside any `step(...)`. */
const OUTSIDE_STEPS = "journey";
const STEP_NAME = /^[^"\\]{1,80}$/;

/** Thrown out of a failed step so the journey stops; its failure is already recorded. */
class StepFailed extends Error {
  override name = "StepFailed";
}

/** A console error during a step of a probe with failOnConsoleError. */
class ConsoleErrorFailure extends Error {
  override name = "ConsoleErrorFailure";
}

/** The first line of a message, and the first line of Playwright's call log (what it waited for). */
function shortMessage(error: unknown): string {
  // Playwright colours its call log with ANSI escapes: they are no use in stored text.
  const text = (error instanceof Error ? error.message : String(error)).replace(/\u001b\[[0-9;]*m/g, "");
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const log = lines.indexOf("Call log:");
  const detail = log >= 0 && lines[log + 1] ? ` (${lines[log + 1]!.replace(/^-\s*/, "")})` : "";
  return `${lines[0] ?? String(error)}${detail}`.slice(0, MESSAGE_CHARS);
}

const NAVIGATION_CALL = /^(?:page|frame)\.(?:goto|reload|goBack|goForward|waitForNavigation|waitForURL)\b/;

/** The failure class of what a journey threw. */
function classifyJourneyError(error: unknown): FailureClass {
  if (error instanceof ExpectationError) return "assertion";
  if (error instanceof ConsoleErrorFailure) return "console-error";
  if (error instanceof TemplateError) return "probe";
  const message = error instanceof Error ? error.message : String(error);
  if (NAVIGATION_CALL.test(message) || /net::ERR_/.test(message)) return "navigation";
  if ((error instanceof Error && error.name === "TimeoutError") || /Timeout \d+ms exceeded/.test(message))
    return "selector-timeout";
  return "script";
}

function failureOf(error: unknown, step: string): Failure {
  const failureClass = classifyJourneyError(error);
  if (error instanceof ExpectationError) {
    const assertion: AssertionOutcome = {
      label: error.label,
      passed: false,
      expected: error.expected,
      actual: error.actual,
    };
    return { class: failureClass, step, message: error.message.slice(0, MESSAGE_CHARS), assertion };
  }
  return { class: failureClass, step, message: shortMessage(error) };
}

interface Navigation {
  request: Request;
  step: StepResult | undefined;
}

/** One navigation of the main frame as an exchange: its status, time to first byte and total time. */
async function exchangeOf(request: Request): Promise<ExchangeTiming> {
  const timing = request.timing();
  const response = await request.response().catch(() => null);
  const ms = (value: number) => (Number.isFinite(value) && value >= 0 ? Math.round(value) : 0);
  return {
    method: request.method(),
    url: request.url(),
    ...(response ? { status: response.status() } : {}),
    ttfbMs: ms(timing.responseStart),
    totalMs: ms(timing.responseEnd),
  };
}

export async function runBrowserProbe(
  loaded: LoadedProbe,
  options: RunOptions,
  deps: BrowserRunnerDeps,
): Promise<BrowserRun> {
  const probe = loaded.probe;
  if (probe.kind !== "browser") throw new TypeError(`probe ${probe.id} is not a browser probe; run it with runProbe`);
  const startedAt = deps.now();
  const runId = runIdOf(probe.id, options.region, options.slotAt);
  const publicNames = deps.publicValueNames ?? new Set<string>();
  const isSecret = (name: string) => !publicNames.has(name);
  const secretsUsed: Record<string, string> = {};
  const redactor = createRedactor({});
  const useSecret = (name: string, value: string) => {
    if (secretsUsed[name] !== undefined) return;
    secretsUsed[name] = value;
    redactor.secret(name, value);
  };
  const vars: Record<string, string> = { ...options.vars };
  const scope: TemplateScope = {
    vars,
    values: deps.values,
    builtins: { runId, region: options.region, now: deps.now, randomId: deps.randomId },
    isSecret,
    onSecret: useSecret,
  };

  const steps: StepResult[] = [];
  const consoleErrors: BrowserEvidence["consoleErrors"] = [];
  const failedRequests: BrowserEvidence["failedRequests"] = [];
  const pages = new Map<string, PageVitals>();
  const navigations: Navigation[] = [];
  let active: StepResult | undefined;
  let consoleErrorsInStep: string[] = [];
  const stepName = () => active?.name ?? OUTSIDE_STEPS;

  const value = (name: string, kind: "secret" | "env"): string => {
    const found = deps.values[name];
    if (found === undefined) {
      throw new TemplateError(
        kind === "secret"
          ? `secret '${name}' is not set: add it with \`npx wrangler secret put ${name}\` (or to .dev.vars locally)`
          : `var '${name}' is not set: add it to wrangler.toml [vars]`,
      );
    }
    if (kind === "secret" || isSecret(name)) useSecret(name, found);
    return found;
  };

  let context: BrowserContext | undefined;
  let failure: Failure | undefined;
  let screenshot: Screenshot | string | undefined;
  try {
    const baseURL = probe.baseUrl === undefined ? undefined : renderTemplate(probe.baseUrl, scope);
    context = await deps.browser.newContext({
      ...(baseURL ? { baseURL } : {}),
      viewport: VIEWPORT,
      // The same header HTTP probes send: a target (the demo shop's faults) can tell regions apart.
      extraHTTPHeaders: { "x-afterlife-region": options.region },
    });
    if (!deps.allowPrivateTargets) {
      // The SSRF guard for what the page loads: the browser makes its own requests, not the Worker's fetch.
      await context.route("**/*", (route) =>
        checkTarget(route.request().url(), { allowPrivate: false }).ok
          ? route.continue()
          : route.abort("blockedbyclient"),
      );
    }
    await context.exposeBinding(VITALS_BINDING, (_source, raw: unknown) => {
      const vitals = parsePageVitals(raw);
      if (vitals) pages.set(vitals.doc, vitals);
    });
    await context.addInitScript({ content: VITALS_INIT_SCRIPT });
    const openPage = await context.newPage();
    openPage.setDefaultTimeout(probe.stepTimeoutMs);
    openPage.setDefaultNavigationTimeout(probe.stepTimeoutMs);
    const noteConsoleError = (text: string) => {
      consoleErrorsInStep.push(text);
      if (consoleErrors.length < MAX_PAGE_MESSAGES)
        consoleErrors.push({ step: stepName(), text: text.slice(0, MESSAGE_CHARS) });
    };
    openPage.on("console", (message) => message.type() === "error" && noteConsoleError(message.text()));
    openPage.on("pageerror", (error) => noteConsoleError(`uncaught ${error.name}: ${error.message}`));
    openPage.on("requestfailed", (request) => {
      if (failedRequests.length < MAX_PAGE_MESSAGES)
        failedRequests.push({
          step: stepName(),
          method: request.method(),
          url: request.url(),
          error: request.failure()?.errorText ?? "failed",
        });
    });
    openPage.on("response", (response) => {
      if (response.status() >= 400 && failedRequests.length < MAX_PAGE_MESSAGES) {
        failedRequests.push({
          step: stepName(),
          method: response.request().method(),
          url: response.url(),
          status: response.status(),
        });
      }
    });
    openPage.on("request", (request) => {
      if (request.isNavigationRequest() && request.frame() === openPage.mainFrame())
        navigations.push({ request, step: active });
    });

    const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
      // A step inside a step is part of the outer one.
      if (active) return body();
      if (!STEP_NAME.test(name))
        throw new TypeError(
          `step name ${JSON.stringify(name.slice(0, 90))}: 1 to 80 characters, without double quotes or backslashes`,
        );
      const result: StepResult = {
        name,
        kind: "browser",
        status: "passed",
        ttfbMs: 0,
        totalMs: 0,
        exchanges: [],
        assertions: [],
      };
      const started = deps.now();
      active = result;
      consoleErrorsInStep = [];
      steps.push(result);
      try {
        const returned = await body();
        if (probe.failOnConsoleError && consoleErrorsInStep.length > 0) {
          throw new ConsoleErrorFailure(
            `the page logged ${consoleErrorsInStep.length} console error(s); the first: ${consoleErrorsInStep[0]!.slice(0, 300)}`,
          );
        }
        return returned;
      } catch (error) {
        if (error instanceof StepFailed) throw error;
        result.status = "failed";
        result.failure = failureOf(error, name);
        if (result.failure.assertion) result.assertions.push(result.failure.assertion);
        throw new StepFailed(result.failure.message);
      } finally {
        result.totalMs = Math.max(0, Math.round(deps.now() - started));
        active = undefined;
      }
    };

    const ctx: JourneyContext = {
      page: openPage,
      expect: createBrowserExpect({
        timeoutMs: probe.stepTimeoutMs,
        now: deps.now,
        scrub: (text) => redactor.text(text),
      }),
      step,
      vars,
      secret: (name) => value(name, "secret"),
      env: (name) => value(name, "env"),
      region: options.region,
      runId,
    };
    failure = await runJourney(probe, ctx, steps, deps, startedAt, () => active);
    if (failure) screenshot = await takeScreenshot(openPage, 5_000);
    // Late reports (LCP is final only once the page is left or used) come in before the page closes.
    await openPage.evaluate(() => undefined).catch(() => undefined);
  } catch (error) {
    // Setting the browser up failed (a bad baseUrl, a missing secret in it, a browser that went away).
    failure = {
      class: error instanceof TemplateError ? "probe" : "script",
      step: OUTSIDE_STEPS,
      message: shortMessage(error),
    };
    steps.push(failedOutsideSteps(failure));
  } finally {
    // Navigations are read while their page is still open (a closed one has no responses).
    for (const navigation of navigations) {
      const target = navigation.step ?? steps.find((s) => s.name === OUTSIDE_STEPS);
      if (!target) continue;
      const exchange = await exchangeOf(navigation.request);
      target.exchanges.push(exchange);
      target.ttfbMs += exchange.ttfbMs;
    }
    await context?.close().catch(() => undefined);
  }
  for (const [name, v] of Object.entries(vars)) if (SENSITIVE_NAME.test(name)) redactor.learn(v, name);

  const durationMs = Math.max(0, deps.now() - startedAt);
  const vitals = worstVitals(pages.values());
  const metric = probe.slo.latency?.metric;
  const latencyMs = metric === undefined || metric === "duration" ? undefined : vitals[`${metric}Ms`];
  const shot = typeof screenshot === "object" ? screenshot : undefined;
  const evidence: BrowserEvidence = {
    vitals,
    consoleErrors,
    failedRequests: failedRequests.map((r) => ({ ...r, url: redactor.url(r.url) })),
    browserMs: durationMs + (deps.acquireMs ?? 0),
    ...(shot && failure
      ? {
          screenshot: {
            key: screenshotKey(runId, shot.contentType),
            contentType: shot.contentType,
            bytes: shot.bytes.length,
            width: shot.width,
            height: shot.height,
            step: failure.step,
          },
        }
      : {}),
    ...(typeof screenshot === "string" ? { screenshotNote: screenshot } : {}),
  };
  const result: RunResult = {
    ...runHeading(loaded, options, { startedAt, durationMs }, failure, probe.degradedAfterMs),
    steps: withRedactedUrls(steps, redactor),
    browser: evidence,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
    ...(failure ? { failure } : {}),
  };
  // Every string of the result passes the redactor: console text, URLs, messages, step names.
  return { result: redactor.deep(result), ...(shot && failure ? { screenshot: shot } : {}) };
}

/** The step a failure outside every named step is reported in (setting up, or after the last one). */
function failedOutsideSteps(failure: Failure, assertions: StepResult["assertions"] = []): StepResult {
  return {
    name: OUTSIDE_STEPS,
    kind: "browser",
    status: "failed",
    ttfbMs: 0,
    totalMs: 0,
    exchanges: [],
    assertions,
    failure,
  };
}

/**
 * Runs the journey against the run's deadline. Returns the run's failure: the first failed step's,
 * a throw outside any step, or the deadline passing (class timeout, blamed on the step it was in).
 */
async function runJourney(
  probe: BrowserProbe,
  ctx: JourneyContext,
  steps: StepResult[],
  deps: Pick<BrowserRunnerDeps, "now">,
  startedAt: number,
  current: () => StepResult | undefined,
): Promise<Failure | undefined> {
  const journey = probe.journey as unknown as Journey;
  const outcome = (async (): Promise<Failure | undefined> => {
    try {
      await journey(ctx);
      return undefined;
    } catch (error) {
      const failed = steps.find((s) => s.failure);
      if (error instanceof StepFailed && failed?.failure) return failed.failure;
      const failure = failureOf(error, OUTSIDE_STEPS);
      steps.push(failedOutsideSteps(failure, failure.assertion ? [failure.assertion] : []));
      return failure;
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const remaining = Math.max(0, probe.runTimeoutMs - (deps.now() - startedAt));
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), remaining);
  });
  try {
    const first = await Promise.race([outcome, deadline]);
    if (first !== "timeout") return first;
  } finally {
    clearTimeout(timer);
  }
  const running = current();
  const failure: Failure = {
    class: "timeout",
    step: running?.name ?? OUTSIDE_STEPS,
    message: `the journey did not finish within the run's ${probe.runTimeoutMs} ms deadline`,
  };
  if (running) Object.assign(running, { status: "failed", failure });
  else steps.push(failedOutsideSteps(failure));
  return failure;
}
