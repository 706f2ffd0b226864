/** Response schemas of the SLO API, mirroring src/slo/report.ts (documented in the OpenAPI document). */
import { z } from "@hono/zod-openapi";

const SliResultSchema = z.object({ value: z.number().min(0).max(1).nullable(), reason: z.string().optional() });
const CountsSchema = z.object({ good: z.number(), bad: z.number(), noData: z.number() });

const BudgetSchema = z
  .object({
    method: z.enum(["occurrences", "timeslices"]),
    objective: z.number(),
    budget: z.number().openapi({ description: "Bad events (or slices) the window may have" }),
    consumed: z.number(),
    remaining: z.number().openapi({ description: "budget − consumed; negative when overspent" }),
    remainingFraction: z.number().nullable(),
    reason: z.string().optional(),
    events: z.number().optional(),
    sliceMs: z.number().optional(),
    slices: z.number().optional(),
    goodSlices: z.number().optional(),
    badSlices: z.number().optional(),
    emptySlices: z.number().optional(),
  })
  .openapi("ErrorBudget");

const BurnWindowSchema = z.enum(["5m", "30m", "1h", "2h", "6h", "24h", "3d"]);

const SliReportSchema = z
  .object({
    kind: z.enum(["availability", "latency"]),
    objective: z.number(),
    underMs: z.number().optional(),
    events: CountsSchema,
    sli: z.object({ excluded: SliResultSchema, noDataAsBad: SliResultSchema }).openapi({ description: "No-data reported both ways: left out, and counted as bad" }),
    budget: BudgetSchema,
    budgetNoDataAsBad: BudgetSchema,
    burnRates: z.partialRecord(BurnWindowSchema, z.number().nullable()),
    alert: z.object({
      state: z.enum(["ok", "ticket", "page"]),
      firing: z.array(z.object({ severity: z.enum(["page", "ticket"]), longWindow: BurnWindowSchema, shortWindow: BurnWindowSchema, threshold: z.number(), long: z.number(), short: z.number() })),
    }),
    forecast: z.object({
      exhaustsAt: z.number().nullable(),
      hoursLeft: z.number().nullable(),
      reason: z.enum(["exhausted", "not-burning"]).optional(),
      message: z.string().optional(),
    }),
  })
  .openapi("SliReport");

export const SloReportSchema = z
  .object({
    probeIds: z.array(z.string()),
    regions: z.array(z.string()),
    window: z.enum(["1h", "24h", "7d", "30d", "90d", "month"]),
    budgeting: z.enum(["occurrences", "timeslices"]),
    span: z.object({ from: z.number(), to: z.number() }),
    availability: SliReportSchema,
    latency: SliReportSchema.nullable(),
    steps: z
      .array(z.object({ name: z.string(), executed: z.number(), failed: z.number(), sli: SliResultSchema }))
      .openapi({ description: "Per-step availability (one-probe reports): a step ran unless an earlier step failed" }),
    percentiles: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() }).openapi({ description: "Run time over the window (ms, upper bucket bounds: within 26%)" }),
    trend: z.object({
      slopeMsPerDay: z.number().nullable(),
      relativeChangePerWeek: z.number().nullable(),
      baselineMs: z.number().nullable(),
      reason: z.string().optional(),
      points: z.array(z.object({ day: z.number(), ms: z.number() })),
      from: z.number(),
      to: z.number(),
    }),
  })
  .openapi("SloReport");
