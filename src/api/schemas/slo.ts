/** Response schemas of the SLO API, mirroring src/slo/report.ts (documented in the OpenAPI document). */
import { z } from "@hono/zod-openapi";

const SliResultSchema = z.object({ value: z.number().min(0).max(1).nullable(), reason: z.string().optional() });
const CountsSchema = z
  .object({
    good: z.number(),
    bad: z.number(),
    noData: z.number().openapi({ description: "missing + monitoringSide" }),
    expected: z.number().openapi({ description: "Runs due in the window, from each region's first run on" }),
    missing: z.number().openapi({ description: "Due runs with nothing stored" }),
    monitoringSide: z.number().openapi({
      description: "Runs that failed on the monitoring side (failure class `probe`): no data, never downtime",
    }),
    maintenance: z.number().openapi({ description: "Runs in maintenance windows excluded from SLOs" }),
    estimated: z.number().openapi({
      description: "Latency: runs judged from the histogram because they were counted under another threshold",
    }),
  })
  .openapi("SloEventCounts");

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
    sliceTarget: z.number().optional().openapi({ description: "A slice is good when its SLI reaches this" }),
    slices: z.number().optional(),
    goodSlices: z.number().optional(),
    badSlices: z.number().optional(),
    emptySlices: z.number().optional(),
  })
  .openapi("ErrorBudget");

const BurnWindowSchema = z.string().openapi({ description: "A lookback: whole minutes, hours or days", example: "1h" });

const LookbackSchema = z
  .object({
    from: z.number(),
    to: z.number(),
    good: z.number(),
    bad: z.number(),
    noData: z.number(),
    events: z.number().openapi({ description: "good + bad: what the burn rate is a ratio of" }),
    burnRate: z.number().nullable(),
    missing: z.number(),
    monitoringSide: z.number(),
    estimated: z
      .number()
      .openapi({ description: "Latency: runs judged from a histogram (hours counted under another threshold)" }),
  })
  .openapi("BurnLookback", {
    description:
      "One lookback [now − lookback, now), exact to the run (from is later only when its first hour is past raw retention)",
  });

const RuleMethodSchema = z.enum(["exact", "histogram"]).openapi({
  description:
    "Both lookbacks of the rule judged exactly, or both from histograms when one holds hours counted under another threshold",
});

const RuleSchema = z.object({
  severity: z.enum(["page", "ticket"]),
  longWindow: BurnWindowSchema,
  shortWindow: BurnWindowSchema,
  threshold: z.number(),
});

const DayBudgetSchema = z
  .object({
    day: z.number(),
    good: z.number(),
    bad: z.number(),
    noData: z.number(),
    sli: z.number().nullable(),
    remainingFraction: z.number().nullable(),
  })
  .openapi("SloDay", { description: "A UTC day of the window: its SLI, and the budget left at its end (burn-down)" });

const TrendSchema = z.object({
  quantile: z.number(),
  slopeMsPerDay: z.number().nullable(),
  relativeChangePerWeek: z.number().nullable(),
  baselineMs: z.number().nullable(),
  confidence: z
    .object({ level: z.number(), lowMsPerDay: z.number(), highMsPerDay: z.number(), significant: z.boolean() })
    .nullable(),
  reason: z.string().optional(),
  points: z.array(z.object({ day: z.number(), ms: z.number() })),
  from: z.number(),
  to: z.number(),
});

const SliReportSchema = z
  .object({
    kind: z.enum(["availability", "latency"]),
    objective: z.number(),
    underMs: z.number().optional(),
    method: z.enum(["exact", "mixed"]).optional().openapi({
      description: "Latency: exact from each run's duration, or mixed with histogram estimates (see events.estimated)",
    }),
    events: CountsSchema,
    sli: z
      .object({ excluded: SliResultSchema, noDataAsBad: SliResultSchema })
      .openapi({ description: "No-data reported both ways: left out, and counted as bad" }),
    budget: BudgetSchema,
    budgetNoDataAsBad: BudgetSchema,
    budgetMinutes: z
      .object({ allowed: z.number(), consumed: z.number().nullable(), remaining: z.number().nullable() })
      .openapi({ description: "The budget as minutes of full downtime over the window" }),
    burnRates: z.record(BurnWindowSchema, z.number().nullable()),
    lookbacks: z.record(BurnWindowSchema, LookbackSchema),
    alert: z.object({
      state: z.enum(["ok", "ticket", "page"]),
      firing: z.array(RuleSchema.extend({ long: z.number(), short: z.number(), method: RuleMethodSchema })),
      held: z
        .array(RuleSchema.extend({ quiet: z.array(BurnWindowSchema), method: RuleMethodSchema }))
        .openapi({ description: "Rules that burn fast enough but have fewer than minEvents events in a lookback" }),
      minEvents: z.number(),
    }),
    forecast: z.object({
      exhaustsAt: z.number().nullable(),
      hoursLeft: z.number().nullable(),
      reason: z.enum(["exhausted", "not-burning", "no-data"]).optional(),
      message: z.string().optional(),
    }),
    history: z.array(DayBudgetSchema),
  })
  .openapi("SliReport");

export const SloReportSchema = z
  .object({
    probeIds: z.array(z.string()),
    regions: z.array(z.string()),
    window: z.enum(["1h", "24h", "7d", "30d", "90d", "month"]),
    budgeting: z.enum(["occurrences", "timeslices"]),
    span: z.object({ from: z.number(), to: z.number() }),
    resolution: z.enum(["run", "hour"]).openapi({
      description:
        "run: both ends exact to the run; hour: the window's first hour is past raw retention, so it starts at the next hour",
    }),
    availability: SliReportSchema,
    latency: SliReportSchema.nullable(),
    steps: z
      .array(z.object({ name: z.string(), executed: z.number(), failed: z.number(), sli: SliResultSchema }))
      .openapi({ description: "Per-step availability (one-probe reports): a step ran unless an earlier step failed" }),
    percentiles: z
      .object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() })
      .openapi({ description: "Run time over the window (ms, upper bucket bounds: within 26%)" }),
    trend: TrendSchema.openapi({
      description:
        "Daily p95 (interpolated inside buckets) over the last 14 complete days, Theil–Sen slope with Sen's 95 % interval",
    }),
    trendMedian: TrendSchema,
    silence: z
      .object({ lookbackMs: z.number(), expected: z.number(), stored: z.number(), silent: z.boolean() })
      .nullable(),
  })
  .openapi("SloReport");
