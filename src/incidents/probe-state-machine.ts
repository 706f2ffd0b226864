/**
 * The incident state machine of one probe: one pure step per tick observation, with time passed
 * in. It decides when an outage incident opens and closes, and which notices go out; the caller
 * stores the next state and performs the effects (insert the incident, enqueue the outbox rows).
 *
 * Rules (F, S, X, W from ProbeAlertConfig):
 * - F "down" observations in a row (down = a quorum of regions failed after the retry from
 *   another region) open an incident; S successes in a row ("up", "degraded" or "regional")
 *   resolve it. Degraded and regional never open an outage.
 * - "no-data" changes nothing and resets nothing: the watchdog reports missing data, and a gap
 *   between two failures does not make them less consecutive.
 * - An observation whose slot is not newer than the last one seen (a replayed tick, a late
 *   duplicate) is ignored: same state object back, no effects.
 * - Maintenance: nothing opens and nothing is announced. A failure inside a window counts for
 *   nothing (the failure run restarts after the window); a success still counts towards closing
 *   an incident that was open before the window (it is resolved quietly, and the UP goes out at
 *   the first observation after the window).
 * - Flapping: the outage state (an incident open or not) changing more than X times within W.
 *   One "flapping" notice, then no DOWN/UP notices until there has been no change for W; then a
 *   "stable" notice and the true state (a DOWN if an incident is open, an UP if the last DOWN
 *   has since been resolved). Incidents still open and close while flapping, so the history and
 *   the SLOs stay honest; only the notices are held back. Changes among up, degraded and
 *   regional are not outage changes: they never notify, so they cannot storm, and they do not
 *   count towards flapping.
 *
 * Notices are derived, not fired on events: outside maintenance and flapping each step makes the
 * subscribers' view (the incident of the last DOWN notice) agree with the open incident. That is
 * why DOWN and UP strictly alternate, why a replay or a changed error message sends nothing, and
 * how notices "resume with the true state" after suppression.
 */
import { z } from "zod";

const PROBE_ALERT_STATES = ["up", "degraded", "regional", "down", "flapping", "maintenance"] as const;
type ProbeAlertState = (typeof PROBE_ALERT_STATES)[number];

/** The tick's verdict for the probe over all its regions (see status/overview.ts probeState). */
export type Verdict = "up" | "degraded" | "regional" | "down" | "no-data";
/**
 * What a notice announces. The probe state machine emits the first four; "burn" and
 * "burn-resolved" come from the SLO burn-rate alerts (burn-alerts.ts), "network" from the
 * watchdog of the probe network itself (watchdog.ts), "release-*" from the release watch
 * (src/releases/release-notice.ts).
 */
export type NoticeTransition =
  | "down"
  | "up"
  | "flapping"
  | "stable"
  | "burn"
  | "burn-resolved"
  | "no-data"
  | "no-data-resolved"
  | "network"
  | "release-regressed"
  | "release-healthy"
  | "metric-breached"
  | "metric-recovered";

/** The failing step and class, and the run whose evidence shows it (as in Incident.failure). */
export interface FailureEvidence {
  step: string;
  class: string;
  message: string;
  runId: string;
  statusCode?: number | undefined;
}

export interface Observation {
  /** The scheduled slot (epoch ms) the verdict is for. */
  slotAt: number;
  verdict: Verdict;
  inMaintenance: boolean;
  failure?: FailureEvidence | undefined;
  /** The failing regions. */
  regions: readonly string[];
}

interface OpenIncident {
  /** `${probeId}-${openSlot}`: deterministic, so a replayed step cannot create a second one. */
  id: string;
  /** The slot of the first failure of the run that opened it. */
  startedAt: number;
  /** The first failure of that run with evidence (null if no failing observation carried any). */
  firstFailure: FailureEvidence | null;
}

export interface ProbeIncidentState {
  /** What the page shows: down while an incident is open; flapping and maintenance win. */
  state: ProbeAlertState;
  consecutiveFailures: number;
  /**
   * Successes in a row, counted up to successesToClose and no further: it is only ever compared
   * with S while an incident is open (and a failure resets it), so beyond S it means nothing,
   * and a saturated count keeps a steady probe's state still (nothing to write each tick).
   */
  consecutiveSuccesses: number;
  openIncident: OpenIncident | null;
  /** Slots of outage changes (incident opened or resolved) within the flapping window. */
  recentChanges: readonly number[];
  flappingSince: number | null;
  lastSlot: number | null;
  lastNotice: "down" | "up" | null;
  /** The slot where the current run of failures or successes began (null after a reset). */
  runStartedAt: number | null;
  /** The first failure evidence of the current failure run, kept to put on the incident. */
  runFailure: FailureEvidence | null;
  /** The incident the last DOWN notice was about: the UP that follows names the same one. */
  noticedIncidentId: string | null;
}

