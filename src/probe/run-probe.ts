/**
 * Runs one probe once: steps in order with shared variables, per-step and whole-run deadlines,
 * and a RunResult that is always returned and always redacted. The Worker, the CLI and the
 * tests all run probes through this one function.
 */
import { checkExpectedStatus, evaluateAssertion } from "./assertions.ts";
import { toCurl } from "./curl.ts";
import { extractValue } from "./extract.ts";
import { metricNumber, recordMetric } from "./journey-metrics.ts";
import { withGuardedGlobalFetch } from "./global-fetch-guard.ts";
import {
  performExchange,
  type Deadline,
  type ExchangeDeps,
  type ExchangeOutcome,
  type ExchangeRequest,
} from "./http-exchange.ts";
import { createRedactor, SENSITIVE_NAME, type Redactor } from "./redact.ts";
import type { ObservedResponse } from "./observed-response.ts";
import { isLoadedHttp, type LoadedProbe } from "./registry.ts";
import type { AssertionOutcome, Evidence, Failure, FailureClass, RunResult, StepResult } from "./result.ts";
import { runHeading, runIdOf, withRedactedUrls } from "./result.ts";
import { isScriptStep, type HttpStep, type HttpProbe, type RequestBody, type ScriptStep } from "./schema.ts";
import {
  createExpect,
  ExpectationError,
  ScriptHttpError,
  show,
  type ScriptContext,
  type ScriptRequestOptions,
  type ScriptResponse,
} from "./script-context.ts";
import { referencedSecrets, renderTemplate, TemplateError, type TemplateScope } from "./template.ts";

export interface RunOptions {
  region: string;
  /** Where the run really happened (a Cloudflare colo in production, the region label locally). */
  colo: string;
  /** The scheduled minute (epoch ms). */
  slotAt: number;
  /** Initial variables, e.g. from `probe run --var k=v`. */
  vars?: Record<string, string>;
}

export interface RunnerDeps {
  fetch: typeof fetch;
  now: () => number;
  randomId: () => string;
  /** String bindings (vars and secrets) for {{env:...}} and {{secret:...}}. */
  values: Readonly<Record<string, string>>;
  /**
   * Names of `values` that are public (wrangler.toml [vars]). Every other value is a secret and
   * redacted however it is read ({{secret:}}, {{env:}}, ctx.secret, ctx.env). Default: none.
   */
  publicValueNames?: ReadonlySet<string>;
  allowPrivateTargets: boolean;
}

/** Evidence keeps this much of each body: enough to see what went wrong, bounded in storage. */
const EVIDENCE_BODY_CHARS = 4096;

interface RunState {
  probe: HttpProbe;
  options: RunOptions;
  deps: RunnerDeps;
  runId: string;
  vars: Record<string, string>;
  /** Journey metrics recorded so far, by name. */
  metrics: Record<string, number>;
  secretsUsed: Record<string, string>;
  redactor: Redactor;
  runDeadline: number;
  scope: TemplateScope;
}

/**
 * Every probe run, wherever it runs (region runner, run-now, CLI), with the global fetch held
 * to the SSRF guard for as long as it lasts (global-fetch-guard.ts): a script step cannot go
 * around ctx.http.
 */
export function runProbe(loaded: LoadedProbe, options: RunOptions, deps: RunnerDeps): Promise<RunResult> {
  // Heartbeats are pushed, never run: the planner and every caller leave them out.
  if (!isLoadedHttp(loaded))
    throw new TypeError(`probe '${loaded.probe.id}' is a ${loaded.probe.kind}; only HTTP probes run`);
  return withGuardedGlobalFetch(deps.allowPrivateTargets, () => runGuarded(loaded, options, deps));
}

