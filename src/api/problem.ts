/**
 * The one error shape of the API: application/problem+json (RFC 9457). Routes throw
 * ProblemError; unknown errors become a generic 500 without internals.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { formatPath } from "../probe/registry.ts";

export interface InvalidParam {
  name: string;
  reason: string;
}

interface Problem {
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
  constructor(
    status: ContentfulStatusCode,
    title: string,
    detail?: string,
    invalidParams?: InvalidParam[],
    headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.invalidParams = invalidParams;
    this.headers = headers;
  }
}

const TYPE_BASE = "https://afterlife.dev/problems/";

function problemResponse(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  detail?: string,
  invalidParams?: InvalidParam[],
  headers: Record<string, string> = {},
): Response {
  const body: Problem = {
    type: `${TYPE_BASE}${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
    title,
    status,
    ...(detail ? { detail } : {}),
    // A heartbeat secret may be a path segment (/hb/{id}/hb_...): never echoed back.
    instance: new URL(c.req.url).pathname.replace(/\/hb_[0-9A-Za-z]+/g, "/hb_…"),
    ...(invalidParams?.length ? { invalidParams } : {}),
  };
  return c.body(JSON.stringify(body), status, { ...headers, "content-type": "application/problem+json" });
}

/**
 * What hono's validators throw before a route's zod hook can see the body (malformed JSON, a
 * media type the route does not take), named as the field that is wrong and how to fix it.
 */
function fromHttpException(error: HTTPException): ProblemError {
  const status = error.status;
  if (status === 415) {
    return new ProblemError(415, "Unsupported Media Type", "This route takes a JSON body.", [
      { name: "header.content-type", reason: "send `Content-Type: application/json` with a JSON body" },
    ]);
  }
  if (status === 400) {
    return new ProblemError(400, "Bad Request", "The request body is not valid JSON.", [
      { name: "json", reason: "send a JSON object (check quotes, commas and brackets; NUL bytes are not allowed)" },
    ]);
  }
  if (status >= 400 && status < 500)
    return new ProblemError(status as ContentfulStatusCode, titleOf(status), error.message || undefined);
  return new ProblemError(500, "Internal Server Error", "Something went wrong on our side; the error was logged.");
}

function titleOf(status: number): string {
  return (
    (
      {
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        405: "Method Not Allowed",
        408: "Request Timeout",
        413: "Content Too Large",
        429: "Too Many Requests",
      } as Record<number, string>
    )[status] ?? "Bad Request"
  );
}

/** A zod error thrown outside the route hook (a schema parsed by hand) is still the caller's input. */
function fromZodError(error: ZodError): ProblemError {
  const invalidParams = error.issues.map((issue) => ({
    name: ["json", formatPath(issue.path)].filter(Boolean).join("."),
    reason: issue.message,
  }));
  return new ProblemError(
    400,
    "Bad Request",
    `Invalid input: ${invalidParams.map((p) => `${p.name} (${p.reason})`).join("; ")}.`,
    invalidParams,
  );
}

/** The one error handler: every error hono, zod or a route raises becomes problem+json. */
export function onError(error: Error, c: Context): Response {
  if (error instanceof HTTPException && error.status < 500) error = fromHttpException(error);
  else if (error instanceof ZodError) error = fromZodError(error);
  if (error instanceof ProblemError)
    return problemResponse(c, error.status, error.title, error.detail, error.invalidParams, error.headers);
  // Logged for the operator, never echoed: internals stay out of responses.
  console.error(
    JSON.stringify({
      event: "unhandled_error",
      path: new URL(c.req.url).pathname,
      error: error.name,
      message: error.message,
    }),
  );
  return problemResponse(c, 500, "Internal Server Error", "Something went wrong on our side; the error was logged.");
}

export function notFound(c: Context): Response {
  return problemResponse(c, 404, "Not Found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
}

/**
 * The zod hook of every route: a request that fails validation gets a 400 problem listing each
 * bad field as `<where>.<path>` (query.limit, param.id, json.title) with what is expected.
 */
export function validationProblem(
  result: { target: string; success: boolean; error?: ZodError },
  c: Context,
): Response | undefined {
  if (result.success || !result.error) return undefined;
  const invalidParams = result.error.issues.map((issue) => ({
    name: [result.target, formatPath(issue.path)].filter(Boolean).join("."),
    reason: issue.message,
  }));
  return problemResponse(
    c,
    400,
    "Bad Request",
    `Invalid ${result.target}: ${invalidParams.map((p) => `${p.name} (${p.reason})`).join("; ")}.`,
    invalidParams,
  );
}
