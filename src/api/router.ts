import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { validationProblem } from "./problem.ts";

/** A router whose routes are documented in the OpenAPI document and validated by one zod hook. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: (result, c) => validationProblem(result, c) });
}
