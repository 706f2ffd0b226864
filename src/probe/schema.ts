import { z } from "zod";

/**
 * zod schemas for probe definitions. Every object is strict: an unknown key is an error, so a
 * typo such as `timout` is reported instead of being silently ignored.
 */

export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
/** A Cloudflare Durable Object location hint, used as the probing region label. */
const RegionSchema = z.enum(REGIONS);
export type Region = z.infer<typeof RegionSchema>;

export const SCHEDULES = { "1m": 1, "2m": 2, "5m": 5, "10m": 10, "15m": 15, "30m": 30, "1h": 60 } as const;
const ScheduleSchema = z.enum(Object.keys(SCHEDULES) as [keyof typeof SCHEDULES, ...(keyof typeof SCHEDULES)[]]);
export type Schedule = z.infer<typeof ScheduleSchema>;

/** A probe id: a lowercase slug. The one rule for every place that takes one (API paths and queries, incidents, the page's config, run ids). */
export const PROBE_ID_PATTERN = "[a-z0-9]+(?:-[a-z0-9]+)*";

/**
 * A probe id, as the registry requires it and every API, config and stored-row schema checks it.
 *
 * @example
 * ProbeIdSchema.parse("shop-checkout") // "shop-checkout"
 */
export const ProbeIdSchema = z
  .string()
  .regex(new RegExp(`^${PROBE_ID_PATTERN}$`), "a probe id: a lowercase slug such as 'shop-checkout' (a-z, 0-9 and single dashes)")
  .max(64, "a probe id of at most 64 characters");

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name such as 'authToken'");

const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** Expected status: one code, a list of codes, or an inclusive range. */
const ExpectedStatusSchema = z.union([
  z.number().int().min(100).max(599),
  z.array(z.number().int().min(100).max(599)).min(1),
  z.strictObject({ min: z.number().int().min(100).max(599), max: z.number().int().min(100).max(599) }),
]);
export type ExpectedStatus = z.infer<typeof ExpectedStatusSchema>;

const comparable = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const AssertionSchema = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("status"),
    op: z.enum(["equals", "notEquals", "lt", "gt", "lte", "gte", "in"]),
    value: z.union([z.number().int(), z.array(z.number().int()).min(1)]),
  }),
  z.strictObject({
    source: z.literal("header"),
    name: z.string().min(1),
    op: z.enum(["equals", "notEquals", "contains", "notContains", "matches", "exists", "notExists"]),
    value: z.string().optional(),
  }),
  z.strictObject({
    source: z.literal("body"),
    op: z.enum(["contains", "notContains", "matches", "notMatches", "equals"]),
    value: z.string(),
  }),
  z.strictObject({
    source: z.literal("json"),
    path: z.string().startsWith("$", "a JSONPath starting with '$', such as '$.items[0].id'"),
    op: z.enum(["equals", "notEquals", "exists", "notExists", "lt", "gt", "lte", "gte", "contains", "length", "matches"]),
    value: z.union([comparable, z.array(comparable), z.record(z.string(), z.unknown())]).optional(),
  }),
  z.strictObject({
    source: z.literal("responseTime"),
    op: z.enum(["lt", "lte"]),
    value: z.number().positive(),
  }),
  z.strictObject({
    source: z.literal("bodySize"),
    op: z.enum(["lt", "gt", "lte", "gte", "equals"]),
    value: z.number().int().nonnegative(),
  }),
]);
export type Assertion = z.infer<typeof AssertionSchema>;

const ExtractorSchema = z.discriminatedUnion("from", [
  z.strictObject({ from: z.literal("json"), path: z.string().startsWith("$") }),
  z.strictObject({ from: z.literal("header"), name: z.string().min(1) }),
  z.strictObject({ from: z.literal("regex"), pattern: z.string().min(1), group: z.number().int().nonnegative().default(1) }),
  z.strictObject({ from: z.literal("cookie"), name: z.string().min(1) }),
]);
export type Extractor = z.infer<typeof ExtractorSchema>;

