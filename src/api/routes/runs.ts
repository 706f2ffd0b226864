import { createRoute, z } from "@hono/zod-openapi";
import type { LoadedProbe } from "../../probe/registry.ts";
import { RUN_ID, RunResultSchema, RunStatusSchema, RunSummarySchema, type RunResult } from "../../probe/result.ts";
import { declaredSteps } from "../../probe/schema.ts";
import { ProblemError } from "../problem.ts";
import { createRouter } from "../router.ts";
import { jsonResponse } from "../schemas/responses.ts";
import { problemResponses } from "../schemas/problem.ts";
import { decodeCursor, encodeCursor, MAX_PAIRS_WITHOUT_PROBE } from "../../storage/run-list.ts";
import { ProbeIdSchema } from "../../probe/schema.ts";

/** A pass kept as its outcome only (no steps stored): every step of its probe passed. */
function withStepOutcomes(run: RunResult, probes: readonly LoadedProbe[]): RunResult {
  if (run.steps.length > 0 || run.status !== "up") return run;
  const probe = probes.find((p) => p.probe.id === run.probeId);
  return probe
    ? {
        ...run,
        stepOutcomes: declaredSteps(probe.probe).map((step) => ({ name: step.name, status: "passed" as const })),
      }
    : run;
}

const RunIdParam = z.object({
  id: z
    .string()
    .regex(RUN_ID, "a run id such as 'shop-checkout.weur.1764158400000' (probe.region.slot epoch ms)")
    .openapi({ param: { name: "id", in: "path" }, example: "shop-checkout.weur.1764158400000" }),
});

const oneRun = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Runs"],
  summary: "One run with its steps, timings, assertions, redacted evidence and curl repro",
  request: { params: RunIdParam },
  responses: {
    200: jsonResponse(RunResultSchema.openapi("Run"), "The run"),
    ...problemResponses(400, 404),
  },
});

const epochMs = z.coerce.number().int().min(0);

const ListQuery = z.object({
  probe: ProbeIdSchema.optional().openapi({ example: "shop-checkout" }),
  region: z
    .string()
    .regex(/^[a-z]+$/, "a region such as weur")
    .optional()
    .openapi({ example: "weur" }),
  status: RunStatusSchema.optional(),
  from: epochMs.optional().openapi({ description: "Oldest slot to include (epoch ms)" }),
  to: epochMs.optional().openapi({ description: "Slots before this time only (epoch ms)" }),
  cursor: z.string().max(200).optional().openapi({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const RunPageSchema = z
  .object({ runs: z.array(RunSummarySchema.openapi("RunSummary")), nextCursor: z.string().nullable() })
  .openapi("RunPage");

const listRuns = createRoute({
  method: "get",
  path: "/",
  tags: ["Runs"],
  summary: "Runs, newest first, filtered by probe, region, status and time, with cursor pagination",
  request: { query: ListQuery },
  responses: { 200: jsonResponse(RunPageSchema, "A page of runs"), ...problemResponses(400) },
});

const runScreenshot = createRoute({
  method: "get",
  path: "/{id}/screenshot",
  tags: ["Runs"],
  summary: "The screenshot a failed browser run took at its failure (PNG or JPEG), under the run's own visibility",
  request: { params: RunIdParam },
  responses: {
    200: {
      description: "The screenshot",
      content: {
        "image/png": { schema: z.string().openapi({ format: "binary" }) },
        "image/jpeg": { schema: z.string().openapi({ format: "binary" }) },
      },
    },
    ...problemResponses(400, 404),
  },
});

/** GET /api/v1/runs, GET /api/v1/runs/{id}, GET /api/v1/runs/{id}/screenshot */
export const runRoutes = createRouter()
  .openapi(listRuns, async (c) => {
    const query = c.req.valid("query");
    const { probes, store } = c.env.deps;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (cursor === null)
      throw new ProblemError(400, "Bad Request", "The cursor is not one this API issued.", [
        { name: "query.cursor", reason: "pass `nextCursor` from the previous page unchanged" },
      ]);
    const pairs = probes
      .filter((p) => query.probe === undefined || p.probe.id === query.probe)
      .flatMap((p) =>
        p.probe.regions
          .filter((r) => query.region === undefined || r === query.region)
          .map((region) => ({ probeId: p.probe.id, region })),
      );
    if (query.probe === undefined && pairs.length > MAX_PAIRS_WITHOUT_PROBE) {
      throw new ProblemError(
        400,
        "Bad Request",
        `This fleet has ${pairs.length} probe-region pairs; filter by probe.`,
        [{ name: "query.probe", reason: "required when more than 50 probe-region pairs match" }],
      );
    }
    const page = await store.listRuns({
      pairs,
      status: query.status,
      from: query.from,
      to: query.to,
      cursor,
      limit: query.limit,
    });
    return c.json({ runs: page.runs, nextCursor: page.next ? encodeCursor(page.next) : null }, 200);
  })
  .openapi(oneRun, async (c) => {
    const { id } = c.req.valid("param");
    const run = await c.env.deps.store.getRun(id);
    if (!run) throw new ProblemError(404, "Not Found", `No run with id '${id}'.`);
    return c.json(withStepOutcomes(run, c.env.deps.probes), 200);
  })
  .openapi(runScreenshot, async (c) => {
    const { id } = c.req.valid("param");
    // Read through the run: a caller who may not see the run (or its evidence) gets no screenshot either.
    const run = await c.env.deps.store.getRun(id);
    if (!run) throw new ProblemError(404, "Not Found", `No run with id '${id}'.`);
    const ref = run.browser?.screenshot;
    if (!ref)
      throw new ProblemError(
        404,
        "Not Found",
        `Run '${id}' has no screenshot you may see: only failed browser runs take one, and their evidence needs a token unless the status page shows failure evidence.`,
      );
    const object = await c.env.deps.screenshots?.get(ref.key);
    if (!object) throw new ProblemError(404, "Not Found", `The screenshot of run '${id}' is no longer kept.`);
    return new Response(object.body, {
      status: 200,
      headers: {
        "content-type": object.contentType,
        "content-length": String(object.size),
        "cache-control": "private, max-age=3600",
        "x-content-type-options": "nosniff",
      },
    }) as never;
  });
