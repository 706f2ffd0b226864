/**
 * After a tick's runs are stored: step each probe's incident state machine on what the tick
 * saw, and write the new state, the incidents it opens or resolves, and the notices it causes
 * to the outbox, all in one D1 batch. Every id is deterministic (incident `<probe>-<slot>`,
 * outbox `<incident>:<transition>:<channel>`), and the state only advances to a newer slot, so a
 * replayed tick, in sequence or in parallel, writes nothing new.
 *
 * D1 work is bounded whatever the number of probes: one read (the states and the tick guard,
 * the ids as one JSON parameter) and a batch whose statements grow with the bytes that changed,
 * not with the probes (lists travel as JSON, see storage/json-chunks.ts). A probe whose state
 * did not change beyond its lastSlot is not written: a steady fleet writes only the guard row.
 * The guard (probe_states `tick:incidents`, the last slot this step processed, advanced only
 * forward) is what makes skipping those writes safe: a replayed or late tick finds it at or past
 * its slot and steps nothing.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunOutcome } from "../schedule/shard-executor.ts";
import type { D1IncidentStore } from "../storage/incident-store.ts";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { D1ProbeStateStore } from "../storage/probe-state-store.ts";
import type { Notice } from "./channels/notice.ts";
import { isInMaintenance } from "./maintenance-windows.ts";
import type { Incident, IncidentUpdate, Maintenance } from "./model.ts";
import { observeTick } from "./observe-tick.ts";
import { describeFailure } from "./public-failure.ts";
import {
  changedBeyondSlot,
  initialProbeState,
  ProbeIncidentStateSchema,
  stepProbe,
  type Effect,
  type ProbeIncidentState,
} from "./probe-state-machine.ts";
import { enqueueNotices, readStates, type PendingNotice } from "./state-step.ts";

/** The probe_states key of the tick guard; a colon never occurs in a probe id. */
export const INCIDENT_TICK_KEY = "tick:incidents";

interface IncidentTickDeps {
  probes: readonly LoadedProbe[];
  incidents: D1IncidentStore;
  states: D1ProbeStateStore;
  outbox: D1OutboxStore;
  /** Names of the configured notification channels. */
  channels: readonly string[];
  /** Maintenance windows (the tick loads them once for every step that needs them). */
  maintenances: readonly Maintenance[];
  now: number;
}

export interface IncidentTickReport {
  observed: number;
  opened: string[];
  resolved: string[];
  notices: number;
  /** Probe states written (those that changed beyond their lastSlot). */
  statesWritten: number;
  /** D1 rows written by the step's batch, as D1 reports them (the guard row included). */
  rowsWritten: number;
  /** The guard had already seen this slot: a replayed or late tick, nothing was stepped. */
  replay?: true;
}

function automaticIncident(
  loaded: LoadedProbe,
  effect: Extract<Effect, { kind: "open-incident" }>,
  now: number,
): Incident {
  const { probe } = loaded;
  const failure = effect.firstFailure;
  return {
    id: effect.incidentId,
    kind: "automatic",
    title: `${probe.name} is down`,
    impact: "major",
    status: "investigating",
    probeIds: [probe.id],
    regions: effect.regions,
    startedAt: effect.startedAt,
    resolvedAt: null,
    createdAt: now,
    updatedAt: now,
    failure,
    public: probe.public,
    updates: [
      {
        id: "detected",
        status: "investigating",
        // Public text: structured fields only, never the message (it quotes the response body).
        body: failure
          ? `Afterlife detected a failure from ${effect.regions.join(", ") || "a quorum of regions"}: ${describeFailure(failure)}.`
          : `Afterlife detected failures from a quorum of regions (${effect.regions.join(", ")}).`,
        createdAt: effect.openedAt,
      },
    ],
  };
}

