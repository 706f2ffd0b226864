/**
 * After a tick: evaluate every probe's SLO burn-rate alerts, step each probe's burn state
 * (burn-alerts.ts), and write the new states and the notices they cause to the outbox in one D1
 * batch, like apply-tick.ts. The state lives in probe_states under `burn:<probeId>` and only
 * advances to a newer slot (CAS on last_slot); notice ids are deterministic. So a replayed tick,
 * in sequence or in parallel, writes nothing new.
 *
 * Only every 5th minute (slotAt % 5 min = 0). Why: an SLO evaluation reads one D1 batch (the
 * window's rollups, about 150 rows per (probe, region) for a 30-day window, and the last 30
 * minutes of raw runs, see queries/slo.ts), far more than a tick's own writes. Every 5 minutes
 * is 288 evaluations a day instead of 1,440, and costs little in detection time: the fastest
 * rule (page at 14.4× over 1 h and 5 min) needs 5 minutes of bad runs to fire anyway.
 *
 * The SLOs are evaluated as of the end of the tick's minute (slotAt + 1 min), not the wall
 * clock: the 5-minute lookback then holds exactly the last five slots, the tick's included, and
 * a replay of the same slot evaluates the same data.
 */
import type { ReadDeps } from "../queries/read-deps.ts";
import { loadSloReports } from "../queries/slo.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { D1ProbeStateStore } from "../storage/probe-state-store.ts";
import {
  burnStateKey,
  BurnStateSchema,
  initialBurnState,
  stepBurn,
  type BurnNotify,
  type BurnState,
  type SilenceNotify,
} from "./burn-alerts.ts";
import type { Notice } from "./channels/notice.ts";
import { isInMaintenance } from "./maintenance-windows.ts";
import type { Maintenance } from "./model.ts";
import { enqueueNotices, readStates, type PendingNotice } from "./state-step.ts";

const BURN_EVERY_MS = 5 * 60_000;

interface BurnAlertDeps {
  probes: readonly LoadedProbe[];
  states: D1ProbeStateStore;
  outbox: D1OutboxStore;
  /** Where the SLO reports read runs and rollups from (the app's run store), and raw retention. */
  slo: Pick<ReadDeps, "store"> & { rawRetentionDays: number };
  /** Names of the configured notification channels. */
  channels: readonly string[];
  /** Maintenance windows (the tick loads them once for every step that needs them). */
  maintenances: readonly Maintenance[];
  /** The tick's slot (epoch ms of its scheduled minute). */
  slotAt: number;
  /** Wall clock, for the outbox rows and the state's updated_at. */
  now: number;
}

interface BurnAlertReport {
  /** Probes whose alerts were evaluated (0 on the minutes in between). */
  evaluated: number;
  notices: number;
}

/** Is this tick one that evaluates burn alerts? */
function isBurnSlot(slotAt: number): boolean {
  return slotAt % BURN_EVERY_MS === 0;
}

function sameSilence(a: BurnState["silence"], b: BurnState["silence"]): boolean {
  return (a?.since ?? null) === (b?.since ?? null);
}

function sameSli(a: BurnState["availability"], b: BurnState["availability"]): boolean {
  return (
    a.severity === b.severity &&
    a.announced === b.announced &&
    a.since === b.since &&
    a.episodeStartedAt === b.episodeStartedAt
  );
}

function silenceNotice(loaded: LoadedProbe, effect: SilenceNotify): Notice {
  const { probe } = loaded;
  return {
    transition: effect.transition,
    probe: { id: probe.id, name: probe.name, group: probe.group },
    incident: {
      id: effect.key,
      title: effect.transition === "no-data" ? `${probe.name}: no data` : `${probe.name}: data again`,
      startedAt: effect.since,
      resolvedAt: effect.transition === "no-data-resolved" ? effect.at : null,
    },
    regions: [],
    silence: { lookbackMs: effect.lookbackMs },
    at: effect.at,
  };
}

function burnNotice(loaded: LoadedProbe, effect: BurnNotify): Notice {
  const { probe } = loaded;
  const what = effect.sli === "latency" ? "latency error budget" : "error budget";
  return {
    transition: effect.transition,
    probe: { id: probe.id, name: probe.name, group: probe.group },
    incident: {
      id: effect.key,
      title:
        effect.transition === "burn"
          ? `${probe.name}: ${what} burning (${effect.severity})`
          : `${probe.name}: ${what} burn resolved`,
      startedAt: effect.since,
      resolvedAt: effect.transition === "burn-resolved" ? effect.at : null,
    },
    regions: [],
    burn: effect.burn,
    at: effect.at,
  };
}

export async function applyBurnAlerts(deps: BurnAlertDeps): Promise<BurnAlertReport> {
  const report: BurnAlertReport = { evaluated: 0, notices: 0 };
  if (!isBurnSlot(deps.slotAt) || deps.probes.length === 0) return report;
  const evaluatedAt = deps.slotAt + 60_000;
  const { maintenances } = deps;
  const [{ reports }, stored] = await Promise.all([
    loadSloReports(
      { store: deps.slo.store, now: () => evaluatedAt, config: { rawRetentionDays: deps.slo.rawRetentionDays } },
      { probes: deps.probes },
      { detail: "alerting" },
    ),
    readStates(
      deps.states,
      deps.probes.map((p) => burnStateKey(p.probe.id)),
    ),
  ]);
  const states: { key: string; slotAt: number; state: BurnState }[] = [];
  const notices: PendingNotice[] = [];
  deps.probes.forEach((loaded, i) => {
    const probeId = loaded.probe.id;
    const sloReport = reports[i];
    if (!sloReport) return;
    report.evaluated++;
    const previous = stored.state(burnStateKey(probeId), BurnStateSchema, initialBurnState);
    const { next, effects } = stepBurn(probeId, previous, {
      slotAt: deps.slotAt,
      inMaintenance: isInMaintenance(probeId, maintenances, deps.slotAt),
      report: sloReport,
    });
    // A replay, a late duplicate, maintenance, or nothing changed: nothing to write. (Skipping the
    // write when only lastSlot would move is safe: a replay of that slot steps to the same state.)
    if (next === previous) return;
    if (
      effects.length === 0 &&
      sameSli(next.availability, previous.availability) &&
      sameSli(next.latency, previous.latency) &&
      sameSilence(next.silence, previous.silence) &&
      previous.lastSlot !== null
    )
      return;
    states.push({ key: burnStateKey(probeId), slotAt: deps.slotAt, state: next });
    for (const effect of effects) {
      const notice = effect.kind === "silence" ? silenceNotice(loaded, effect) : burnNotice(loaded, effect);
      notices.push({ key: effect.key, transition: effect.transition, notice });
    }
  });
  // Lists as JSON parameters: a fleet-wide burn writes a few statements, not one per probe.
  const stateStatements = deps.states.saveProbeStatesStatements(states, deps.now);
  const enqueued = enqueueNotices(deps.outbox, notices, deps.channels, deps.now);
  report.notices = enqueued.rows;
  await deps.states.run([...stateStatements, ...enqueued.statements]);
  return report;
}
