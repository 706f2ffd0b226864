/**
 * After every tick: step the watchdog (watchdog.ts) on what the tick planned, what came back and
 * which of the tick's stages failed, and write its state rows (probe_states `network:tick`,
 * `network:regions` and `network:stages`, each advanced only to a newer slot) with the operator
 * notices it causes to the outbox, in one D1 batch. Notices go to every configured channel.
 * Keys are deterministic and the state only moves forward, so a replayed tick writes nothing new.
 *
 * Cost: one read of the three rows and one write (`network:tick`) per tick; the regions and
 * stages rows are written only when they change.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import { parseRunId } from "../probe/result.ts";
import type { TickReport } from "../schedule/dispatch-tick.ts";
import { planTick } from "../schedule/plan.ts";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { D1ProbeStateStore } from "../storage/probe-state-store.ts";
import { NETWORK_SUBJECT, networkHeadline, type NetworkEvent, type Notice } from "./channels/notice.ts";
import { enqueueNotices, readStates } from "./state-step.ts";
import {
  DEFAULT_WATCHDOG_OPTIONS,
  initialWatchdogState,
  REGIONS_STATE_KEY,
  RegionsStateSchema,
  STAGES_STATE_KEY,
  StagesStateSchema,
  stepWatchdog,
  TICK_STATE_KEY,
  TickStateSchema,
  type StagesSeen,
  type WatchdogNotify,
  type WatchdogOptions,
} from "./watchdog.ts";

interface WatchdogDeps {
  probes: readonly LoadedProbe[];
  states: D1ProbeStateStore;
  outbox: D1OutboxStore;
  /** Names of the configured notification channels. */
  channels: readonly string[];
  /** Wall clock, for the outbox rows and the states' updated_at. */
  now: number;
  options?: Partial<WatchdogOptions> | undefined;
}

export interface WatchdogReport {
  /** Minutes with no tick before this one (0 when none were missed). */
  missedMinutes: number;
  /** Regions with runs planned at this tick that reported none. */
  silentRegions: string[];
  /** Tick stages failing at their last run (after this tick). */
  failingStages: string[];
  notices: number;
}

function startedAt(event: NetworkEvent): number {
  switch (event.kind) {
    case "ticks-missed":
      return event.from;
    case "region-silent":
      return event.since;
    case "region-back":
      return event.silentSince;
    case "stage-failing":
      return event.since;
    case "stage-back":
      return event.failingSince;
  }
}

function resolvedAt(event: NetworkEvent): number | null {
  switch (event.kind) {
    case "ticks-missed":
      return event.to + 60_000;
    case "region-back":
    case "stage-back":
      return event.backAt;
    case "region-silent":
    case "stage-failing":
      return null;
  }
}

function regionsOf(event: NetworkEvent): string[] {
  return event.kind === "region-silent" || event.kind === "region-back" ? [event.region] : [];
}

function networkNotice(effect: WatchdogNotify): Notice {
  const { event } = effect;
  return {
    transition: "network",
    probe: { ...NETWORK_SUBJECT },
    incident: {
      id: effect.key,
      title: networkHeadline(event, true),
      startedAt: startedAt(event),
      resolvedAt: resolvedAt(event),
    },
    regions: regionsOf(event),
    network: event,
    at: effect.at,
  };
}

/** "weur:0 (Error: …)" → { weur: "shard weur:0 unreachable: Error: …" }, several shards joined. */
function detailsByRegion(unreachableShards: readonly string[]): Record<string, string> {
  const details: Record<string, string[]> = {};
  for (const shard of unreachableShards) {
    const match = /^([a-z]+):(\d+) \((.*)\)$/s.exec(shard);
    const region = match?.[1] ?? shard.split(":")[0] ?? shard;
    details[region] ??= [];
    details[region].push(
      match ? `shard ${match[1]}:${match[2]} unreachable: ${match[3]}` : `shard ${shard} unreachable`,
    );
  }
  return Object.fromEntries(Object.entries(details).map(([region, lines]) => [region, lines.join("; ")]));
}

/** What the watchdog is told about one tick. */
interface WatchdogTick {
  slotAt: number;
  /** The dispatch's report; null when the dispatch stage failed (then nothing is said about regions). */
  dispatch: Pick<TickReport, "outcomes" | "unreachableShards"> | null;
  /** The stages that ran before the watchdog, and their errors. */
  stages?: StagesSeen | undefined;
}

export async function applyWatchdog(tick: WatchdogTick, deps: WatchdogDeps): Promise<WatchdogReport> {
  const dispatch = tick.dispatch;
  // Without the dispatch's report nothing is known about what ran where: no region is silent.
  const planned = dispatch ? [...new Set(planTick(deps.probes, tick.slotAt).map((run) => run.region))] : [];
  const reporting = [...new Set((dispatch?.outcomes ?? []).flatMap((o) => parseRunId(o.runId)?.region ?? []))];
  const known = [...new Set(deps.probes.flatMap((p) => p.probe.regions))];
  const stored = await readStates(deps.states, [TICK_STATE_KEY, REGIONS_STATE_KEY, STAGES_STATE_KEY]);
  const initial = initialWatchdogState();
  const previous = {
    tick: stored.state(TICK_STATE_KEY, TickStateSchema, () => initial.tick),
    regions: stored.state(REGIONS_STATE_KEY, RegionsStateSchema, () => initial.regions),
    stages: stored.state(STAGES_STATE_KEY, StagesStateSchema, () => initial.stages),
  };
  const seen = {
    slotAt: tick.slotAt,
    planned,
    reporting,
    known,
    details: detailsByRegion(dispatch?.unreachableShards ?? []),
    stages: tick.stages,
  };
  const { next, effects } = stepWatchdog(previous, seen, deps.options ?? DEFAULT_WATCHDOG_OPTIONS);

  const statements: D1PreparedStatement[] = [];
  if (next.tick !== previous.tick)
    statements.push(deps.states.saveProbeStateStatement(TICK_STATE_KEY, tick.slotAt, next.tick, deps.now));
  // Written when it changes (or never was): a replay of a tick that changed nothing steps to the same state.
  const regionsChanged =
    next.regions !== previous.regions &&
    (previous.regions.lastSlot === null ||
      JSON.stringify(next.regions.silent) !== JSON.stringify(previous.regions.silent));
  if (regionsChanged)
    statements.push(deps.states.saveProbeStateStatement(REGIONS_STATE_KEY, tick.slotAt, next.regions, deps.now));
  const stagesChanged =
    next.stages !== previous.stages &&
    (previous.stages.lastSlot === null ||
      JSON.stringify(next.stages.failing) !== JSON.stringify(previous.stages.failing));
  if (stagesChanged)
    statements.push(deps.states.saveProbeStateStatement(STAGES_STATE_KEY, tick.slotAt, next.stages, deps.now));
  const enqueued = enqueueNotices(
    deps.outbox,
    effects.map((effect) => ({ key: effect.key, transition: "network" as const, notice: networkNotice(effect) })),
    deps.channels,
    deps.now,
  );
  const notices = enqueued.rows;
  await deps.states.run([...statements, ...enqueued.statements]);
  const missed = effects.find((e) => e.event.kind === "ticks-missed")?.event;
  return {
    missedMinutes: missed?.kind === "ticks-missed" ? missed.minutes : 0,
    silentRegions: planned.filter((r) => !reporting.includes(r)).sort(),
    failingStages: Object.keys(next.stages.failing).sort(),
    notices,
  };
}
