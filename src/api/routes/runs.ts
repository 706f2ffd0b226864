import { Hono } from "hono";
import { parseRunId } from "../../probe/result.ts";
import type { AppEnv } from "../app-env.ts";
import { ProblemError } from "../problem.ts";

/** GET /api/v1/runs/:id: one run with its steps, timings, redacted evidence and curl repro. */
export const runRoutes = new Hono<AppEnv>().get("/:id", async (c) => {
  const id = c.req.param("id");
  if (!parseRunId(id)) {
    throw new ProblemError(400, "Bad Request", "The run id must look like '<probe-id>.<region>.<slot epoch ms>'.", [
      { name: "id", reason: "expected '<probe-id>.<region>.<slot epoch ms>', e.g. 'shop-checkout.weur.1764158400000'" },
    ]);
  }
  const run = await c.env.deps.store.getRun(id);
  if (!run) throw new ProblemError(404, "Not Found", `No run with id '${id}'.`);
  return c.json(run);
});