async function runGuarded(
  loaded: LoadedProbe & { probe: HttpProbe },
  options: RunOptions,
  deps: RunnerDeps,
): Promise<RunResult> {
  const { probe } = loaded;
  const startedAt = deps.now();
  const runId = runIdOf(probe.id, options.region, options.slotAt);
  const vars: Record<string, string> = { ...options.vars };
  // Secrets the declarative steps reference are known before any request leaves, so even a
  // value echoed back in an error body is scrubbed.
  const secretsUsed: Record<string, string> = {};
  const publicNames = deps.publicValueNames ?? new Set<string>();
  const isSecret = (name: string) => !publicNames.has(name);
  for (const name of referencedSecrets(probe, isSecret)) {
    const value = deps.values[name];
    if (value !== undefined) secretsUsed[name] = value;
  }
  const redactor = createRedactor(secretsUsed);
  const state: RunState = {
    probe,
    options,
    deps,
    runId,
    vars,
    metrics: {},
    secretsUsed,
    redactor,
    runDeadline: startedAt + probe.runTimeoutMs,
    scope: {
      vars,
      values: deps.values,
      builtins: { runId, region: options.region, now: deps.now, randomId: deps.randomId },
      isSecret,
      onSecret: (name, value) => {
        if (secretsUsed[name] === undefined) {
          secretsUsed[name] = value;
          redactor.secret(name, value);
        }
      },
    },
  };

  const steps: StepResult[] = [];
  let failure: Failure | undefined;
  for (const step of probe.steps) {
    if (failure) {
      steps.push({
        name: step.name,
        kind: isScriptStep(step) ? "script" : "http",
        status: "skipped",
        ttfbMs: 0,
        totalMs: 0,
        exchanges: [],
        assertions: [],
      });
      continue;
    }
    const result = isScriptStep(step) ? await runScriptStep(step, state) : await runHttpStep(step, state);
    steps.push(result);
    failure = result.failure;
  }

  const durationMs = Math.max(0, deps.now() - startedAt);
  const result: RunResult = {
    ...runHeading(loaded, options, { startedAt, durationMs }, failure, probe.degradedAfterMs),
    steps: withRedactedUrls(steps, redactor),
    ...(failure ? { failure } : {}),
    // Metrics recorded before a failing step are kept: a later failure does not make them untrue.
    ...(Object.keys(state.metrics).length > 0 ? { metrics: { ...state.metrics } } : {}),
  };
  // Last sweep: every string in the result passes through the redactor, so a secret can only
  // reach storage, the API or a log by a bug in the redactor itself.
  return redactor.deep(result);
}

/** The step's deadline: its own budget, or what is left of the run's when that ends first. */
function stepDeadline(state: RunState, timeoutMs: number | undefined): Deadline {
  const now = state.deps.now();
  const ms = timeoutMs ?? state.probe.stepTimeoutMs;
  if (now + ms <= state.runDeadline) return { at: now + ms, ms, of: "step", startedAt: now };
  return { at: state.runDeadline, ms: state.probe.runTimeoutMs, of: "run", startedAt: now };
}

function exchangeDeps(state: RunState): ExchangeDeps {
  return {
    fetch: state.deps.fetch,
    now: state.deps.now,
    allowPrivateTargets: state.deps.allowPrivateTargets,
    region: state.options.region,
  };
}

function resolveUrl(state: RunState, rawUrl: string, query: Record<string, string>): string {
  const rendered = renderTemplate(rawUrl, state.scope);
  const base = state.probe.baseUrl === undefined ? undefined : renderTemplate(state.probe.baseUrl, state.scope);
  let url: URL;
  try {
    url = base === undefined ? new URL(rendered) : new URL(rendered, base.endsWith("/") ? base : `${base}/`);
  } catch {
    throw new TemplateError(
      `'${rendered}' is not a valid URL${base === undefined ? " (relative URLs need the probe's baseUrl)" : ` relative to ${base}`}`,
    );
  }
  if (base !== undefined && rendered.startsWith("/")) {
    // A leading slash is relative to the base's path, so a base of https://x/shop and "/cart" give /shop/cart.
    const baseUrl = new URL(base);
    url = new URL(baseUrl.pathname.replace(/\/$/, "") + rendered, baseUrl);
  }
  for (const [name, value] of Object.entries(query)) url.searchParams.append(name, renderTemplate(value, state.scope));
  return url.toString();
}

function renderDeep(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === "string") return renderTemplate(value, scope);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope));
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, scope)]));
  return value;
}

function encodeBody(body: RequestBody | undefined, scope: TemplateScope): { body?: string; contentType?: string } {
  if (body === undefined) return {};
  if ("json" in body) return { body: JSON.stringify(renderDeep(body.json, scope)), contentType: "application/json" };
  if ("form" in body) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body.form)) form.append(k, renderTemplate(v, scope));
    return { body: form.toString(), contentType: "application/x-www-form-urlencoded" };
  }
  return { body: renderTemplate(body.text, scope), contentType: body.contentType };
}

