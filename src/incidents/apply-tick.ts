/**
 * After a tick's runs are stored: step each probe's incident state machine on what the tick
 * saw, and write the new state, the incidents it opens or resolves, and the notices it causes
 * to the outbox, all in one D1 batch. Every id is deterministic (incident `<probe>-<slot>`,
 * outbox `<incident>:<transition>:<channel>`), and the state only advances to a newer slot, so a
 * replayed tick, in sequence or in parallel, writes nothing new.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunOutcome } from "../schedule/shard-executor.ts";
import type { D1IncidentStore } from "../storage/incident-store.ts";
import type { Notice } from "./channels/notice.ts";
import { isInMaintenance } from "./maintenance-windows.ts";
import type { Incident, Maintenance } from "./model.ts";
import { observeTick } from "./observe-tick.ts";
import { describeFailure } from "./public-failure.ts";
import { outboxEntries } from "./outbox.ts";
import { initialProbeState, stepProbe, type Effect, type ProbeIncidentState } from "./probe-state-machine.ts";

export interface IncidentTickDeps {
  probes: readonly LoadedProbe[];
  store: D1IncidentStore;
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
}

function automaticIncident(loaded: LoadedProbe, effect: Extract<Effect, { kind: "open-incident" }>, now: number): Incident {
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

export async function applyIncidentTick(outcomes: readonly RunOutcome[], slotAt: number, deps: IncidentTickDeps): Promise<IncidentTickReport> {
  const observations = observeTick(deps.probes, outcomes, slotAt, (probeId) => isInMaintenance(probeId, deps.maintenances, slotAt));
  const report: IncidentTickReport = { observed: observations.size, opened: [], resolved: [], notices: 0 };
  if (observations.size === 0) return report;
  const stored = await deps.store.probeStates([...observations.keys()]);
  const statements: D1PreparedStatement[] = [];
  const open = new Map<string, Incident>();

  for (const [probeId, observation] of observations) {
    const loaded = deps.probes.find((p) => p.probe.id === probeId)!;
    const previous = (stored.get(probeId)?.state as ProbeIncidentState | undefined) ?? initialProbeState();
    const { next, effects } = stepProbe(probeId, previous, observation, loaded.probe.alerts);
    if (next === previous) continue; // a replay or a late duplicate: nothing to write
    statements.push(deps.store.saveProbeStateStatement(probeId, slotAt, next, deps.now));
    for (const effect of effects) {
      if (effect.kind === "open-incident") {
        const incident = automaticIncident(loaded, effect, deps.now);
        open.set(incident.id, incident);
        report.opened.push(incident.id);
        statements.push(...deps.store.insertIncidentStatements(incident));
      } else if (effect.kind === "resolve-incident") {
        report.resolved.push(effect.incidentId);
        statements.push(
          deps.store.insertUpdateStatement(effect.incidentId, { id: `recovered-${effect.confirmedAt}`, status: "resolved", body: "Recovered: the probe passed again from a quorum of regions.", createdAt: effect.confirmedAt }),
          deps.store.setStatusStatement(effect.incidentId, "resolved", effect.resolvedAt),
        );
      } else {
        const incident = effect.incidentId ? open.get(effect.incidentId) : undefined;
        const notice: Notice = {
          transition: effect.transition,
          probe: { id: probeId, name: loaded.probe.name, group: loaded.probe.group },
          incident: {
            id: effect.incidentId ?? effect.key,
            title: incident?.title ?? `${loaded.probe.name} ${effect.transition === "up" ? "recovered" : effect.transition}`,
            startedAt: incident?.startedAt ?? next.openIncident?.startedAt ?? effect.at,
            resolvedAt: effect.transition === "up" ? effect.at : null,
          },
          failure: observation.failure,
          regions: observation.regions,
          at: effect.at,
        };
        const entries = outboxEntries(effect.key, effect.transition, deps.channels, notice, deps.now);
        statements.push(...entries.map((e) => deps.store.enqueueStatement(e)));
        report.notices += entries.length;
      }
    }
  }
  await deps.store.run(statements);
  return report;
}
