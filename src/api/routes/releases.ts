import { createRoute, z } from "@hono/zod-openapi";
import { randomBase62 } from "../../auth/api-token.ts";
import { MAX_BACKDATE_MS, NewReleaseSchema, ReleaseSchema, type Release } from "../../releases/model.ts";
import { FIRST_LOOK_MINUTES, watchEnd, watchStart } from "../../releases/watch-looks.ts";
import { DEFAULT_BASELINE_MINUTES } from "../../releases/model.ts";
import { writeGuard } from "../auth.ts";
import { probePagePaths, purgeEdgeCopies } from "../edge-cache-purge.ts";
import { ProblemError, type InvalidParam } from "../problem.ts";
import { unknownProbeIdsParam } from "../probe-ids.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { jsonResponse } from "../schemas/responses.ts";
import { ProbeIdSchema } from "../../probe/schema.ts";

const ReleaseDoc = ReleaseSchema.openapi("Release");
const IdParam = z.object({
  id: z
    .string()
    .regex(/^rel_[A-Za-z0-9]{12}$/, "a release id such as rel_4fZk9QxT2mPa")
    .openapi({ param: { name: "id", in: "path" }, example: "rel_4fZk9QxT2mPa" }),
});
const ListQuery = z.object({
  probe: ProbeIdSchema.optional().openapi({ example: "shop-checkout" }),
  limit: z.coerce.number().int().min(1, "at least 1").max(100, "at most 100").default(20),
});

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Releases"],
  summary: "Releases, newest first, with their watch's latest verdict",
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(z.object({ releases: z.array(ReleaseDoc) }).openapi("ReleaseList"), "The releases"),
    ...problemResponses(400),
  },
});
const one = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Releases"],
  summary:
    "One release and its watch's verdict: healthy, regressed (with the evidence) or inconclusive; `final` once it cannot change",
  request: { params: IdParam },
  responses: { 200: jsonResponse(ReleaseDoc, "The release"), ...problemResponses(400, 404) },
});
const create = createRoute({
  method: "post",
  path: "/",
  tags: ["Releases"],
  summary:
    "Mark a release: its probes run every minute for the watch, which compares after with before and gives a verdict",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: {
    body: { content: { "application/json": { schema: NewReleaseSchema.openapi("NewRelease") } }, required: true },
  },
  responses: {
    201: jsonResponse(ReleaseDoc, "The new release; its watch starts the minute after it went live"),
    ...problemResponses(400, 401, 403, 429),
  },
});

/** /api/v1/releases */
export const releaseRoutes = createRouter()
  .openapi(list, async (c) => {
    const { probe, limit } = c.req.valid("query");
    const { deps } = c.env;
    const [releases] = await deps.store.read([
      deps.releases.listRead({ limit, probeIds: probe ? [probe] : undefined }),
    ] as const);
    return c.json({ releases }, 200);
  })
  .openapi(one, async (c) => {
    const { id } = c.req.valid("param");
    const release = await c.env.deps.releases.get(id);
    if (!release) throw new ProblemError(404, "Not Found", `No release with id '${id}'.`);
    return c.json(release, 200);
  })
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { deps } = c.env;
    const now = deps.now();
    const invalid: InvalidParam[] = [];
    let probeIds: string[] = [];
    if ((body.probeIds === undefined) === (body.group === undefined)) {
      invalid.push({
        name: "json.probeIds",
        reason: "give either probeIds (a list of probe ids) or group (a probe group), not both and not neither",
      });
    } else if (body.probeIds) {
      const unknown = unknownProbeIdsParam(deps, body.probeIds);
      if (unknown) invalid.push(unknown);
      probeIds = [...new Set(body.probeIds)];
    } else {
      probeIds = deps.probes.filter((p) => p.probe.group === body.group).map((p) => p.probe.id);
      if (probeIds.length === 0)
        invalid.push({
          name: "json.group",
          reason: `no probe is in group '${body.group}'; groups: ${[...new Set(deps.probes.map((p) => p.probe.group))].join(", ")}`,
        });
    }
    const releasedAt = body.at === undefined ? now : Date.parse(body.at);
    if (releasedAt > now + 60_000)
      invalid.push({
        name: "json.at",
        reason: "in the future; mark a release once it is live (leave `at` out for now)",
      });
    if (releasedAt < now - MAX_BACKDATE_MS)
      invalid.push({
        name: "json.at",
        reason:
          "more than 24 h ago; the watch compares the runs right after a release, which are past raw retention's reach for the page",
      });
    if (invalid.length) throw new ProblemError(400, "Bad Request", "The release has invalid fields.", invalid);
    const watchMinutes = body.watchMinutes ?? deps.config.releaseWatchMinutes;
    const release: Release = {
      id: `rel_${randomBase62(12)}`,
      version: body.version,
      probeIds,
      url: body.url ?? null,
      description: body.description ?? null,
      releasedAt,
      createdAt: now,
      watchMinutes,
      baselineMinutes: body.baselineMinutes ?? DEFAULT_BASELINE_MINUTES,
      watchFrom: watchStart(releasedAt),
      watchUntil: watchEnd(releasedAt, watchMinutes),
      judgement: {
        verdict: "inconclusive",
        final: false,
        atMinute: null,
        findings: [],
        reason: `watching: the first look is ${FIRST_LOOK_MINUTES} minutes after the release`,
      },
    };
    await deps.releases.insert(release);
    // The release shows as a marker on its probes' pages: drop this location's copies of them, and of `/`.
    await purgeEdgeCopies(c, ["/", ...probePagePaths(probeIds)]);
    return c.json(release, 201);
  });