export async function applyIncidentTick(
  outcomes: readonly RunOutcome[],
  slotAt: number,
  deps: IncidentTickDeps,
): Promise<IncidentTickReport> {
  const observations = observeTick(deps.probes, outcomes, slotAt, (probeId) =>
    isInMaintenance(probeId, deps.maintenances, slotAt),
  );
  const report: IncidentTickReport = {
    observed: observations.size,
    opened: [],
    resolved: [],
    notices: 0,
    statesWritten: 0,
    rowsWritten: 0,
  };
  if (observations.size === 0) return report;
  const stored = await readStates(deps.states, [INCIDENT_TICK_KEY, ...observations.keys()]);
  if ((stored.lastSlot(INCIDENT_TICK_KEY) ?? -Infinity) >= slotAt) return { ...report, replay: true };
  const byId = new Map(deps.probes.map((p) => [p.probe.id, p]));
  const states: { key: string; slotAt: number; state: ProbeIncidentState }[] = [];
  const incidents: Incident[] = [];
  const updates: { incidentId: string; update: IncidentUpdate }[] = [];
  const resolutions: { incidentId: string; at: number }[] = [];
  const notices: PendingNotice[] = [];
  const open = new Map<string, Incident>();

  for (const [probeId, observation] of observations) {
    const loaded = byId.get(probeId)!;
    const previous = stored.state(probeId, ProbeIncidentStateSchema, initialProbeState);
    // The incident thresholds only: alerts.metrics is the metric alerts' (apply-metric-alerts.ts).
    const { failuresToOpen, successesToClose } = loaded.probe.alerts ?? {};
    const incidentAlerts = {
      ...(failuresToOpen === undefined ? {} : { failuresToOpen }),
      ...(successesToClose === undefined ? {} : { successesToClose }),
    };
    const { next, effects } = stepProbe(probeId, previous, observation, incidentAlerts);
    if (effects.length === 0 && !changedBeyondSlot(previous, next)) continue; // steady, a replay, or a late duplicate
    states.push({ key: probeId, slotAt, state: next });
    for (const effect of effects) {
      if (effect.kind === "open-incident") {
        const incident = automaticIncident(loaded, effect, deps.now);
        open.set(incident.id, incident);
        report.opened.push(incident.id);
        incidents.push(incident);
      } else if (effect.kind === "resolve-incident") {
        report.resolved.push(effect.incidentId);
        updates.push({
          incidentId: effect.incidentId,
          update: {
            id: `recovered-${effect.confirmedAt}`,
            status: "resolved",
            body: "Recovered: the probe passed again from a quorum of regions.",
            createdAt: effect.confirmedAt,
          },
        });
        resolutions.push({ incidentId: effect.incidentId, at: effect.resolvedAt });
      } else {
        const incident = effect.incidentId ? open.get(effect.incidentId) : undefined;
        const notice: Notice = {
          transition: effect.transition,
          probe: { id: probeId, name: loaded.probe.name, group: loaded.probe.group },
          incident: {
            id: effect.incidentId ?? effect.key,
            title:
              incident?.title ?? `${loaded.probe.name} ${effect.transition === "up" ? "recovered" : effect.transition}`,
            startedAt: incident?.startedAt ?? next.openIncident?.startedAt ?? effect.at,
            resolvedAt: effect.transition === "up" ? effect.at : null,
          },
          failure: observation.failure,
          regions: observation.regions,
          at: effect.at,
        };
        notices.push({ key: effect.key, transition: effect.transition, notice });
      }
    }
  }
  report.statesWritten = states.length;
  const statements = [
    ...deps.states.saveProbeStatesStatements(states, deps.now),
    ...deps.incidents.insertIncidentsStatements(incidents),
    ...deps.incidents.insertUpdatesStatements(updates),
    ...deps.incidents.resolveIncidentsStatements(resolutions),
  ];
  const enqueued = enqueueNotices(deps.outbox, notices, deps.channels, deps.now);
  report.notices = enqueued.rows;
  const { rowsWritten } = await deps.states.run([
    ...statements,
    ...enqueued.statements,
    // Last, in the same batch: the step's writes and the guard land together or not at all.
    deps.states.saveProbeStateStatement(INCIDENT_TICK_KEY, slotAt, { slotAt }, deps.now),
  ]);
  report.rowsWritten = rowsWritten;
  return report;
}