const FailureEvidenceSchema = z.object({
  step: z.string(),
  class: z.string(),
  message: z.string(),
  runId: z.string(),
  statusCode: z.number().optional(),
});

/** A stored ProbeIncidentState (probe_states under the probe's id), checked when it is read back. */
export const ProbeIncidentStateSchema: z.ZodType<ProbeIncidentState> = z.object({
  state: z.enum(PROBE_ALERT_STATES),
  consecutiveFailures: z.number(),
  consecutiveSuccesses: z.number(),
  openIncident: z
    .object({ id: z.string(), startedAt: z.number(), firstFailure: FailureEvidenceSchema.nullable() })
    .nullable(),
  recentChanges: z.array(z.number()),
  flappingSince: z.number().nullable(),
  lastSlot: z.number().nullable(),
  lastNotice: z.enum(["down", "up"]).nullable(),
  runStartedAt: z.number().nullable(),
  runFailure: FailureEvidenceSchema.nullable(),
  noticedIncidentId: z.string().nullable(),
});

const ProbeAlertConfigSchema = z.strictObject({
  /** F: consecutive "down" observations that open an incident. */
  failuresToOpen: z.number().int().min(1).max(1000).default(2),
  /** S: consecutive successes that resolve it. */
  successesToClose: z.number().int().min(1).max(1000).default(2),
  /** X: more outage changes than this within W is flapping. */
  flapChanges: z.number().int().min(1).max(1000).default(4),
  /** W, ms. */
  flapWindowMs: z
    .number()
    .int()
    .min(60_000)
    .max(7 * 24 * 3_600_000)
    .default(30 * 60_000),
});
export type ProbeAlertConfig = z.output<typeof ProbeAlertConfigSchema>;
export const DEFAULT_ALERT_CONFIG: Readonly<ProbeAlertConfig> = Object.freeze(ProbeAlertConfigSchema.parse({}));

export type Effect =
  | {
      kind: "open-incident";
      probeId: string;
      incidentId: string;
      startedAt: number;
      /** The slot of the F-th failure, where the incident was confirmed. */
      openedAt: number;
      firstFailure: FailureEvidence | null;
      /** Failing regions at the moment it opened. */
      regions: string[];
    }
  | { kind: "resolve-incident"; probeId: string; incidentId: string; resolvedAt: number; confirmedAt: number }
  | {
      kind: "notify";
      probeId: string;
      transition: NoticeTransition;
      /** The incident the notice is about; for flapping and stable the one open then, or null. */
      incidentId: string | null;
      /** The outbox dedupe subject: the incident id for down/up, `${probeId}-flapping-${since}` otherwise. */
      key: string;
      at: number;
    };

interface StepResult {
  next: ProbeIncidentState;
  effects: Effect[];
}

/** A probe nothing is known against yet: up, no incident, nothing announced. */
export function initialProbeState(): ProbeIncidentState {
  return {
    state: "up",
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    openIncident: null,
    recentChanges: [],
    flappingSince: null,
    lastSlot: null,
    lastNotice: null,
    runStartedAt: null,
    runFailure: null,
    noticedIncidentId: null,
  };
}

const CALM: ReadonlySet<ProbeAlertState> = new Set(["up", "degraded", "regional"]);

/**
 * One observation for one probe.
 *
 * @example
 * let s = initialProbeState();
 * ({ next: s } = stepProbe("shop", s, { slotAt: t0, verdict: "down", inMaintenance: false, regions: ["weur", "apac"] }));
 * const { effects } = stepProbe("shop", s, { slotAt: t0 + 60_000, verdict: "down", inMaintenance: false, regions: ["weur", "apac"] });
 * // [{ kind: "open-incident", incidentId: `shop-${t0 + 60_000}`, startedAt: t0, ... }, { kind: "notify", transition: "down", ... }]
 */
