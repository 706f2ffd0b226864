/**
 * Heartbeat pings: `POST /hb/{id}` when the job succeeded, `/hb/{id}/start` when it starts,
 * `/hb/{id}/fail` when it failed; GET does the same (cron lines, wget, devices that cannot
 * POST). The heartbeat's secret goes in `Authorization: Bearer hb_...` or as a path segment
 * (`/hb/{id}/hb_.../fail`), as healthchecks.io and Uptime Kuma put theirs in the URL. A ping's
 * body is never read, stored or served.
 *
 * An unknown id, a probe that is not a heartbeat, a heartbeat without a secret, a missing secret
 * and a wrong one all get the same 401, after the same hashing: a caller cannot tell which ids
 * exist. Pings are rate-limited per client IP (with the public reads) and, once the secret
 * checked out, per heartbeat.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { constantTimeEqual, sha256Hex } from "../../auth/api-token.ts";
import { HEARTBEAT_SECRET_PATTERN } from "../../auth/heartbeat-secret.ts";
import type { PingKind } from "../../storage/heartbeat-store.ts";
import type { AppEnv } from "../app-env.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { jsonResponse } from "../schemas/responses.ts";

const ACTIONS: Record<string, PingKind> = { start: "start", fail: "fail" };
const BEARER = /^[ \t]*bearer[ \t]+([^\s]+)[ \t]*$/i;

function notFound(path: string): ProblemError {
  return new ProblemError(404, "Not Found", `No ping route ${path}.`, [
    { name: "path", reason: "/hb/{id}, /hb/{id}/start or /hb/{id}/fail (the secret may come before start or fail)" },
  ]);
}

const UNAUTHORIZED = () =>
  new ProblemError(401, "Unauthorized", "Unknown heartbeat or wrong secret.", [
    {
      name: "header.authorization",
      reason:
        "send `Authorization: Bearer hb_...` (or put the secret in the path); create one with `npm run probe -- heartbeat secret <id>`",
    },
  ]);

async function ping(c: Context<AppEnv>, rest: readonly string[]): Promise<Response> {
  const id = c.req.param("id") ?? "";
  let secret: string | undefined;
  let actions = rest;
  if (rest[0] !== undefined && HEARTBEAT_SECRET_PATTERN.test(rest[0])) {
    secret = rest[0];
    actions = rest.slice(1);
  }
  if (actions.length > 1 || (actions[0] !== undefined && ACTIONS[actions[0]] === undefined))
    throw notFound(new URL(c.req.url).pathname.replace(/\/hb_[0-9A-Za-z]+/g, "/hb_…"));
  const kind: PingKind = actions[0] === undefined ? "success" : ACTIONS[actions[0]]!;
  secret ??= BEARER.exec(c.req.header("authorization") ?? "")?.[1];

  const deps = c.env.deps;
  const isHeartbeat = deps.probes.some((p) => p.probe.id === id && p.probe.kind === "heartbeat");
  // Hash whatever came (even nothing), so the answer takes as long whichever check fails.
  const [stored, hash] = await Promise.all([
    isHeartbeat ? deps.heartbeats.find(id) : Promise.resolve(null),
    sha256Hex(secret ?? ""),
  ]);
  if (!stored || secret === undefined || !constantTimeEqual(hash, stored.secretHash)) throw UNAUTHORIZED();

  const { success } = await deps.rateLimits.heartbeats.limit({ key: id });
  if (!success)
    throw new ProblemError(
      429,
      "Too Many Requests",
      `Slow down: heartbeat '${id}' got too many pings in the last minute.`,
      undefined,
      { "retry-after": "60" },
    );

  const at = deps.now();
  await deps.heartbeats.recordPing(id, kind, at);
  c.header("cache-control", "no-store");
  return c.json({ ok: true, heartbeat: id, ping: kind, at }, 200);
}

const PingSchema = z
  .object({
    ok: z.literal(true),
    heartbeat: z.string(),
    ping: z.enum(["success", "start", "fail"]),
    at: z.number().int(),
  })
  .openapi("HeartbeatPing");
const id = z.string().openapi({ example: "nightly-backup" });
const segment = z.string().openapi({ description: "`start`, `fail`, or the secret (`hb_...`) followed by them" });
const FORMS = [
  {
    path: "/{id}",
    params: z.object({ id }),
    summary: "The job succeeded",
    rest: (_c: Context<AppEnv>) => [] as string[],
  },
  {
    path: "/{id}/{a}",
    params: z.object({ id, a: segment }),
    summary: "The job started or failed (or succeeded, with the secret in the path)",
    rest: (c: Context<AppEnv>) => [c.req.param("a") ?? ""],
  },
  {
    path: "/{id}/{a}/{b}",
    params: z.object({ id, a: segment, b: segment }),
    summary: "The job started or failed, with the secret in the path",
    rest: (c: Context<AppEnv>) => [c.req.param("a") ?? "", c.req.param("b") ?? ""],
  },
];

export const heartbeatRoutes = createRouter();
for (const method of ["get", "post"] as const) {
  for (const form of FORMS) {
    const route = createRoute({
      method,
      path: form.path,
      tags: ["Heartbeats"],
      summary: `Heartbeat ping: ${form.summary.toLowerCase()}`,
      description:
        "Authenticated by the heartbeat's secret (`Authorization: Bearer hb_...` or a path segment). The body is never read.",
      request: { params: form.params },
      responses: { 200: jsonResponse(PingSchema, "The ping was recorded"), ...problemResponses(401, 404, 429) },
    });
    heartbeatRoutes.openapi(route, (c) => ping(c, form.rest(c)) as never);
  }
}
