/**
 * One HTTP request as a probe makes it: every hop checked by the SSRF guard, manual redirects,
 * a hard deadline through AbortSignal, no cache, a bounded body read, and timestamps taken right
 * around the awaited fetch and the body read (Workers clocks only advance across I/O).
 * Never throws for a failing target: the outcome says what happened.
 */
import type { ObservedResponse } from "./observed-response.ts";
import type { ExchangeTiming, FailureClass } from "./result.ts";
import { callChecked } from "./global-fetch-guard.ts";
import { checkTarget, resolveRedirect } from "./target-guard.ts";

export interface ExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  maxRedirects: number;
}

export interface ExchangeDeps {
  fetch: typeof fetch;
  /** Milliseconds; Date.now in the Worker, performance-based in Node. */
  now: () => number;
  allowPrivateTargets: boolean;
  /** Sent as x-afterlife-region so targets (and the demo shop's fault knob) know who asks. */
  region: string;
}

export type ExchangeOutcome =
  | { ok: true; response: ObservedResponse; finalRequest: ExchangeRequest; exchanges: ExchangeTiming[] }
  | {
      ok: false;
      failureClass: FailureClass;
      message: string;
      finalRequest: ExchangeRequest;
      exchanges: ExchangeTiming[];
      response?: ObservedResponse;
    };

/** Bodies beyond this are cut: assertions see the first MiB, bodyBytes says it was cut. */
const MAX_BODY_BYTES = 1024 * 1024;
const USER_AGENT = "Afterlife/0.1 (synthetic probe; +https://github.com/afterlife-monitoring)";

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** When a request must be complete, and what set that time (for the timeout's message). */
export interface Deadline {
  at: number;
  /** The budget that ends at `at`, in ms, e.g. the step's 3000 ms. */
  ms: number;
  /** Whose budget: "the step's" or "the run's". */
  of: "step" | "run";
  /** When the budget started (epoch ms), to report the time taken. */
  startedAt: number;
}

export async function performExchange(
  request: ExchangeRequest,
  deadline: Deadline | number,
  deps: ExchangeDeps,
): Promise<ExchangeOutcome> {
  const deadlineAt = typeof deadline === "number" ? deadline : deadline.at;
  const exchanges: ExchangeTiming[] = [];
  let current: ExchangeRequest = request;

  for (let hop = 0; ; hop++) {
    const target = checkTarget(current.url, { allowPrivate: deps.allowPrivateTargets });
    if (!target.ok) {
      return {
        ok: false,
        failureClass: "probe",
        message: hop === 0 ? target.reason : `redirect hop ${hop}: ${target.reason}`,
        finalRequest: current,
        exchanges,
      };
    }
    const remaining = deadlineAt - deps.now();
    if (remaining <= 0) return timeoutOutcome(current, exchanges, deadline, deps);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), remaining);
    const timing: ExchangeTiming = { method: current.method, url: current.url, ttfbMs: 0, totalMs: 0 };
    let observed: ObservedResponse;
    let location: string | null;
    let startedAt = deps.now();
    try {
      const init: RequestInit = {
        method: current.method,
        headers: { "user-agent": USER_AGENT, ...current.headers, "x-afterlife-region": deps.region },
        redirect: "manual",
        cache: "no-store",
        signal: controller.signal,
      };
      if (current.body !== undefined) init.body = current.body;
      startedAt = deps.now();
      const response = await callChecked(deps.fetch, current.url, init);
      const headersAt = deps.now();
      const { text, bytes, truncated } = await readBounded(response);
      const endedAt = deps.now();
      timing.status = response.status;
      timing.ttfbMs = headersAt - startedAt;
      timing.totalMs = endedAt - startedAt;
      observed = {
        status: response.status,
        headers: response.headers,
        bodyText: text,
        bodyBytes: bytes,
        totalMs: timing.totalMs,
        truncated,
      };
      location = response.headers.get("location");
    } catch (error) {
      // The time spent waiting counts, so a timeout shows how long the step really took.
      timing.totalMs = deps.now() - startedAt;
      exchanges.push(timing);
      if (controller.signal.aborted) return timeoutOutcome(current, exchanges, deadline, deps);
      const classified = classifyFetchError(error);
      return {
        ok: false,
        failureClass: classified.failureClass,
        message: classified.message,
        finalRequest: current,
        exchanges,
      };
    } finally {
      clearTimeout(timer);
    }
    exchanges.push(timing);

    if (!REDIRECT_STATUSES.has(observed.status) || location === null || hop >= current.maxRedirects) {
      return { ok: true, response: observed, finalRequest: current, exchanges };
    }
    current = nextHop(current, observed.status, resolveRedirect(new URL(current.url), location));
  }
}

/** Browsers turn 303 (and 301/302 after a POST) into a GET without a body. */
function nextHop(request: ExchangeRequest, status: number, url: string): ExchangeRequest {
  const becomesGet = status === 303 || ((status === 301 || status === 302) && request.method === "POST");
  if (!becomesGet) return { ...request, url };
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== "content-type"),
  );
  return { method: "GET", url, headers, maxRedirects: request.maxRedirects };
}

function timeoutOutcome(
  request: ExchangeRequest,
  exchanges: ExchangeTiming[],
  deadline: Deadline | number,
  deps: ExchangeDeps,
): ExchangeOutcome {
  const now = deps.now();
  const message =
    typeof deadline === "number"
      ? `no complete response from ${request.method} ${request.url} before the deadline${now > deadline ? ` (stopped ${Math.round(now - deadline)} ms after it)` : ""}`
      : `no complete response from ${request.method} ${request.url} within ${deadline.of === "step" ? "the step's" : "the run's"} ${deadline.ms} ms deadline (stopped after ${Math.round(now - deadline.startedAt)} ms)`;
  return { ok: false, failureClass: "timeout", message, finalRequest: request, exchanges };
}

async function readBounded(response: Response): Promise<{ text: string; bytes: number; truncated: boolean }> {
  if (!response.body) return { text: "", bytes: 0, truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > MAX_BODY_BYTES) {
      truncated = true;
      chunks.push(value.subarray(0, value.byteLength - (bytes - MAX_BODY_BYTES)));
      await reader.cancel();
      break;
    }
    chunks.push(value);
  }
  const joined = new Uint8Array(Math.min(bytes, MAX_BODY_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { text: new TextDecoder().decode(joined), bytes, truncated };
}

/**
 * Maps a fetch rejection to a failure class. Workers and Node word these differently; the
 * patterns cover both (Node puts the system error code on `cause`).
 */
function classifyFetchError(error: unknown): { failureClass: FailureClass; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: string } | undefined)?.code ?? "";
  const detail = `${message} ${cause?.message ?? ""} ${code}`;
  if (/ENOTFOUND|EAI_AGAIN|dns|resolve|name not|no such host/i.test(detail))
    return { failureClass: "dns", message: `DNS lookup failed: ${clean(detail)}` };
  if (/cert|tls|ssl|handshake|self.signed/i.test(detail))
    return { failureClass: "tls", message: `TLS failed: ${clean(detail)}` };
  if (/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|timed? ?out/i.test(detail))
    return { failureClass: "timeout", message: `timed out: ${clean(detail)}` };
  return { failureClass: "connect", message: `connection failed: ${clean(detail)}` };
}

function clean(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
