/**
 * A probe's journey metrics as the API and the probe page show them: per metric, the newest value
 * of each region, the raw values of the recent hours, and hourly aggregates (per region, and the
 * regions merged) over the asked span. One read of the run store (metricsRead: two statements),
 * through the caller's scoped store, so a private probe's values never reach a public caller.
 */
import { z } from "@hono/zod-openapi";
import type { LoadedProbe } from "../probe/registry.ts";
import { isScriptStep, metricThresholdsOf, type MetricThreshold } from "../probe/schema.ts";
import { mapRead, type D1Read } from "../storage/d1-read.ts";
import { hourOf, mergeAggregates, type MetricAggregate, type MetricHour } from "../storage/metric-values.ts";
import { UNSEALED_HOURS } from "../storage/rollup-reads.ts";
import type { RunStore } from "../storage/run-store.ts";
import { HOUR_MS } from "../time.ts";

/** How far back raw values are served: the hours the blocks are read for anyway. */
const RECENT_VALUE_HOURS = UNSEALED_HOURS;
/** The longest span of hourly aggregates a request may ask for: the hourly rollups' default retention. */
export const MAX_METRIC_HOURS = 92 * 24;

const ValueSchema = z.object({ region: z.string(), slotAt: z.number().int(), value: z.number() });
const AggregateFields = {
  count: z.number().int(),
  sum: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  last: z.number().openapi({ description: "The value of the newest run of the hour" }),
  lastAt: z.number().int(),
};

const JourneyMetricSchema = z
  .object({
    name: z.string().openapi({ example: "cart_total" }),
    threshold: z
      .object({ below: z.number().nullable(), above: z.number().nullable() })
      .nullable()
      .openapi({ description: "alerts.metrics of the probe for this metric" }),
    latest: z.array(ValueSchema).openapi({ description: "The newest value of each region, within the recent hours" }),
    recent: z
      .array(ValueSchema)
      .openapi({ description: `Every run's value of the last ${RECENT_VALUE_HOURS} hours, oldest first` }),
    hourly: z
      .array(z.object({ hourAt: z.number().int(), region: z.string(), ...AggregateFields }))
      .openapi({ description: "Per region and hour" }),
    trend: z
      .array(z.object({ hourAt: z.number().int(), ...AggregateFields }))
      .openapi({ description: "Per hour, the regions merged" }),
  })
  .openapi("JourneyMetric");
export type JourneyMetric = z.infer<typeof JourneyMetricSchema>;

export const JourneyMetricsSchema = z
  .object({
    probeId: z.string(),
    generatedAt: z.number().int(),
    from: z.number().int(),
    to: z.number().int(),
    metrics: z.array(JourneyMetricSchema),
  })
  .openapi("JourneyMetrics");
type JourneyMetrics = z.infer<typeof JourneyMetricsSchema>;

/** The names a probe declares: its declarative steps' metrics, then its thresholds' (scripts' names appear with their data). */
function declaredMetricNames(loaded: LoadedProbe): string[] {
  const steps = loaded.probe.kind === "http" ? loaded.probe.steps : [];
  const names = steps.flatMap((s) => (isScriptStep(s) ? [] : s.metrics.map((m) => m.name)));
  return [...new Set([...names, ...Object.keys(metricThresholdsOf(loaded.probe))])];
}

const withMean = (a: MetricAggregate) => ({ ...a, mean: a.sum / a.count });

function thresholdOf(t: MetricThreshold | undefined): JourneyMetric["threshold"] {
  return t ? { below: t.below ?? null, above: t.above ?? null } : null;
}

/** The journey metrics of a probe for the last `hours` hours up to `now` (optionally one region). */
export function journeyMetricsRead(
  store: RunStore,
  loaded: LoadedProbe,
  options: { now: number; hours: number; region?: string | undefined },
): D1Read<JourneyMetrics> {
  const { now, hours } = options;
  const regions =
    options.region === undefined ? loaded.probe.regions : loaded.probe.regions.filter((r) => r === options.region);
  const to = now + 1;
  const hoursFrom = hourOf(now) - (hours - 1) * HOUR_MS;
  const recentFrom = hourOf(now) - (RECENT_VALUE_HOURS - 1) * HOUR_MS;
  const pairs = regions.map((region) => ({ probeId: loaded.probe.id, region }));
  return mapRead(store.metricsRead(pairs, { from: recentFrom, to, hoursFrom }), ({ values, hours: stored }) => {
    const thresholds = metricThresholdsOf(loaded.probe);
    const names = [
      ...new Set([...declaredMetricNames(loaded), ...values.map((v) => v.name), ...stored.map((h) => h.name)]),
    ];
    const metrics = names.map((name): JourneyMetric => {
      const recent = values
        .filter((v) => v.name === name)
        .map((v) => ({ region: v.region, slotAt: v.slotAt, value: v.value }));
      const latest = new Map<string, (typeof recent)[number]>();
      for (const v of recent) latest.set(v.region, v);
      const hourly = stored.filter((h) => h.name === name);
      return {
        name,
        threshold: thresholdOf(thresholds[name]),
        latest: [...latest.values()].sort((a, b) => a.region.localeCompare(b.region)),
        recent,
        hourly: hourly.map((h) => ({ hourAt: h.hourAt, region: h.region, ...withMean(h) })),
        trend: mergeRegions(hourly),
      };
    });
    return { probeId: loaded.probe.id, generatedAt: now, from: hoursFrom, to, metrics };
  });
}

/** Hourly aggregates with the regions merged, oldest first. */
function mergeRegions(hours: readonly MetricHour[]): JourneyMetric["trend"] {
  const byHour = new Map<number, MetricAggregate>();
  for (const h of hours) {
    const { count, sum, min, max, last, lastAt } = h;
    const known = byHour.get(h.hourAt);
    byHour.set(
      h.hourAt,
      known ? mergeAggregates(known, { count, sum, min, max, last, lastAt }) : { count, sum, min, max, last, lastAt },
    );
  }
  return [...byHour.entries()].sort(([a], [b]) => a - b).map(([hourAt, a]) => ({ hourAt, ...withMean(a) }));
}