export function stepProbe(
  probeId: string,
  prev: ProbeIncidentState,
  obs: Observation,
  config: Partial<ProbeAlertConfig> = DEFAULT_ALERT_CONFIG,
): StepResult {
  const cfg = config === DEFAULT_ALERT_CONFIG ? DEFAULT_ALERT_CONFIG : ProbeAlertConfigSchema.parse(config);
  if (!Number.isFinite(obs.slotAt)) throw new RangeError(`slotAt must be a time in epoch ms, got ${obs.slotAt}`);
  if (obs.verdict === "no-data") return { next: prev, effects: [] };
  if (prev.lastSlot !== null && obs.slotAt <= prev.lastSlot) return { next: prev, effects: [] };

  const t = obs.slotAt;
  const effects: Effect[] = [];
  let {
    consecutiveFailures,
    consecutiveSuccesses,
    openIncident,
    runStartedAt,
    runFailure,
    lastNotice,
    noticedIncidentId,
    flappingSince,
  } = prev;
  let outageChanged = false;

  if (obs.verdict === "down") {
    consecutiveSuccesses = 0;
    if (obs.inMaintenance) {
      consecutiveFailures = 0;
      runStartedAt = null;
      runFailure = null;
    } else {
      if (consecutiveFailures === 0) {
        runStartedAt = t;
        runFailure = null;
      }
      consecutiveFailures += 1;
      runFailure ??= obs.failure ?? null;
      if (openIncident === null && consecutiveFailures >= cfg.failuresToOpen) {
        openIncident = { id: `${probeId}-${t}`, startedAt: runStartedAt ?? t, firstFailure: runFailure };
        effects.push({
          kind: "open-incident",
          probeId,
          incidentId: openIncident.id,
          startedAt: openIncident.startedAt,
          openedAt: t,
          firstFailure: runFailure,
          regions: [...obs.regions],
        });
        outageChanged = true;
      }
    }
  } else {
    if (consecutiveSuccesses === 0) runStartedAt = t;
    consecutiveFailures = 0;
    runFailure = null;
    consecutiveSuccesses = Math.min(consecutiveSuccesses + 1, cfg.successesToClose);
    if (openIncident !== null && consecutiveSuccesses >= cfg.successesToClose) {
      effects.push({
        kind: "resolve-incident",
        probeId,
        incidentId: openIncident.id,
        resolvedAt: runStartedAt ?? t,
        confirmedAt: t,
      });
      openIncident = null;
      outageChanged = !obs.inMaintenance;
    }
  }

  let recentChanges = prev.recentChanges.filter((c) => t - c < cfg.flapWindowMs);
  if (outageChanged) recentChanges = [...recentChanges, t];

  if (!obs.inMaintenance) {
    const notify = (transition: NoticeTransition, key: string, incidentId: string | null) =>
      effects.push({ kind: "notify", probeId, transition, incidentId, key, at: t });
    if (flappingSince === null && recentChanges.length > cfg.flapChanges) {
      flappingSince = t;
      notify("flapping", `${probeId}-flapping-${t}`, openIncident?.id ?? null);
    } else if (flappingSince !== null && recentChanges.length === 0) {
      notify("stable", `${probeId}-flapping-${flappingSince}`, openIncident?.id ?? null);
      flappingSince = null;
    }
    if (flappingSince === null) {
      // Make the subscribers' view agree with the truth: close what they were told, then open.
      if (lastNotice === "down" && noticedIncidentId !== (openIncident?.id ?? null)) {
        notify("up", noticedIncidentId ?? `${probeId}-unknown`, noticedIncidentId);
        lastNotice = "up";
      }
      if (openIncident !== null && lastNotice !== "down") {
        notify("down", openIncident.id, openIncident.id);
        lastNotice = "down";
        noticedIncidentId = openIncident.id;
      }
    }
  }

  const state: ProbeAlertState = obs.inMaintenance
    ? "maintenance"
    : flappingSince !== null
      ? "flapping"
      : openIncident !== null
        ? "down"
        : obs.verdict !== "down"
          ? obs.verdict
          : CALM.has(prev.state)
            ? prev.state
            : "up";

  return {
    next: {
      state,
      consecutiveFailures,
      consecutiveSuccesses,
      openIncident,
      recentChanges,
      flappingSince,
      lastSlot: t,
      lastNotice,
      runStartedAt,
      runFailure,
      noticedIncidentId,
    },
    effects,
  };
}

/**
 * Whether a step changed anything but lastSlot: what the caller must store. A step that only
 * moved lastSlot needs no write, provided the caller never steps a slot twice (apply-tick.ts
 * keeps a tick-level guard for that), because lastSlot is read only to ignore replays.
 *
 * @example
 * changedBeyondSlot(steady, stepProbe("shop", steady, upAtNextSlot).next) // false
 */
export function changedBeyondSlot(prev: ProbeIncidentState, next: ProbeIncidentState): boolean {
  if (prev === next) return false;
  return !sameValue({ ...prev, lastSlot: null }, { ...next, lastSlot: null });
}

/** Deep equality of JSON values, whatever the key order (a stored state is parsed JSON). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const x = (a as Record<string, unknown>)[key];
    const y = (b as Record<string, unknown>)[key];
    // A missing key and an undefined one are the same JSON.
    if (!sameValue(x, y)) return false;
  }
  return true;
}

/** Folds observations in order; the effects of every step, concatenated. */
export function runProbe(
  probeId: string,
  state: ProbeIncidentState,
  observations: readonly Observation[],
  config?: Partial<ProbeAlertConfig>,
): StepResult {
  const effects: Effect[] = [];
  let next = state;
  for (const obs of observations) {
    const step = stepProbe(probeId, next, obs, config);
    next = step.next;
    effects.push(...step.effects);
  }
  return { next, effects };
}
