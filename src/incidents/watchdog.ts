/**
 * The watchdog of the probe network itself: pure steps, one per tick, that notice when the
 * network stops measuring. Missing data is never shown as up (status/overview.ts turns a stale
 * run into "no data", and all no-data into "unknown"); this tells the operators why.
 *
 * - Ticks missed: the previous tick's slot is kept (probe_states `network:tick`). A tick more
 *   than a minute after it means the minutes between had no tick at all (the cron did not fire,
 *   or the Worker failed before storing anything): one notice "ticks missed from X to Y (N
 *   minutes with no runs)". It can only be sent by the next tick that does run; while the
 *   network is stopped, the page and the API already say "unknown".
 * - Region silent: a region that had runs planned this tick but reported none (its shards
 *   unreachable) is "silent". After `silentTicksToNotify` silent ticks in a row one notice
 *   "region R stopped reporting", and once it reports again one "region R reports again" (state
 *   in probe_states `network:regions`). A tick that plans nothing in a region says nothing
 *   about it.
 * - Stage failing: each stage of the tick (src/tick/) runs on its own, and one that throws is
 *   logged and skipped. A stage failing in `failingTicksToNotify` ticks in a row (default 3:
 *   one bad minute is noise, three are a pattern) sends one notice "stage S keeps failing", and
 *   once it succeeds again one "stage S works again" (state in probe_states `network:stages`).
 *   The count stops at the threshold, so a stage that stays broken writes no state row per
 *   tick. A stage that did not run this tick says nothing about itself.
 *
 * A slot not newer than the state's is ignored (same state object back, no effects), and every
 * notice has a deterministic key, so replayed ticks notify nothing new.
 */
import { z } from "zod";
import type { NetworkEvent } from "./channels/notice.ts";
import { MINUTE_MS } from "../time.ts";

export const TICK_STATE_KEY = "network:tick";
export const REGIONS_STATE_KEY = "network:regions";
export const STAGES_STATE_KEY = "network:stages";

/** Stored under `network:tick`. */
interface TickState {
  lastSlot: number | null;
}

interface RegionWatch {
  /** The first silent tick's slot. */
  silentSince: number;
  /** Silent ticks in a row (ticks that planned nothing in the region do not count). */
  silentTicks: number;
  /** Whether "stopped reporting" went out (so "reports again" must follow). */
  announced: boolean;
}

/** Stored under `network:regions`. */
export interface RegionsState {
  lastSlot: number | null;
  /** Regions silent at their last planned tick. */
  silent: Record<string, RegionWatch>;
}

interface StageWatch {
  /** The first failing tick's slot. */
  since: number;
  /** Failing ticks in a row, counted up to failingTicksToNotify and no further. */
  failedTicks: number;
  /** Whether "keeps failing" went out (so "works again" must follow). */
  announced: boolean;
  /** The error of the first failing tick. */
  error: string;
}

/** Stored under `network:stages`. */
export interface StagesState {
  lastSlot: number | null;
  /** Stages that failed at their last run. */
  failing: Record<string, StageWatch>;
}

/** The stored watchdog rows, checked when they are read back. */
export const TickStateSchema: z.ZodType<TickState> = z.object({ lastSlot: z.number().nullable() });
export const RegionsStateSchema: z.ZodType<RegionsState> = z.object({
  lastSlot: z.number().nullable(),
  silent: z.record(z.string(), z.object({ silentSince: z.number(), silentTicks: z.number(), announced: z.boolean() })),
});
export const StagesStateSchema: z.ZodType<StagesState> = z.object({
  lastSlot: z.number().nullable(),
  failing: z.record(
    z.string(),
    z.object({ since: z.number(), failedTicks: z.number(), announced: z.boolean(), error: z.string() }),
  ),
});

export interface WatchdogState {
  tick: TickState;
  regions: RegionsState;
  stages: StagesState;
}

/** Which tick stages ran and which of them failed (stage name → error). */
export interface StagesSeen {
  ran: readonly string[];
  failed: Readonly<Record<string, string>>;
}

