import { z } from "zod";
import { MAX_METRICS_PER_PROBE, METRIC_NAME_PATTERN, METRIC_NAME_RULE } from "./journey-metrics.ts";

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
  .regex(
    new RegExp(`^${PROBE_ID_PATTERN}$`),
    "a probe id: a lowercase slug such as 'shop-checkout' (a-z, 0-9 and single dashes)",
  )
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
    op: z.enum([
      "equals",
      "notEquals",
      "exists",
      "notExists",
      "lt",
      "gt",
      "lte",
      "gte",
      "contains",
      "length",
      "matches",
    ]),
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
  z.strictObject({
    from: z.literal("regex"),
    pattern: z.string().min(1),
    group: z.number().int().nonnegative().default(1),
  }),
  z.strictObject({ from: z.literal("cookie"), name: z.string().min(1) }),
]);
export type Extractor = z.infer<typeof ExtractorSchema>;

const metricName = z.string().regex(METRIC_NAME_PATTERN, METRIC_NAME_RULE);

/** A journey metric a step records from its response: `extract.metric("cart_total", "$.totalCents")`. */
const MetricExtractorSchema = z.strictObject({ name: metricName, value: ExtractorSchema });
export type MetricExtractor = z.infer<typeof MetricExtractorSchema>;

/** A threshold on a journey metric: the alert fires while the value is below `below` or above `above`. */
const MetricThresholdSchema = z
  .strictObject({ below: z.number().finite().optional(), above: z.number().finite().optional() })
  .refine((t) => t.below !== undefined || t.above !== undefined, "a bound: { below: 1 }, { above: 5000 } or both")
  .refine((t) => !(t.below !== undefined && t.above !== undefined && t.below > t.above), {
    message: "below must not be greater than above (the alert fires outside [below, above])",
    path: ["below"],
  });
export type MetricThreshold = z.infer<typeof MetricThresholdSchema>;

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
  /** Journey metrics recorded from the response once its checks passed (see journey-metrics.ts). */
  metrics: z.array(MetricExtractorSchema).max(MAX_METRICS_PER_PROBE).default([]),
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
  .refine(
    (d) => !(durationOrNaN(d) > 7 * 86_400_000),
    "at most 7d (a burn-rate lookback longer than a week is a trend, not an alert)",
  );

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
  .refine((r) => !(durationOrNaN(r.short) >= durationOrNaN(r.long)), {
    message: 'short must be shorter than long (e.g. long: "1h", short: "5m")',
    path: ["short"],
  });

/** Timeslice lengths: whole hours that divide a day, so slices line up with the hourly rollups. */
const TIMESLICES = ["1h", "2h", "3h", "4h", "6h", "8h", "12h", "24h"] as const;

