import { createRoute, z } from "@hono/zod-openapi";
import { randomBase62 } from "../../auth/api-token.ts";
import {
  IncidentPatchSchema,
  IncidentSchema,
  NewIncidentSchema,
  NewIncidentUpdateSchema,
  type Incident,
} from "../../incidents/model.ts";
import type { AppDeps } from "../app-env.ts";
import { writeGuard } from "../auth.ts";
import { purgeAfterNoticeWrite } from "../edge-cache-purge.ts";
import { ProblemError } from "../problem.ts";
import { unknownProbeIdsParam } from "../probe-ids.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { jsonResponse } from "../schemas/responses.ts";

const IncidentDoc = IncidentSchema.openapi("Incident");
const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, "an incident id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Incidents"],
  summary: "Public incidents, newest first, with their updates",
  request: {
    query: z.object({
      unresolved: z.enum(["true", "false"]).default("false"),
      before: z.coerce.number().int().min(0).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(25),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ incidents: z.array(IncidentDoc) }).openapi("IncidentList"), "The incidents"),
    ...problemResponses(400),
  },
});
const one = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Incidents"],
  summary: "One public incident",
  request: { params: IdParam },
  responses: { 200: jsonResponse(IncidentDoc, "The incident"), ...problemResponses(400, 404) },
});
const create = createRoute({
  method: "post",
  path: "/",
  tags: ["Incidents"],
  summary: "Open a manual incident (plain text; it appears on the page, the feed and the Statuspage endpoints)",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: { body: { content: { "application/json": { schema: NewIncidentSchema } }, required: true } },
  responses: { 201: jsonResponse(IncidentDoc, "The new incident"), ...problemResponses(400, 401, 403, 429) },
});
const patch = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["Incidents"],
  summary: "Edit an incident's title, impact or affected probes",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: IncidentPatchSchema } }, required: true },
  },
  responses: { 200: jsonResponse(IncidentDoc, "The incident"), ...problemResponses(400, 401, 403, 404, 429) },
});
const update = createRoute({
  method: "post",
  path: "/{id}/updates",
  tags: ["Incidents"],
  summary: "Post an update (investigating, identified, monitoring, resolved); resolved closes the incident",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: {
    params: IdParam,
    body: { content: { "application/json": { schema: NewIncidentUpdateSchema } }, required: true },
  },
  responses: {
    201: jsonResponse(IncidentDoc, "The incident with the new update"),
    ...problemResponses(400, 401, 403, 404, 429),
  },
});

function unknownProbes(deps: AppDeps, probeIds: readonly string[]): void {
  const problem = unknownProbeIdsParam(deps, probeIds);
  if (problem) throw new ProblemError(400, "Bad Request", "The incident names probes that do not exist.", [problem]);
}

/** An incident is public only when every probe it names is (one private probe makes it private). */
function namesOnlyPublicProbes(deps: AppDeps, probeIds: readonly string[]): boolean {
  return probeIds.every((id) => deps.probes.find((p) => p.probe.id === id)?.probe.public ?? false);
}

async function existing(deps: AppDeps, id: string, publicOnly: boolean): Promise<Incident> {
  const incident = await deps.incidents.getIncident(id);
  if (!incident || (publicOnly && !incident.public))
    throw new ProblemError(404, "Not Found", `No incident with id '${id}'.`);
  return incident;
}

/** /api/v1/incidents */
export const incidentRoutes = createRouter()
  .openapi(list, async (c) => {
    const q = c.req.valid("query");
    const incidents = await c.env.deps.incidents.listIncidents({
      unresolvedOnly: q.unresolved === "true",
      publicOnly: true,
      before: q.before,
      limit: q.limit,
    });
    return c.json({ incidents }, 200);
  })
  .openapi(one, async (c) => c.json(await existing(c.env.deps, c.req.valid("param").id, true), 200))
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { deps } = c.env;
    unknownProbes(deps, body.probeIds);
    const now = deps.now();
    const incident: Incident = {
      id: `inc_${randomBase62(12)}`,
      kind: "manual",
      title: body.title,
      impact: body.impact,
      status: body.status,
      probeIds: body.probeIds,
      regions: [],
      startedAt: now,
      resolvedAt: body.status === "resolved" ? now : null,
      createdAt: now,
      updatedAt: now,
      failure: null,
      public: namesOnlyPublicProbes(deps, body.probeIds),
      updates: [{ id: `upd_${randomBase62(12)}`, status: body.status, body: body.body, createdAt: now }],
    };
    await deps.incidents.run(deps.incidents.insertIncidentStatements(incident));
    await purgeAfterNoticeWrite(c, incident.probeIds);
    return c.json(incident, 201);
  })
  .openapi(patch, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const before = await existing(c.env.deps, id, false);
    if (body.probeIds) unknownProbes(c.env.deps, body.probeIds);
    const { probeIds, ...rest } = body;
    // Moving an incident onto a private probe makes it private (and back): visibility follows the probes.
    await c.env.deps.incidents.patchIncident(
      id,
      {
        ...rest,
        ...(probeIds ? { probeIds: { ids: probeIds, public: namesOnlyPublicProbes(c.env.deps, probeIds) } } : {}),
      },
      c.env.deps.now(),
    );
    await purgeAfterNoticeWrite(c, [...before.probeIds, ...(probeIds ?? [])]);
    return c.json(await existing(c.env.deps, id, false), 200);
  })
  .openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { deps } = c.env;
    const incident = await existing(deps, id, false);
    // Strictly after the previous update, so the timeline order never depends on a tie.
    const now = Math.max(deps.now(), ...incident.updates.map((u) => u.createdAt + 1));
    await deps.incidents.run([
      deps.incidents.insertUpdateStatement(id, {
        id: `upd_${randomBase62(12)}`,
        status: body.status,
        body: body.body,
        createdAt: now,
      }),
      deps.incidents.setStatusStatement(id, body.status, now),
    ]);
    await purgeAfterNoticeWrite(c, incident.probeIds);
    return c.json(await existing(deps, id, false), 201);
  });
