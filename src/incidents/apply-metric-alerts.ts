/**
 * After a tick's runs are stored: step the metric alert state (metric-alerts.ts) of every probe
 * with thresholds on its journey metrics, from the values the tick's runs recorded, and write
 * the new states and their notices to the outbox in one D1 batch, like apply-burn-alerts.ts. The
 * state lives in probe_states under `metric:<probeId>` and only advances to a newer slot (CAS on
 * last_slot); notice ids are deterministic. So a replayed tick, in sequence or in parallel,
 * writes nothing new. No D1 work at all in a tick where no probe has thresholds.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { metricThresholdsOf } from "../probe/schema.ts";
import type { RunOutcome } from "../schedule/shard-executor.ts";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { D1ProbeStateStore } from "../storage/probe-state-store.ts";
import type { Notice } from "./channels/notice.ts";
import { isInMaintenance } from "./maintenance-windows.ts";
import {
  initialMetricAlertState,
  MetricAlertStateSchema,
  metricStateKey,
  stepMetricAlerts,
  type MetricAlertState,
  type MetricNotify,
} from "./metric-alerts.ts";
import type { Maintenance } from "./model.ts";
import { enqueueNotices, readStates, type PendingNotice } from "./state-step.ts";

interface MetricAlertDeps {
  probes: readonly LoadedProbe[];
  states: Pick<D1ProbeStateStore, "probeStates" | "saveProbeStatesStatements" | "run">;
  outbox: Pick<D1OutboxStore, "enqueueStatements">;
  channels: readonly string[];
  maintenances: readonly Maintenance[];
  slotAt: number;
  now: number;
}

interface MetricAlertReport {
  /** Probes with thresholds whose runs recorded values this tick. */
  evaluated: number;
  breached: string[];
  recovered: string[];
  notices: number;
}

function metricNotice(loaded: LoadedProbe, effect: MetricNotify): Notice {
  const { probe } = loaded;
  const breached = effect.transition === "metric-breached";
  return {
    transition: effect.transition,
    probe: { id: probe.id, name: probe.name, group: probe.group },
    incident: {
      id: effect.key,
      title: breached
        ? `${probe.name}: ${effect.name} out of bounds`
        : `${probe.name}: ${effect.name} back within bounds`,
      startedAt: effect.since,
      resolvedAt: breached ? null : effect.at,
    },
    regions: [],
    metric: {
      name: effect.name,
      value: effect.value,
      side: effect.side,
      below: effect.threshold.below ?? null,
      above: effect.threshold.above ?? null,
    },
    at: effect.at,
  };
}

/** Each probe's recorded values of this tick, by metric name (one per run that recorded it). */
function valuesByProbe(outcomes: readonly RunOutcome[]): Map<string, Record<string, number[]>> {
  const out = new Map<string, Record<string, number[]>>();
  for (const o of outcomes) {
    if (!o.metrics) continue;
    const values = out.get(o.probeId) ?? {};
    for (const [name, value] of Object.entries(o.metrics)) values[name] = [...(values[name] ?? []), value];
    out.set(o.probeId, values);
  }
  return out;
}

export async function applyMetricAlerts(
  outcomes: readonly RunOutcome[],
  deps: MetricAlertDeps,
): Promise<MetricAlertReport> {
  const report: MetricAlertReport = { evaluated: 0, breached: [], recovered: [], notices: 0 };
  const recorded = valuesByProbe(outcomes);
  const watched = deps.probes.filter(
    (p) => Object.keys(metricThresholdsOf(p.probe)).length > 0 && recorded.has(p.probe.id),
  );
  if (watched.length === 0) return report;
  const stored = await readStates(
    deps.states,
    watched.map((p) => metricStateKey(p.probe.id)),
  );
  const states: { key: string; slotAt: number; state: MetricAlertState }[] = [];
  const notices: PendingNotice[] = [];
  for (const loaded of watched) {
    const probeId = loaded.probe.id;
    const previous = stored.state(metricStateKey(probeId), MetricAlertStateSchema, initialMetricAlertState);
    const observation = {
      slotAt: deps.slotAt,
      values: recorded.get(probeId)!,
      inMaintenance: isInMaintenance(probeId, deps.maintenances, deps.slotAt),
    };
    const { next, effects } = stepMetricAlerts(probeId, previous, observation, metricThresholdsOf(loaded.probe));
    report.evaluated++;
    // A replay or a late duplicate; or nothing but the slot moved while nothing is breached (safe
    // to skip: a replay of that slot steps to the same state).
    if (
      next === previous ||
      (effects.length === 0 &&
        Object.keys(next.breached).length === 0 &&
        Object.keys(previous.breached).length === 0 &&
        previous.lastSlot !== null)
    )
      continue;
    states.push({ key: metricStateKey(probeId), slotAt: deps.slotAt, state: next });
    for (const effect of effects) {
      (effect.transition === "metric-breached" ? report.breached : report.recovered).push(effect.key);
      notices.push({ key: effect.key, transition: effect.transition, notice: metricNotice(loaded, effect) });
    }
  }
  if (states.length === 0) return report;
  const enqueued = enqueueNotices(deps.outbox, notices, deps.channels, deps.now);
  report.notices = enqueued.rows;
  await deps.states.run([...deps.states.saveProbeStatesStatements(states, deps.now), ...enqueued.statements]);
  return report;
}
