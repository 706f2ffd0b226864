import { createRoute, z } from "@hono/zod-openapi";
import { randomBase62 } from "../../auth/api-token.ts";
import { MaintenanceSchema, NewMaintenanceSchema, type Maintenance } from "../../incidents/model.ts";
import { maintenanceScheduleProblems } from "../../incidents/maintenance-windows.ts";
import { writeGuard } from "../auth.ts";
import { purgeAfterNoticeWrite } from "../edge-cache-purge.ts";
import { ProblemError } from "../problem.ts";
import { unknownProbeIdsParam } from "../probe-ids.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";
import { jsonResponse } from "../schemas/responses.ts";

const MaintenanceDoc = MaintenanceSchema.openapi("Maintenance");
const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, "a maintenance id")
    .openapi({ param: { name: "id", in: "path" } }),
});

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Maintenance"],
  summary: "Scheduled maintenance windows (not cancelled)",
  responses: {
    200: jsonResponse(
      z.object({ maintenances: z.array(MaintenanceDoc) }).openapi("MaintenanceList"),
      "The maintenance windows",
    ),
  },
});
const create = createRoute({
  method: "post",
  path: "/",
  tags: ["Maintenance"],
  summary:
    "Schedule maintenance: one-off, or recurring by a cron rule in a time zone; it suppresses notices and is left out of SLOs by default",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: { body: { content: { "application/json": { schema: NewMaintenanceSchema } }, required: true } },
  responses: { 201: jsonResponse(MaintenanceDoc, "The new maintenance"), ...problemResponses(400, 401, 403, 429) },
});
const cancel = createRoute({
  method: "delete",
  path: "/{id}",
  tags: ["Maintenance"],
  summary: "Cancel a maintenance window",
  security: [{ Bearer: [] }],
  middleware: writeGuard(),
  request: { params: IdParam },
  responses: { 204: { description: "Cancelled" }, ...problemResponses(400, 401, 403, 404, 429) },
});

/** /api/v1/maintenances */
export const maintenanceRoutes = createRouter()
  .openapi(list, async (c) => c.json({ maintenances: await c.env.deps.maintenances.listMaintenances() }, 200))
  .openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { deps } = c.env;
    const unknown = unknownProbeIdsParam(deps, body.probeIds);
    const invalid = [
      ...(unknown ? [unknown] : []),
      ...maintenanceScheduleProblems(body.schedule).map((p) => ({ name: `json.${p.path}`, reason: p.message })),
    ];
    if (invalid.length) throw new ProblemError(400, "Bad Request", "The maintenance has invalid fields.", invalid);
    const now = deps.now();
    const maintenance: Maintenance = {
      id: `mnt_${randomBase62(12)}`,
      ...body,
      createdAt: now,
      updatedAt: now,
      cancelledAt: null,
    };
    await deps.maintenances.insertMaintenance(maintenance);
    await purgeAfterNoticeWrite(c, maintenance.probeIds);
    return c.json(maintenance, 201);
  })
  .openapi(cancel, async (c) => {
    const { id } = c.req.valid("param");
    const { deps } = c.env;
    const probeIds = (await deps.maintenances.listMaintenances()).find((m) => m.id === id)?.probeIds ?? [];
    if (!(await deps.maintenances.cancelMaintenance(id, deps.now())))
      throw new ProblemError(404, "Not Found", `No active maintenance with id '${id}'.`);
    await purgeAfterNoticeWrite(c, probeIds);
    return c.body(null, 204);
  });
