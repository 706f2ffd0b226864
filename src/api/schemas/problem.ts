import { z } from "@hono/zod-openapi";

const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://afterlife.dev/problems/bad-request" }),
    title: z.string().openapi({ example: "Bad Request" }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    invalidParams: z
      .array(z.object({ name: z.string().openapi({ example: "query.limit" }), reason: z.string() }))
      .optional(),
  })
  .openapi("Problem", { description: "An RFC 9457 problem: the one error shape of the API." });

const DESCRIPTIONS: Record<number, string> = {
  400: "Invalid request: `invalidParams` lists every bad field",
  401: "Missing or invalid bearer token",
  403: "The token lacks the scope this route needs",
  404: "Not found",
  429: "Too many requests; retry after the Retry-After header",
};

/** Problem responses for a route's documented error statuses. */
export function problemResponses<S extends 400 | 401 | 403 | 404 | 429>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: DESCRIPTIONS[s]!, content: { "application/problem+json": { schema: ProblemSchema } } },
    ]),
  ) as Record<S, { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }>;
}