/** What `slo.latency` may time: the run's duration, or one of a browser run's Web Vitals (ms). */
const LATENCY_METRICS = ["duration", "lcp", "ttfb", "fcp", "load", "inp"] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export const SloSchema = z.strictObject({
  /** Share of good runs, e.g. 0.999. 100% leaves no error budget and is refused. */
  availability: z.number().gt(0).lt(1, "below 1 (an objective of 100% leaves no error budget); use e.g. 0.999"),
  /** "P% of runs complete under T ms", e.g. { percent: 0.95, underMs: 800 }. */
  latency: z
    .strictObject({
      percent: z.number().gt(0).lt(1, "below 1, e.g. 0.95"),
      underMs: z.number().int().positive(),
      /** What is timed: the run's duration (default), or a Web Vital of a browser probe (lcp, ttfb, fcp, load, inp). */
      metric: z.enum(LATENCY_METRICS).optional(),
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

/** The fields every kind of probe has: who it is and where it is shown. */
const probeBase = {
  id: ProbeIdSchema,
  name: z.string().min(1).max(120),
  description: z.string().max(1000).default(""),
  /** The business capability this journey belongs to, e.g. "Checkout". */
  group: z.string().min(1).max(80).default("General"),
  tags: z.array(z.string().min(1).max(40)).default([]),
  /** Private probes run and count, but never appear on the public page. */
  public: z.boolean().default(true),
};

/** The fields of the kinds Afterlife runs itself (HTTP and browser journeys): where, how long, what counts. */
const measuredFields = {
  regions: z.array(RegionSchema).min(1).default(["weur"]),
  /** How many regions must fail for the probe to be down (default ceil(regions / 2)); fewer is a regional issue. */
  quorum: z.number().int().min(1).optional(),
  /** Base for relative step URLs. May contain {{env:NAME}}. */
  baseUrl: z.string().optional(),
  stepTimeoutMs: z.number().int().min(100).max(60_000).default(10_000),
  /** A successful run slower than this is "degraded", not "down". */
  degradedAfterMs: z.number().int().positive().optional(),
  /** Extra attempts of a failed run inside the same tick (from another region when there is one). */
  retries: z.number().int().min(0).max(3).default(1),
  slo: SloSchema.default({ availability: 0.999, window: "30d" }),
};

/** When incidents open and close: F confirmed failures in a row open one, S successes close it. */
const alertsSchema = z.strictObject({
  failuresToOpen: z.number().int().min(1).max(100).optional(),
  successesToClose: z.number().int().min(1).max(100).optional(),
});

/** Checks every kind that runs from regions shares: quorum within the regions, each region once. */
function checkRegions(probe: { quorum?: number | undefined; regions: readonly string[] }, ctx: z.RefinementCtx): void {
  if (probe.quorum !== undefined && probe.quorum > probe.regions.length) {
    ctx.addIssue({
      code: "custom",
      path: ["quorum"],
      message: `at most the number of regions (${probe.regions.length})`,
    });
  }
  if (new Set(probe.regions).size !== probe.regions.length) {
    ctx.addIssue({ code: "custom", path: ["regions"], message: "each region at most once" });
  }
}

/** An HTTP journey (the default kind): Afterlife runs its declarative and script steps on its schedule from its regions. */
const HttpProbeSchema = z
  .strictObject({
    kind: z.literal("http").default("http"),
    ...probeBase,
    ...measuredFields,
    schedule: ScheduleSchema.default("1m"),
    runTimeoutMs: z.number().int().min(100).max(120_000).default(30_000),
    /** When incidents open and close, and the thresholds on the journey's metrics. */
    alerts: alertsSchema
      .extend({
        /** Thresholds on journey metrics by name: one notice when a value crosses out, one when it is back. */
        metrics: z.record(z.string(), MetricThresholdSchema).optional(),
      })
      .optional(),
    steps: z.array(StepSchema).min(1, "at least one step"),
  })
  .superRefine((probe, ctx) => {
    const seen = new Set<string>();
    probe.steps.forEach((step, i) => {
      if (seen.has(step.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "name"],
          message: `duplicate step name '${step.name}'; step names must be unique within a probe`,
        });
      }
      seen.add(step.name);
    });
    checkRegions(probe, ctx);
    const metric = probe.slo.latency?.metric;
    if (metric !== undefined && metric !== "duration") {
      ctx.addIssue({
        code: "custom",
        path: ["slo", "latency", "metric"],
        message: `'${metric}' is a Web Vital, measured by browser probes only (kind: "browser"); use "duration" here`,
      });
    }
    checkMetricNames(probe, ctx);
  });

/**
 * Journey metric names: each recorded by one declarative step, at most MAX_METRICS_PER_PROBE in
 * all, and every threshold about a metric the probe records (a probe with script steps may
 * record names only known when it runs, so its thresholds are only checked for their form).
 */
function checkMetricNames(
  probe: { steps: readonly { name: string }[]; alerts?: { metrics?: Record<string, unknown> | undefined } | undefined },
  ctx: z.RefinementCtx,
): void {
  const recordedBy = new Map<string, string>();
  probe.steps.forEach((step, i) => {
    if (!("metrics" in step) || !Array.isArray(step.metrics)) return;
    (step.metrics as MetricExtractor[]).forEach((m, j) => {
      const earlier = recordedBy.get(m.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "metrics", j, "name"],
          message: `metric '${m.name}' is already recorded by step '${earlier}'; record each metric in one step`,
        });
        return;
      }
      recordedBy.set(m.name, step.name);
      if (recordedBy.size === MAX_METRICS_PER_PROBE + 1) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i, "metrics", j, "name"],
          message: `at most ${MAX_METRICS_PER_PROBE} metrics per probe; this is one more`,
        });
      }
    });
  });
  const hasScript = probe.steps.some((s) => "script" in s);
  const thresholds = Object.keys(probe.alerts?.metrics ?? {});
  if (thresholds.length > MAX_METRICS_PER_PROBE) {
    ctx.addIssue({
      code: "custom",
      path: ["alerts", "metrics"],
      message: `at most ${MAX_METRICS_PER_PROBE} thresholds (one per metric); got ${thresholds.length}`,
    });
  }
  for (const name of thresholds) {
    if (!METRIC_NAME_PATTERN.test(name)) {
      ctx.addIssue({
        code: "custom",
        path: ["alerts", "metrics", name],
        message: `'${name}' is not ${METRIC_NAME_RULE}`,
      });
    } else if (!hasScript && !recordedBy.has(name)) {
      const known = [...recordedBy.keys()];
      const fix = known.length
        ? `recorded: ${known.join(", ")}`
        : `add metrics: [extract.metric("${name}", "$.path")] to a step`;
      ctx.addIssue({
        code: "custom",
        path: ["alerts", "metrics", name],
        message: `no step records a metric '${name}' (${fix})`,
      });
    }
  }
}

/**
 * The region label of heartbeat runs: a heartbeat is pushed by the software, from wherever it
 * runs, so its outcomes are stored as the runs of this one pseudo-region.
 */