/**
 * Header values are bytes on the wire; a non-ASCII one is sent as UTF-8 by workerd with a
 * warning that prints the value to the logs (and a browser would refuse it). A secret must not
 * end up there, so the step fails first, naming the header and not its value.
 */
function asciiHeader(name: string, value: string): string {
  if (/[^\t\x20-\x7e]/.test(value))
    throw new TemplateError(
      `header '${name}' has a value with non-ASCII or control characters; encode it first (e.g. encodeURIComponent)`,
    );
  return value;
}

function buildRequest(state: RunState, step: HttpStep): ExchangeRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(step.headers))
    headers[name] = asciiHeader(name, renderTemplate(value, state.scope));
  const encoded = encodeBody(step.body, state.scope);
  if (encoded.contentType && !Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
    headers["content-type"] = encoded.contentType;
  return {
    method: step.method,
    url: resolveUrl(state, step.url, step.query),
    headers,
    maxRedirects: step.maxRedirects,
    ...(encoded.body !== undefined ? { body: encoded.body } : {}),
  };
}

function timingOf(outcome: { exchanges: { ttfbMs: number; totalMs: number }[] }): { ttfbMs: number; totalMs: number } {
  return {
    ttfbMs: outcome.exchanges.reduce((sum, e) => sum + e.ttfbMs, 0),
    totalMs: outcome.exchanges.reduce((sum, e) => sum + e.totalMs, 0),
  };
}

async function runHttpStep(step: HttpStep, state: RunState): Promise<StepResult> {
  const base: StepResult = {
    name: step.name,
    kind: "http",
    status: "passed",
    ttfbMs: 0,
    totalMs: 0,
    exchanges: [],
    assertions: [],
  };
  let request: ExchangeRequest;
  try {
    request = buildRequest(state, step);
  } catch (error) {
    return failStep(base, "probe", messageOf(error));
  }
  const outcome = await performExchange(request, stepDeadline(state, step.timeoutMs), exchangeDeps(state));
  const result: StepResult = { ...base, ...timingOf(outcome), exchanges: outcome.exchanges };
  if (!outcome.ok)
    return failStep(result, outcome.failureClass, outcome.message, undefined, evidenceOf(state, outcome));

  const statusOutcome = checkExpectedStatus(step.expectStatus, outcome.response.status);
  result.assertions.push(statusOutcome);
  learnFromResponse(state, outcome.response);
  const scrub = (text: string) => state.redactor.text(text);
  const outcomes = step.assert.map((assertion) => evaluateAssertion(assertion, outcome.response, scrub));
  result.assertions.push(...outcomes);
  if (!statusOutcome.passed) {
    return failStep(
      result,
      "status",
      `expected status ${statusOutcome.expected}, got ${outcome.response.status}`,
      statusOutcome,
      evidenceOf(state, outcome),
    );
  }
  const failed = outcomes.find((o) => !o.passed);
  if (failed)
    return failStep(
      result,
      "assertion",
      `${failed.label}: expected ${failed.expected}, got ${failed.actual}`,
      failed,
      evidenceOf(state, outcome),
    );

  for (const [name, extractor] of Object.entries(step.extract)) {
    const extracted = extractValue(extractor, outcome.response);
    if (!extracted.ok) {
      const outcomeOfExtract: AssertionOutcome = {
        label: `extract ${name}`,
        passed: false,
        expected: "a value",
        actual: extracted.error,
      };
      return failStep(
        result,
        "assertion",
        `could not extract {{${name}}}: ${extracted.error}`,
        outcomeOfExtract,
        evidenceOf(state, outcome),
      );
    }
    setVariable(state, name, extracted.value);
  }
  for (const metric of step.metrics) {
    const extracted = extractValue(metric.value, outcome.response);
    const value = extracted.ok ? metricNumber(extracted.value) : null;
    if (value === null) {
      const actual = extracted.ok ? show(extracted.value, scrub) : extracted.error;
      const outcomeOfMetric: AssertionOutcome = {
        label: `metric ${metric.name}`,
        passed: false,
        expected: "a finite number",
        actual,
      };
      return failStep(
        result,
        "assertion",
        `could not record metric ${metric.name}: expected a finite number, got ${actual}`,
        outcomeOfMetric,
        evidenceOf(state, outcome),
      );
    }
    const recorded = recordMetric(state.metrics, metric.name, value);
    // The schema bounds declarative metrics; only a script's names can reach the bound first.
    if (!recorded.ok) return failStep(result, "script", recorded.message, undefined, evidenceOf(state, outcome));
  }
  return result;
}