/** What one tick saw. */
export interface TickSeen {
  /** The tick's slot (epoch ms of its scheduled minute). */
  slotAt: number;
  /** Regions with runs planned at this tick. */
  planned: readonly string[];
  /** Regions that reported at least one run at this tick. */
  reporting: readonly string[];
  /** Regions that any probe runs in; silent entries of other regions are dropped quietly. */
  known?: readonly string[] | undefined;
  /** Why a region may be silent (e.g. its unreachable shards), by region. */
  details?: Readonly<Record<string, string>> | undefined;
  /** The tick's stages before the watchdog; none when absent. */
  stages?: StagesSeen | undefined;
}

export interface WatchdogOptions {
  /** Silent ticks in a row before "stopped reporting" (1: at the first one). */
  silentTicksToNotify: number;
  /** Failing ticks in a row before "stage keeps failing". */
  failingTicksToNotify: number;
}

export const DEFAULT_WATCHDOG_OPTIONS: Readonly<WatchdogOptions> = Object.freeze({
  silentTicksToNotify: 1,
  failingTicksToNotify: 3,
});

export interface WatchdogNotify {
  kind: "notify";
  /**
   * The outbox dedupe subject: `network-ticks-missed-<first missed slot>`,
   * `network-region-<r>-silent|back-<silentSince>`, `network-stage-<s>-failing|back-<since>`.
   */
  key: string;
  event: NetworkEvent;
  at: number;
}

export function initialWatchdogState(): WatchdogState {
  return { tick: { lastSlot: null }, regions: { lastSlot: null, silent: {} }, stages: { lastSlot: null, failing: {} } };
}

function assertSlot(slotAt: number): void {
  if (!(Number.isFinite(slotAt) && slotAt % MINUTE_MS === 0))
    throw new RangeError(`slotAt must be a minute in epoch ms, got ${slotAt}`);
}

/**
 * Missed ticks since the previous one.
 *
 * @example
 * stepTicks({ lastSlot: t }, t + 5 * MINUTE).effects
 * // [{ key: `network-ticks-missed-${t + MINUTE}`, event: { kind: "ticks-missed", from: t + MINUTE, to: t + 4 * MINUTE, minutes: 4 } }]
 */
export function stepTicks(prev: TickState, slotAt: number): { next: TickState; effects: WatchdogNotify[] } {
  assertSlot(slotAt);
  if (prev.lastSlot !== null && slotAt <= prev.lastSlot) return { next: prev, effects: [] };
  const effects: WatchdogNotify[] = [];
  if (prev.lastSlot !== null && slotAt - prev.lastSlot > MINUTE_MS) {
    const from = prev.lastSlot + MINUTE_MS;
    const to = slotAt - MINUTE_MS;
    effects.push({
      kind: "notify",
      key: `network-ticks-missed-${from}`,
      event: { kind: "ticks-missed", from, to, minutes: (to - from) / MINUTE_MS + 1 },
      at: slotAt,
    });
  }
  return { next: { lastSlot: slotAt }, effects };
}

/** Regions that stopped reporting, and ones that report again. */
export function stepRegions(
  prev: RegionsState,
  seen: TickSeen,
  partial: Partial<WatchdogOptions> = DEFAULT_WATCHDOG_OPTIONS,
): { next: RegionsState; effects: WatchdogNotify[] } {
  const t = seen.slotAt;
  assertSlot(t);
  const options = { ...DEFAULT_WATCHDOG_OPTIONS, ...partial };
  if (!(Number.isInteger(options.silentTicksToNotify) && options.silentTicksToNotify >= 1))
    throw new RangeError(`silentTicksToNotify must be an integer ≥ 1, got ${options.silentTicksToNotify}`);
  if (prev.lastSlot !== null && t <= prev.lastSlot) return { next: prev, effects: [] };
  const effects: WatchdogNotify[] = [];
  const reporting = new Set(seen.reporting);
  const known = seen.known ? new Set(seen.known) : null;
  const silent: Record<string, RegionWatch> = {};
  for (const [region, watch] of Object.entries(prev.silent))
    if (known === null || known.has(region)) silent[region] = watch;

  for (const region of [...new Set(seen.planned)].sort()) {
    const watch = silent[region];
    if (reporting.has(region)) {
      if (watch) {
        if (watch.announced) {
          effects.push({
            kind: "notify",
            key: `network-region-${region}-back-${watch.silentSince}`,
            event: { kind: "region-back", region, silentSince: watch.silentSince, backAt: t },
            at: t,
          });
        }
        delete silent[region];
      }
      continue;
    }
    const next: RegionWatch = watch
      ? { ...watch, silentTicks: watch.silentTicks + 1 }
      : { silentSince: t, silentTicks: 1, announced: false };
    if (!next.announced && next.silentTicks >= options.silentTicksToNotify) {
      next.announced = true;
      effects.push({
        kind: "notify",
        key: `network-region-${region}-silent-${next.silentSince}`,
        event: { kind: "region-silent", region, since: next.silentSince, detail: seen.details?.[region] ?? null },
        at: t,
      });
    }
    silent[region] = next;
  }
  return { next: { lastSlot: t, silent }, effects };
}

