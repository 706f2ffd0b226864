import { createRoute, z } from "@hono/zod-openapi";
import { ProbeStateSchema, type ProbeState } from "../../status/overview.ts";
import { worstState } from "../../status/state-order.ts";
import { loadOverview } from "../../queries/overview.ts";
import { createRouter } from "../router.ts";
import { jsonResponse } from "../schemas/responses.ts";

const GroupSchema = z
  .object({
    name: z.string().openapi({ example: "Checkout" }),
    state: ProbeStateSchema,
    probes: z.array(z.object({ id: z.string(), name: z.string(), state: ProbeStateSchema })),
  })
  .openapi("Group");

const route = createRoute({
  method: "get",
  path: "/",
  tags: ["Probes"],
  summary: "Groups (business capabilities) with their probes and the worst state among them",
  responses: { 200: jsonResponse(z.object({ groups: z.array(GroupSchema) }).openapi("GroupList"), "The groups") },
});

/** GET /api/v1/groups */
export const groupRoutes = createRouter().openapi(route, async (c) => {
  const overview = await loadOverview(c.env.deps);
  const groups = new Map<string, { id: string; name: string; state: ProbeState }[]>();
  for (const p of overview.probes)
    groups.set(p.group, [...(groups.get(p.group) ?? []), { id: p.id, name: p.name, state: p.state }]);
  return c.json(
    { groups: [...groups].map(([name, probes]) => ({ name, state: worstState(probes.map((p) => p.state)), probes })) },
    200,
  );
});
