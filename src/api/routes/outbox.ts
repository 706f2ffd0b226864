import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../auth.ts";
import { createRouter } from "../router.ts";
import { problemResponses } from "../schemas/problem.ts";

const OutboxItemSchema = z
  .object({
    id: z
      .string()
      .openapi({ description: "<incident>:<transition>:<channel>: one delivery per transition per channel" }),
    channel: z.string(),
    payload: z.unknown(),
    status: z.enum(["pending", "delivered", "dead"]),
    attempts: z.number().int(),
    nextAttemptAt: z.number(),
    lastError: z.string().nullable(),
    createdAt: z.number(),
    deliveredAt: z.number().nullable(),
  })
  .openapi("OutboxItem");

const list = createRoute({
  method: "get",
  path: "/",
  tags: ["Incidents"],
  summary: "Notification outbox: pending, delivered and dead-lettered notices",
  security: [{ Bearer: [] }],
  middleware: [requireScope("read")],
  request: {
    query: z.object({
      status: z.enum(["pending", "delivered", "dead"]).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: {
      description: "Outbox items, newest first",
      content: { "application/json": { schema: z.object({ items: z.array(OutboxItemSchema) }) } },
    },
    ...problemResponses(400, 401, 403),
  },
});

/** GET /api/v1/outbox (read token) */
export const outboxRoutes = createRouter().openapi(list, async (c) => {
  const q = c.req.valid("query");
  return c.json({ items: await c.env.deps.outbox.listOutbox({ status: q.status, limit: q.limit }) }, 200);
});