/**
 * Tick stages that keep failing, and ones that work again.
 *
 * @example
 * // with failingTicksToNotify 3, the third failing tick in a row of "prune" notifies:
 * stepStages(prev, slotAt, { ran: ["prune"], failed: { prune: "D1_ERROR" } }).effects
 * // [{ key: `network-stage-prune-failing-${since}`, event: { kind: "stage-failing", stage: "prune", since, ticks: 3, error: "D1_ERROR" } }]
 */
export function stepStages(
  prev: StagesState,
  slotAt: number,
  seen: StagesSeen,
  options: Partial<WatchdogOptions> = DEFAULT_WATCHDOG_OPTIONS,
): { next: StagesState; effects: WatchdogNotify[] } {
  const t = slotAt;
  assertSlot(t);
  const threshold = options.failingTicksToNotify ?? DEFAULT_WATCHDOG_OPTIONS.failingTicksToNotify;
  if (!(Number.isInteger(threshold) && threshold >= 1))
    throw new RangeError(`failingTicksToNotify must be an integer ≥ 1, got ${threshold}`);
  if (prev.lastSlot !== null && t <= prev.lastSlot) return { next: prev, effects: [] };
  const effects: WatchdogNotify[] = [];
  const failing: Record<string, StageWatch> = { ...prev.failing };
  for (const stage of [...new Set(seen.ran)].sort()) {
    const watch = failing[stage];
    const error = seen.failed[stage];
    if (error === undefined) {
      if (watch?.announced)
        effects.push({
          kind: "notify",
          key: `network-stage-${stage}-back-${watch.since}`,
          event: { kind: "stage-back", stage, failingSince: watch.since, backAt: t },
          at: t,
        });
      delete failing[stage];
      continue;
    }
    const next: StageWatch = watch
      ? { ...watch, failedTicks: Math.min(watch.failedTicks + 1, threshold) }
      : { since: t, failedTicks: 1, announced: false, error };
    if (!next.announced && next.failedTicks >= threshold) {
      next.announced = true;
      effects.push({
        kind: "notify",
        key: `network-stage-${stage}-failing-${next.since}`,
        event: { kind: "stage-failing", stage, since: next.since, ticks: next.failedTicks, error },
        at: t,
      });
    }
    failing[stage] = next;
  }
  return { next: { lastSlot: t, failing }, effects };
}

/**
 * Every step: ticks missed first, then regions, then stages. A tick not newer than the last one
 * seen is a replay for all (the regions and stages rows are not written on every tick, so their
 * own slots may lag).
 */
export function stepWatchdog(
  prev: WatchdogState,
  seen: TickSeen,
  options: Partial<WatchdogOptions> = DEFAULT_WATCHDOG_OPTIONS,
): { next: WatchdogState; effects: WatchdogNotify[] } {
  assertSlot(seen.slotAt);
  if (prev.tick.lastSlot !== null && seen.slotAt <= prev.tick.lastSlot) return { next: prev, effects: [] };
  const ticks = stepTicks(prev.tick, seen.slotAt);
  const regions = stepRegions(prev.regions, seen, options);
  const stages = stepStages(prev.stages, seen.slotAt, seen.stages ?? { ran: [], failed: {} }, options);
  return {
    next: { tick: ticks.next, regions: regions.next, stages: stages.next },
    effects: [...ticks.effects, ...regions.effects, ...stages.effects],
  };
}