/**
 * Teaches the redactor the tokens a response carries (Set-Cookie, JSON token fields) before
 * any text is made of it: assertion outcomes are cut to length, and a token cut in half is
 * no longer recognised by the final sweep.
 */
function learnFromResponse(state: RunState, response: ObservedResponse): void {
  state.redactor.headers(Object.fromEntries(response.headers));
  state.redactor.body(response.bodyText, response.headers.get("content-type") ?? undefined);
}

function setVariable(state: RunState, name: string, value: string): void {
  state.vars[name] = value;
  // A token or session pulled out of a response is as sensitive as a secret.
  if (SENSITIVE_NAME.test(name)) state.redactor.learn(value, name);
}

function failStep(
  result: StepResult,
  failureClass: FailureClass,
  message: string,
  assertion?: AssertionOutcome,
  evidence?: Evidence,
): StepResult {
  const failure: Failure = { class: failureClass, step: result.name, message, ...(assertion ? { assertion } : {}) };
  return { ...result, status: "failed", failure, ...(evidence ? { evidence } : {}) };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function excerpt(text: string): string {
  return text.length > EVIDENCE_BODY_CHARS
    ? `${text.slice(0, EVIDENCE_BODY_CHARS)}… [${text.length - EVIDENCE_BODY_CHARS} more chars]`
    : text;
}

/** Request and response as they were, redacted, with a curl command that replays the request. */
function evidenceOf(state: RunState, outcome: ExchangeOutcome): Evidence {
  const { redactor } = state;
  const request = outcome.finalRequest;
  const contentType = Object.entries(request.headers).find(([n]) => n.toLowerCase() === "content-type")?.[1];
  // Redact response headers and body first: they teach the redactor tokens (Set-Cookie, JSON
  // token fields) that must then also disappear from the request and the curl command.
  const response = outcome.response
    ? {
        status: outcome.response.status,
        headers: redactor.headers(Object.fromEntries(outcome.response.headers)),
        body: excerpt(
          redactor.body(outcome.response.bodyText, outcome.response.headers.get("content-type") ?? undefined),
        ),
        bodyBytes: outcome.response.bodyBytes,
        truncated: outcome.response.bodyText.length > EVIDENCE_BODY_CHARS || Boolean(outcome.response.truncated),
      }
    : undefined;
  const evidence: Evidence = {
    request: {
      method: request.method,
      url: redactor.url(request.url),
      headers: redactor.headers(request.headers),
      ...(request.body !== undefined ? { body: excerpt(redactor.body(request.body, contentType)) } : {}),
    },
    curl: toCurl(
      {
        method: request.method,
        url: request.url,
        headers: { ...request.headers, "x-afterlife-region": state.options.region },
        ...(request.body !== undefined ? { body: request.body } : {}),
      },
      // Extracted tokens (authToken, session) become ${name} too: the repro script defines them.
      {
        ...Object.fromEntries(Object.entries(state.vars).filter(([name]) => SENSITIVE_NAME.test(name))),
        ...state.secretsUsed,
      },
      redactor,
    ),
    ...(response ? { response } : {}),
  };
  return evidence;
}

async function runScriptStep(step: ScriptStep, state: RunState): Promise<StepResult> {
  const started = state.deps.now();
  const deadline = stepDeadline(state, step.timeoutMs);
  const result: StepResult = {
    name: step.name,
    kind: "script",
    status: "passed",
    ttfbMs: 0,
    totalMs: 0,
    exchanges: [],
    assertions: [],
  };
  let lastOutcome: ExchangeOutcome | undefined;

  const request = async (
    method: string,
    rawUrl: string,
    options: ScriptRequestOptions = {},
  ): Promise<ScriptResponse> => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {}))
      headers[name] = asciiHeader(name, renderTemplate(value, state.scope));
    let body: string | undefined;
    if (options.body !== undefined) {
      const isText = typeof options.body === "string";
      body = isText
        ? renderTemplate(options.body as string, state.scope)
        : JSON.stringify(renderDeep(options.body, state.scope));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
        headers["content-type"] = isText ? "text/plain" : "application/json";
    }
    const exchangeRequest: ExchangeRequest = {
      method: method.toUpperCase(),
      url: resolveUrl(state, rawUrl, options.query ?? {}),
      headers,
      maxRedirects: options.maxRedirects ?? 0,
      ...(body !== undefined ? { body } : {}),
    };
    const outcome = await performExchange(exchangeRequest, deadline, exchangeDeps(state));
    lastOutcome = outcome;
    result.exchanges.push(...outcome.exchanges);
    if (!outcome.ok) throw new ScriptHttpError(outcome.failureClass, outcome.message);
    const response = outcome.response;
    learnFromResponse(state, response);
    const timing = timingOf(outcome);
    return {
      status: response.status,
      headers: response.headers,
      url: outcome.finalRequest.url,
      text: response.bodyText,
      json<T>() {
        try {
          return JSON.parse(response.bodyText) as T;
        } catch {
          const start = state.redactor.text(response.bodyText).slice(0, 80);
          throw new ScriptHttpError(
            "assertion",
            `response of ${exchangeRequest.method} ${state.redactor.url(outcome.finalRequest.url)} is not JSON: ${show(start)}`,
          );
        }
      },
      ...timing,
    };
  };

  const ctx: ScriptContext = {
    http: {
      get: (url, options) => request("GET", url, options),
      post: (url, options) => request("POST", url, options),
      put: (url, options) => request("PUT", url, options),
      delete: (url, options) => request("DELETE", url, options),
      request,
    },
    expect: (actual, label) => createExpect(actual, label, false, (text) => state.redactor.text(text)),
    vars: new Proxy(state.vars, {
      set(_target, name, value) {
        if (typeof name !== "string") return false;
        setVariable(state, name, String(value));
        return true;
      },
    }) as Record<string, string>,
    metric: (name, value) => {
      const recorded = recordMetric(state.metrics, name, value);
      if (recorded.ok) return;
      if (recorded.kind === "value")
        throw new ExpectationError(
          `metric ${name}`,
          "a finite number",
          show(value, (text) => state.redactor.text(text)),
        );
      throw new TypeError(`ctx.metric: ${recorded.message}`);
    },
    secret: (name) => renderTemplate(`{{secret:${name}}}`, state.scope),
    env: (name) => renderTemplate(`{{env:${name}}}`, state.scope),
    region: state.options.region,
    runId: state.runId,
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline.at - state.deps.now()));
  });
  try {
    const raced = await Promise.race([step.script(ctx as never).then(() => "done" as const), timeout]);
    if (raced === "timeout") {
      const message = `script step did not finish within ${deadline.of === "step" ? "the step's" : "the run's"} ${deadline.ms} ms deadline (stopped after ${Math.round(state.deps.now() - started)} ms)`;
      return finishScript(result, started, state, "timeout", message, undefined, lastOutcome);
    }
  } catch (error) {
    if (error instanceof ExpectationError) {
      const outcome: AssertionOutcome = {
        label: error.label,
        passed: false,
        expected: error.expected,
        actual: error.actual,
      };
      result.assertions.push(outcome);
      return finishScript(result, started, state, "assertion", error.message, outcome, lastOutcome);
    }
    if (error instanceof ScriptHttpError)
      return finishScript(result, started, state, error.failureClass, error.message, undefined, lastOutcome);
    if (error instanceof TemplateError)
      return finishScript(result, started, state, "probe", error.message, undefined, lastOutcome);
    return finishScript(
      result,
      started,
      state,
      "script",
      `script threw ${error instanceof Error ? `${error.name}: ${error.message}` : show(error, (text) => state.redactor.text(text))}`,
      undefined,
      lastOutcome,
    );
  } finally {
    clearTimeout(timer);
  }
  return finishScript(result, started, state);
}

function finishScript(
  result: StepResult,
  started: number,
  state: RunState,
  failureClass?: FailureClass,
  message?: string,
  assertion?: AssertionOutcome,
  lastOutcome?: ExchangeOutcome,
): StepResult {
  const timed: StepResult = {
    ...result,
    ttfbMs: timingOf(result).ttfbMs,
    totalMs: Math.max(0, state.deps.now() - started),
  };
  if (failureClass === undefined || message === undefined) return timed;
  return failStep(timed, failureClass, message, assertion, lastOutcome ? evidenceOf(state, lastOutcome) : undefined);
}
