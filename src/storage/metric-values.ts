/**
 * Journey metric values as storage keeps them. A run_blocks row holds, per probe of its bucket,
 * the hour's values of each metric as [minute, value] pairs in minute order (next to the minute
 * entries, so a run with metrics still writes no row of its own); sealing the hour writes each
 * metric's count, sum, min, max and last value into the probe's rollups_hourly row, which is kept
 * far longer than the blocks (retention.ts). Pure.
 */
import { HOUR_MS } from "../time.ts";

/** One probe's metric values in one block: name -> [minute of the hour, value][], in minute order. */
export type HourMetricValues = Record<string, [number, number][]>;

/** A metric over a span (an hour, or several merged). */
export interface MetricAggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** The value of the newest run of the span, and that run's slot (epoch ms). */
  last: number;
  lastAt: number;
}

/** A stored value of one run. */
export interface MetricValue {
  probeId: string;
  region: string;
  name: string;
  slotAt: number;
  value: number;
}

/** A metric's aggregate over one (probe, region, hour). */
export interface MetricHour extends MetricAggregate {
  probeId: string;
  region: string;
  name: string;
  hourAt: number;
}

/** A copy of `values` with this run's metrics at `minute` (a value already at that minute stays: the run is a replay). */
export function withRunMetrics(
  values: Readonly<HourMetricValues>,
  minute: number,
  metrics: Readonly<Record<string, number>>,
): HourMetricValues {
  const next: HourMetricValues = { ...values };
  for (const [name, value] of Object.entries(metrics)) {
    const list = [...(next[name] ?? [])];
    if (list.some(([m]) => m === minute)) continue;
    const at = list.findIndex(([m]) => m > minute);
    list.splice(at < 0 ? list.length : at, 0, [minute, value]);
    next[name] = list;
  }
  return next;
}

/** Each metric's aggregate over one probe's hour of values; empty when it recorded none. */
export function hourAggregates(values: Readonly<HourMetricValues>, hourAt: number): Record<string, MetricAggregate> {
  const out: Record<string, MetricAggregate> = {};
  for (const [name, list] of Object.entries(values)) {
    let aggregate: MetricAggregate | null = null;
    for (const [minute, value] of list) aggregate = addValue(aggregate, value, hourAt + minute * 60_000);
    if (aggregate) out[name] = aggregate;
  }
  return out;
}

/** An aggregate with one more value (the newer of the two slots gives `last`). */
export function addValue(aggregate: MetricAggregate | null, value: number, slotAt: number): MetricAggregate {
  if (!aggregate) return { count: 1, sum: value, min: value, max: value, last: value, lastAt: slotAt };
  return mergeAggregates(aggregate, { count: 1, sum: value, min: value, max: value, last: value, lastAt: slotAt });
}

/** Two spans together. Associative and commutative but for `last` on equal slots, where `a` wins. */
export function mergeAggregates(a: MetricAggregate, b: MetricAggregate): MetricAggregate {
  const newer = b.lastAt > a.lastAt ? b : a;
  return {
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    last: newer.last,
    lastAt: newer.lastAt,
  };
}

/** A probe's values of one block as runs' values. */
export function valuesOf(
  probeId: string,
  region: string,
  hourAt: number,
  values: Readonly<HourMetricValues>,
): MetricValue[] {
  return Object.entries(values).flatMap(([name, list]) =>
    list.map(([minute, value]) => ({ probeId, region, name, slotAt: hourAt + minute * 60_000, value })),
  );
}

/** The rollups_hourly.metrics column of an hour: JSON, or null when the hour recorded no metric. */
export function encodeHourAggregates(aggregates: Readonly<Record<string, MetricAggregate>>): string | null {
  return Object.keys(aggregates).length === 0 ? null : JSON.stringify(aggregates);
}

/** The metric hours of one rollups_hourly.metrics value. */
export function decodeHourAggregates(
  probeId: string,
  region: string,
  hourAt: number,
  text: string | null,
): MetricHour[] {
  if (text === null) return [];
  const parsed = JSON.parse(text) as Record<string, MetricAggregate>;
  return Object.entries(parsed).map(([name, a]) => ({ probeId, region, name, hourAt, ...a }));
}

/** The hour (epoch ms) a slot falls in. */
export function hourOf(slotAt: number): number {
  return Math.floor(slotAt / HOUR_MS) * HOUR_MS;
}