const RequestBodySchema = z.union([
  z.strictObject({ json: z.unknown() }),
  z.strictObject({ form: z.record(z.string(), z.string()) }),
  z.strictObject({ text: z.string(), contentType: z.string().default("text/plain") }),
]);
export type RequestBody = z.infer<typeof RequestBodySchema>;

/** Step names key per-step rollups (a JSON path in SQL), so they cannot hold `"` or `\`. */
const stepName = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[^"\\]+$/, "a step name without double quotes or backslashes");

const HttpStepSchema = z.strictObject({
  name: stepName,
  method: z.enum(HTTP_METHODS).default("GET"),
  /** Absolute, or relative to the probe's baseUrl. May contain {{variables}}. */
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).default({}),
  query: z.record(z.string(), z.string()).default({}),
  body: RequestBodySchema.optional(),
  /** Redirect hops to follow (each hop is re-checked). 0 keeps the 3xx as the response. */
  maxRedirects: z.number().int().min(0).max(10).default(0),
  expectStatus: ExpectedStatusSchema.default({ min: 200, max: 299 }),
  assert: z.array(AssertionSchema).default([]),
  extract: z.record(variableName, ExtractorSchema).default({}),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});
export type HttpStep = z.infer<typeof HttpStepSchema>;
export type HttpStepInput = z.input<typeof HttpStepSchema>;

/** Script steps carry a function; zod only checks it is one. Its context type lives in script-context.ts. */
const ScriptStepSchema = z.strictObject({
  name: stepName,
  script: z.custom<(ctx: never) => Promise<void>>((v) => typeof v === "function", "an async function (ctx) => { ... }"),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});

const StepSchema = z.union([HttpStepSchema, ScriptStepSchema]);

/** A lookback or slice length: whole minutes, hours or days, e.g. "5m", "1h", "3d". */
const DURATION_PATTERN = /^([1-9][0-9]{0,3})(m|h|d)$/;
const DURATION_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration string that matched DURATION_PATTERN. */
export function durationMs(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new RangeError(`not a duration: ${text} (e.g. "5m", "1h", "3d")`);
  return Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS];
}

/** Milliseconds of a duration string, or NaN when it is not one (its own field reports that). */
function durationOrNaN(text: string): number {
  return DURATION_PATTERN.test(text) ? durationMs(text) : Number.NaN;
}

/** A burn-rate lookback: 1 minute to 7 days. */
const lookback = z
  .string()
  .regex(DURATION_PATTERN, 'a duration in whole minutes, hours or days, e.g. "5m", "1h", "3d"')
  .refine((d) => !(durationOrNaN(d) > 7 * 86_400_000), "at most 7d (a burn-rate lookback longer than a week is a trend, not an alert)");

const BurnAlertRuleSchema = z
  .strictObject({
    severity: z.enum(["page", "ticket"]),
    /** The long lookback: enough budget went to matter. */
    long: lookback,
    /** The short lookback: it is still going on. */
    short: lookback,
    /** Both lookbacks must burn at least this fast (1 spends the budget exactly by the window's end). */
    burnRate: z.number().positive().max(10_000),
  })
  .refine((r) => !(durationOrNaN(r.short) >= durationOrNaN(r.long)), { message: "short must be shorter than long (e.g. long: \"1h\", short: \"5m\")", path: ["short"] });

/** Timeslice lengths: whole hours that divide a day, so slices line up with the hourly rollups. */
const TIMESLICES = ["1h", "2h", "3h", "4h", "6h", "8h", "12h", "24h"] as const;

