/**
 * The one error shape of the API: application/problem+json (RFC 9457). Routes throw
 * ProblemError; unknown errors become a generic 500 without internals.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { formatPath } from "../probe/registry.ts";

export interface InvalidParam {
  name: string;
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  invalidParams?: InvalidParam[];
}

export class ProblemError extends Error {
  override name = "ProblemError";
  readonly status: ContentfulStatusCode;
  readonly title: string;
  readonly detail: string | undefined;
  readonly invalidParams: InvalidParam[] | undefined;
  /** Extra response headers, e.g. WWW-Authenticate on a 401 or Retry-After on a 429. */
  readonly headers: Record<string, string>;
  constructor(status: ContentfulStatusCode, title: string, detail?: string, invalidParams?: InvalidParam[], headers: Record<string, string> = {}) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.invalidParams = invalidParams;
    this.headers = headers;
  }
}

const TYPE_BASE = "https://afterlife.dev/problems/";

export function problemResponse(c: Context, status: ContentfulStatusCode, title: string, detail?: string, invalidParams?: InvalidParam[], headers: Record<string, string> = {}): Response {
  const body: Problem = {
    type: `${TYPE_BASE}${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    instance: new URL(c.req.url).pathname,
    ...(invalidParams?.length ? { invalidParams } : {}),
  };
  return c.body(JSON.stringify(body), status, { ...headers, "content-type": "application/problem+json" });
}

export function onError(error: Error, c: Context): Response {
  if (error instanceof ProblemError) return problemResponse(c, error.status, error.title, error.detail, error.invalidParams, error.headers);
  // Logged for the operator, never echoed: internals stay out of responses.
  console.error(JSON.stringify({ event: "unhandled_error", path: new URL(c.req.url).pathname, error: error.name, message: error.message }));
  return problemResponse(c, 500, "Internal Server Error", "Something went wrong on our side; the error was logged.");
}

export function notFound(c: Context): Response {
  return problemResponse(c, 404, "Not Found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
}

/**
 * The zod hook of every route: a request that fails validation gets a 400 problem listing each
 * bad field as `<where>.<path>` (query.limit, param.id, json.title) with what is expected.
 */
export function validationProblem(result: { target: string; success: boolean; error?: ZodError }, c: Context): Response | undefined {
  if (result.success || !result.error) return undefined;
  const invalidParams = result.error.issues.map((issue) => ({ name: [result.target, formatPath(issue.path)].filter(Boolean).join("."), reason: issue.message }));
  return problemResponse(c, 400, "Bad Request", `Invalid ${result.target}: ${invalidParams.map((p) => `${p.name} (${p.reason})`).join("; ")}.`, invalidParams);
}