export const HEARTBEAT_REGION = "push";

const HEARTBEAT_PERIOD_MAX_MS = 30 * 86_400_000;
const heartbeatDuration = (field: string) =>
  z
    .string()
    .regex(DURATION_PATTERN, `a duration in whole minutes, hours or days, e.g. "${field === "period" ? "1d" : "30m"}"`);

/**
 * A push monitor: the software calls `/hb/{id}` when its job ends. A success ping is expected
 * at least every `period`; `grace` is how late it may be before the heartbeat counts as missed
 * (and how long a job that pinged `/start` may run).
 */
const HeartbeatProbeSchema = z
  .strictObject({
    kind: z.literal("heartbeat"),
    ...probeBase,
    /** The expected time between success pings, 1m to 30d, e.g. "1d" for a nightly job. */
    period: heartbeatDuration("period").refine(
      (d) => !(durationOrNaN(d) > HEARTBEAT_PERIOD_MAX_MS),
      'at most 30d (a longer period outlasts most SLO windows); e.g. "1d"',
    ),
    /** How late a ping may be (and how long a started job may run), 1m up to the period, e.g. "30m". */
    grace: heartbeatDuration("grace"),
    slo: SloSchema.default({ availability: 0.999, window: "30d" }),
    /** A heartbeat's default: the first missed period opens an incident, the first success closes it. */
    alerts: alertsSchema.default({ failuresToOpen: 1, successesToClose: 1 }),
  })
  .superRefine((probe, ctx) => {
    if (durationOrNaN(probe.grace) > durationOrNaN(probe.period)) {
      ctx.addIssue({
        code: "custom",
        path: ["grace"],
        message: `at most the period (${probe.period}); a longer grace would hide a whole missed period`,
      });
    }
    if (probe.slo.latency !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["slo", "latency"],
        message: "a heartbeat has no latency (its pings are not timed); remove slo.latency",
      });
    }
  })
  .transform((probe) => ({ ...probe, regions: [HEARTBEAT_REGION] as const, quorum: undefined }));

/** Browser probes run at most this often: a browser costs far more than a request. */
export const BROWSER_SCHEDULES = ["5m", "10m", "15m", "30m", "1h"] as const satisfies readonly Schedule[];

/** The journey of a browser probe; zod only checks it is a function. Its context type lives in browser/journey-context.ts. */
const journeyFunction = z.custom<(ctx: never) => Promise<void>>(
  (v) => typeof v === "function",
  "an async function ({ page, expect, step, vars, secret }) => { ... }",
);

/** A browser probe: a Playwright journey in a real Chromium, with Web Vitals and a screenshot on failure. */
const BrowserProbeSchema = z
  .strictObject({
    kind: z.literal("browser"),
    ...probeBase,
    ...measuredFields,
    schedule: z
      .enum(BROWSER_SCHEDULES, {
        message: `one of ${BROWSER_SCHEDULES.join(", ")} (a browser probe runs every 5 minutes at most)`,
      })
      .default("5m"),
    /** The whole journey's deadline, browser start included. */
    runTimeoutMs: z.number().int().min(1000).max(120_000).default(60_000),
    /** A console error on the page fails the step it happened in (class console-error). */
    failOnConsoleError: z.boolean().default(false),
    alerts: alertsSchema.optional(),
    journey: journeyFunction,
  })
  .superRefine((probe, ctx) => checkRegions(probe, ctx));

/**
 * Every kind of probe, told apart by `kind` (absent means "http"). A new kind is one more member
 * here and one more branch where its outcomes are made.
 */
export const ProbeSchema = z.discriminatedUnion("kind", [HttpProbeSchema, HeartbeatProbeSchema, BrowserProbeSchema]);

export type Probe = z.infer<typeof ProbeSchema>;
export type HttpProbe = z.infer<typeof HttpProbeSchema>;
export type HttpProbeInput = z.input<typeof HttpProbeSchema>;
export type HeartbeatProbe = z.infer<typeof HeartbeatProbeSchema>;
export type HeartbeatProbeInput = z.input<typeof HeartbeatProbeSchema>;
export type BrowserProbe = z.infer<typeof BrowserProbeSchema>;
export type BrowserProbeInput = z.input<typeof BrowserProbeSchema>;
type Step = HttpProbe["steps"][number];
export type ScriptStep = z.infer<typeof ScriptStepSchema>;

/** The declared steps of a probe: a browser journey names its steps as it runs, so it has none here. */
export function declaredSteps(probe: Probe): Step[] {
  return probe.kind === "http" ? probe.steps : [];
}

export function isScriptStep(step: Step): step is ScriptStep {
  return "script" in step;
}

/** The thresholds on a probe's journey metrics by name (only HTTP journeys record metrics). */
export function metricThresholdsOf(probe: Probe): Readonly<Record<string, MetricThreshold>> {
  return probe.kind === "http" ? (probe.alerts?.metrics ?? {}) : {};
}