export const SloSchema = z.strictObject({
  /** Share of good runs, e.g. 0.999. 100% leaves no error budget and is refused. */
  availability: z.number().gt(0).lt(1, "below 1 (an objective of 100% leaves no error budget); use e.g. 0.999"),
  /** "P% of runs complete under T ms", e.g. { percent: 0.95, underMs: 800 }. */
  latency: z
    .strictObject({
      percent: z.number().gt(0).lt(1, "below 1, e.g. 0.95"),
      underMs: z.number().int().positive(),
    })
    .optional(),
  window: z.enum(["1h", "24h", "7d", "30d", "90d", "month"]).default("30d"),
  /**
   * Timeslices budgeting (OpenSLO): the window is cut into slices of `slice`; a slice is good when
   * its own SLI reaches `target` (default: the objective), and the objective is then the share
   * of good slices.
   */
  timeslices: z
    .strictObject({
      slice: z.enum(TIMESLICES).default("1h"),
      target: z.number().gt(0).lt(1, "below 1, e.g. 0.95").optional(),
    })
    .optional(),
  /** Burn-rate alerting; defaults: the SRE Workbook's four rules. */
  alerting: z
    .strictObject({
      rules: z.array(BurnAlertRuleSchema).min(1).max(8).optional(),
      /** Events a lookback needs before its rule may fire: one failure in a quiet lookback cannot page alone. */
      minEvents: z.number().int().min(1).max(10_000).default(10),
      /** One notice when every region of the probe stored no run for this long (default: 3 intervals, at least 15m); false: never. */
      noDataAfter: z.union([lookback, z.literal(false)]).optional(),
    })
    .optional(),
});

export const ProbeSchema = z
  .strictObject({
    id: ProbeIdSchema,
    name: z.string().min(1).max(120),
    description: z.string().max(1000).default(""),
    /** The business capability this journey belongs to, e.g. "Checkout". */
    group: z.string().min(1).max(80).default("General"),
    tags: z.array(z.string().min(1).max(40)).default([]),
    schedule: ScheduleSchema.default("1m"),
    regions: z.array(RegionSchema).min(1).default(["weur"]),
    /** How many regions must fail for the probe to be down (default ceil(regions / 2)); fewer is a regional issue. */
    quorum: z.number().int().min(1).optional(),
    /** Base for relative step URLs. May contain {{env:NAME}}. */
    baseUrl: z.string().optional(),
    stepTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    runTimeoutMs: z.number().int().min(100).max(120_000).default(30_000),
    /** A successful run slower than this is "degraded", not "down". */
    degradedAfterMs: z.number().int().positive().optional(),
    /** Extra attempts of a failed run inside the same tick (from another region when there is one). */
    retries: z.number().int().min(0).max(3).default(1),
    slo: SloSchema.default({ availability: 0.999, window: "30d" }),
    /** When incidents open and close: F confirmed failures in a row open one, S successes close it. */
    alerts: z
      .strictObject({
        failuresToOpen: z.number().int().min(1).max(100).optional(),
        successesToClose: z.number().int().min(1).max(100).optional(),
      })
      .optional(),
    /** Private probes run and count, but never appear on the public page. */
    public: z.boolean().default(true),
    steps: z.array(StepSchema).min(1, "at least one step"),
  })
  .superRefine((probe, ctx) => {
    const seen = new Set<string>();
    probe.steps.forEach((step, i) => {
      if (seen.has(step.name)) {
        ctx.addIssue({ code: "custom", path: ["steps", i, "name"], message: `duplicate step name '${step.name}'; step names must be unique within a probe` });
      }
      seen.add(step.name);
    });
    if (probe.quorum !== undefined && probe.quorum > probe.regions.length) {
      ctx.addIssue({ code: "custom", path: ["quorum"], message: `at most the number of regions (${probe.regions.length})` });
    }
    if (new Set(probe.regions).size !== probe.regions.length) {
      ctx.addIssue({ code: "custom", path: ["regions"], message: "each region at most once" });
    }
  });

export type Probe = z.infer<typeof ProbeSchema>;
export type ProbeInput = z.input<typeof ProbeSchema>;
type Step = Probe["steps"][number];
export type ScriptStep = z.infer<typeof ScriptStepSchema>;

export function isScriptStep(step: Step): step is ScriptStep {
  return "script" in step;
}
