/**
 * Threshold alerts on journey metrics (`alerts: { metrics: { cart_total: { below: 1 } } }`): one
 * pure step per probe and tick, from the stored alert state and the values the tick's runs
 * recorded, to notices. Per metric with a threshold:
 *
 * - The tick's worst value (the lowest against `below`, the highest against `above`, over every
 *   region that recorded one) outside the threshold, while the metric was inside: one
 *   "metric-breached" notice, and the metric is breached from that slot.
 * - Every value of a tick inside again, while breached: one "metric-recovered" notice.
 * - Anything else sends nothing: a tick whose runs recorded no value of the metric (they failed,
 *   or did not run) is no data and changes nothing, and a metric that stays out or in is quiet.
 *
 * Every notice has a deterministic key, `<probeId>-metric-<name>-<slot the breach began>`, shared
 * by the breach and its recovery, so a replayed tick enqueues nothing new (the outbox id is key +
 * transition + channel). A tick whose slot is not newer than the state's is ignored (the same
 * state object back). During maintenance nothing is announced and the state is held: a breach
 * that is still there after the window is announced then, one that ended inside it is recovered then.
 */
import { z } from "zod";
import type { MetricThreshold } from "../probe/schema.ts";

/** The probe_states key of a probe's metric alert state; a colon never occurs in a probe id. */
export function metricStateKey(probeId: string): string {
  return `metric:${probeId}`;
}

interface MetricBreach {
  /** The slot the breach was first seen (part of its notices' key). */
  since: number;
  side: "below" | "above";
  /** The value that crossed the threshold. */
  value: number;
}

/** Stored as JSON in probe_states under metricStateKey. */
export interface MetricAlertState {
  lastSlot: number | null;
  /** The metrics breached now, by name. */
  breached: Record<string, MetricBreach>;
}

export function initialMetricAlertState(): MetricAlertState {
  return { lastSlot: null, breached: {} };
}

interface MetricObservation {
  slotAt: number;
  /** Each metric's values recorded by the tick's runs (one per region that recorded it). */
  values: Readonly<Record<string, readonly number[]>>;
  inMaintenance: boolean;
}

export interface MetricNotify {
  kind: "metric";
  transition: "metric-breached" | "metric-recovered";
  key: string;
  name: string;
  threshold: MetricThreshold;
  /** Breached: the value that crossed; recovered: the tick's value nearest the bound it had crossed. */
  value: number;
  side: "below" | "above";
  since: number;
  at: number;
}

/** The stored state, checked when it is read (state-step.ts): a row of another shape reads as the initial state. */
export const MetricAlertStateSchema: z.ZodType<MetricAlertState> = z.object({
  lastSlot: z.number().nullable(),
  breached: z.record(z.string(), z.object({ since: z.number(), side: z.enum(["below", "above"]), value: z.number() })),
});

/** The worst value of a tick against a threshold: the side it crossed, or null when every value is inside. */
export function crossing(
  threshold: MetricThreshold,
  values: readonly number[],
): { side: "below" | "above"; value: number } | null {
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (threshold.below !== undefined && low < threshold.below) return { side: "below", value: low };
  if (threshold.above !== undefined && high > threshold.above) return { side: "above", value: high };
  return null;
}

export function stepMetricAlerts(
  probeId: string,
  previous: MetricAlertState,
  observation: MetricObservation,
  thresholds: Readonly<Record<string, MetricThreshold>>,
): { next: MetricAlertState; effects: MetricNotify[] } {
  if (previous.lastSlot !== null && observation.slotAt <= previous.lastSlot) return { next: previous, effects: [] };
  if (observation.inMaintenance) return { next: { ...previous, lastSlot: observation.slotAt }, effects: [] };
  const breached: Record<string, MetricBreach> = {};
  const effects: MetricNotify[] = [];
  const at = observation.slotAt;
  for (const [name, threshold] of Object.entries(thresholds)) {
    const was = previous.breached[name];
    const values = observation.values[name] ?? [];
    if (values.length === 0) {
      if (was) breached[name] = was;
      continue;
    }
    const now = crossing(threshold, values);
    if (now && !was) {
      breached[name] = { since: at, ...now };
      effects.push({
        kind: "metric",
        transition: "metric-breached",
        key: `${probeId}-metric-${name}-${at}`,
        name,
        threshold,
        ...now,
        since: at,
        at,
      });
    } else if (now && was) {
      breached[name] = was;
    } else if (!now && was) {
      const value = was.side === "below" ? Math.min(...values) : Math.max(...values);
      effects.push({
        kind: "metric",
        transition: "metric-recovered",
        key: `${probeId}-metric-${name}-${was.since}`,
        name,
        threshold,
        value,
        side: was.side,
        since: was.since,
        at,
      });
    }
  }
  // Breaches of metrics whose threshold was removed end without a notice.
  return { next: { lastSlot: at, breached }, effects };
}
