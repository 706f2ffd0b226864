import type { z } from "@hono/zod-openapi";

/** A documented JSON response: `{ 200: jsonResponse(ProbeSchema, "The probe") }`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
