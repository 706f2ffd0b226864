/**
 * SLO burn-rate alerts as notices: one pure step per probe and evaluation, from the stored burn
 * state and the SLO report's multi-window alert (slo/burn-rate.ts, "page" | "ticket" | "ok") to
 * notices. Per SLI (availability, latency):
 *
 * - The severity rising above what was already announced in the current episode (ok → ticket,
 *   ok → page, ticket → page) sends one "burn" notice with the budget left and the forecast.
 * - Back to ok after an announcement sends one "burn-resolved" notice and ends the episode.
 * - Anything else sends nothing: an unchanged severity, and a page that calms down to a ticket
 *   (the page stays the episode's announced severity, so page → ticket → page cannot storm; the
 *   resolved notice comes when the budget stops burning altogether).
 *
 * - Every region of the probe storing no run for its silence lookback (report.silence) sends one
 *   "no-data" notice, and runs stored again send one "no-data-resolved": a probe that stopped
 *   running is told apart from one that is up, and never pages as a burn.
 *
 * Every notice has a deterministic key, `<probeId>-burn-<sli>-<severity>-<slot it started>`, so
 * a replayed evaluation enqueues nothing new (the outbox id is key + transition + channel), and
 * the resolved notice reuses the key of the alert it ends. An evaluation whose slot is not newer
 * than the state's is ignored (same state object back). During maintenance nothing is announced
 * and the alert state is held (only the slot moves on), so an alert still firing after the window
 * is announced then, and one that stopped inside it is resolved then.
 */
import { z } from "zod";
import type { AlertSeverity, BurnAlert } from "../slo/burn-rate.ts";
import type { ExhaustionForecast } from "../slo/forecast.ts";
import type { SloWindow } from "../slo/windows.ts";
import type { NoticeBurn } from "./channels/notice.ts";

const BURN_SLIS = ["availability", "latency"] as const;
type BurnSli = (typeof BURN_SLIS)[number];
export type BurnSeverity = "ok" | AlertSeverity;

const RANK: Readonly<Record<BurnSeverity, number>> = { ok: 0, ticket: 1, page: 2 };

interface BurnSliState {
  /** The alert state at the last evaluation. */
  severity: BurnSeverity;
  /** The highest severity announced in the current episode; "ok" when nothing is announced. */
  announced: BurnSeverity;
  /** The slot the announced severity was first seen (part of its key); null while "ok". */
  since: number | null;
  /** The slot the episode began (its first announcement); null while "ok". */
  episodeStartedAt: number | null;
}

/** The no-data alert: announced when every region fell silent, until a run is stored again. */
interface SilenceState {
  /** The slot the silence was announced; null while runs arrive. */
  since: number | null;
}

/** Stored as JSON in probe_states under `burn:<probeId>`. */
export interface BurnState {
  lastSlot: number | null;
  availability: BurnSliState;
  latency: BurnSliState;
  /** Absent in states stored before the no-data alert: read as not silent. */
  silence?: SilenceState;
}

const BurnSeveritySchema = z.enum(["ok", "ticket", "page"]);
const BurnSliStateSchema = z.object({
  severity: BurnSeveritySchema,
  announced: BurnSeveritySchema,
  since: z.number().nullable(),
  episodeStartedAt: z.number().nullable(),
});

/** A stored BurnState, checked when it is read back. */
export const BurnStateSchema: z.ZodType<BurnState> = z.object({
  lastSlot: z.number().nullable(),
  availability: BurnSliStateSchema,
  latency: BurnSliStateSchema,
  silence: z.object({ since: z.number().nullable() }).optional(),
});

/** What the step needs of an SLI report (slo/report.ts SliReport fits). */
export interface BurnSliInput {
  alert: BurnAlert;
  budget: { remainingFraction: number | null };
  forecast: ExhaustionForecast;
}

/** What the step needs of a probe's SLO report (slo/report.ts SloReport fits). */
export interface BurnReportInput {
  window: SloWindow;
  availability: BurnSliInput;
  /** null when the probe has no latency objective. */
  latency: BurnSliInput | null;
  /** null when the no-data alert is off for the probe. */
  silence?: { silent: boolean; lookbackMs: number } | null;
}

interface BurnEvaluation {
  /** The evaluated slot (epoch ms). */
  slotAt: number;
  inMaintenance: boolean;
  report: BurnReportInput;
}

export interface BurnNotify {
  kind: "notify";
  probeId: string;
  sli: BurnSli;
  transition: "burn" | "burn-resolved";
  /** `<probeId>-burn-<sli>-<severity>-<since>`: the outbox dedupe subject. */
  key: string;
  /** The announced severity (on burn-resolved: the one that ends). */
  severity: AlertSeverity;
  /** When the announced severity started. */
  since: number;
  /** When the episode started (its first notice). */
  episodeStartedAt: number;
  at: number;
  burn: NoticeBurn;
}

/** The no-data alert's notices. */
export interface SilenceNotify {
  kind: "silence";
  probeId: string;
  transition: "no-data" | "no-data-resolved";
  /** `<probeId>-no-data-<since>`: the outbox dedupe subject. */
  key: string;
  since: number;
  at: number;
  lookbackMs: number;
}

interface BurnStepResult {
  next: BurnState;
  effects: (BurnNotify | SilenceNotify)[];
}

const QUIET: BurnSliState = Object.freeze({ severity: "ok", announced: "ok", since: null, episodeStartedAt: null });

export function initialBurnState(): BurnState {
  return { lastSlot: null, availability: { ...QUIET }, latency: { ...QUIET } };
}

/** The probe_states key of a probe's burn state; a colon never occurs in a probe id. */
export function burnStateKey(probeId: string): string {
  return `burn:${probeId}`;
}

export function burnKey(probeId: string, sli: BurnSli, severity: AlertSeverity, since: number): string {
  return `${probeId}-burn-${sli}-${severity}-${since}`;
}

function burnContext(
  sli: BurnSli,
  window: SloWindow,
  input: BurnSliInput,
  severity: AlertSeverity,
  firing: boolean,
): NoticeBurn {
  const rule = firing ? input.alert.firing.find((f) => f.severity === severity) : undefined;
  return {
    severity,
    budgetRemaining: input.budget.remainingFraction,
    forecast: input.forecast,
    sli,
    window,
    rule: rule
      ? {
          long: rule.longWindow,
          short: rule.shortWindow,
          longRate: rule.long,
          shortRate: rule.short,
          threshold: rule.threshold,
        }
      : null,
  };
}

function stepSli(
  probeId: string,
  sli: BurnSli,
  prev: BurnSliState,
  input: BurnSliInput | null,
  window: SloWindow,
  t: number,
  effects: BurnNotify[],
): BurnSliState {
  // No objective for this SLI (any more): forget the episode quietly, there is nothing to measure.
  if (input === null) return prev.severity === "ok" && prev.announced === "ok" ? prev : { ...QUIET };
  const current: BurnSeverity = input.alert.state;
  if (current !== "ok" && RANK[current] > RANK[prev.announced]) {
    const episodeStartedAt = prev.episodeStartedAt ?? t;
    effects.push({
      kind: "notify",
      probeId,
      sli,
      transition: "burn",
      key: burnKey(probeId, sli, current, t),
      severity: current,
      since: t,
      episodeStartedAt,
      at: t,
      burn: burnContext(sli, window, input, current, true),
    });
    return { severity: current, announced: current, since: t, episodeStartedAt };
  }
  if (current === "ok" && prev.announced !== "ok") {
    const since = prev.since ?? t;
    effects.push({
      kind: "notify",
      probeId,
      sli,
      transition: "burn-resolved",
      key: burnKey(probeId, sli, prev.announced, since),
      severity: prev.announced,
      since,
      episodeStartedAt: prev.episodeStartedAt ?? since,
      at: t,
      burn: burnContext(sli, window, input, prev.announced, false),
    });
    return { ...QUIET };
  }
  return current === prev.severity ? prev : { ...prev, severity: current };
}

/**
 * One evaluation of one probe's burn alerts.
 *
 * @example
 * const { next, effects } = stepBurn("shop", initialBurnState(), { slotAt: t, inMaintenance: false, report });
 * // report.availability.alert.state "page" → [{ transition: "burn", key: `shop-burn-availability-page-${t}`, burn: { budgetRemaining, forecast, rule, ... } }]
 */
export function stepBurn(probeId: string, prev: BurnState, evaluation: BurnEvaluation): BurnStepResult {
  const t = evaluation.slotAt;
  if (!Number.isFinite(t)) throw new RangeError(`slotAt must be a time in epoch ms, got ${t}`);
  if (prev.lastSlot !== null && t <= prev.lastSlot) return { next: prev, effects: [] };
  if (evaluation.inMaintenance) return { next: { ...prev, lastSlot: t }, effects: [] };
  const effects: (BurnNotify | SilenceNotify)[] = [];
  const burns: BurnNotify[] = [];
  const { report } = evaluation;
  const availability = stepSli(
    probeId,
    "availability",
    prev.availability,
    report.availability,
    report.window,
    t,
    burns,
  );
  const latency = stepSli(probeId, "latency", prev.latency, report.latency, report.window, t, burns);
  effects.push(...burns);
  const silence = stepSilence(probeId, prev.silence ?? { since: null }, report.silence ?? null, t, effects);
  return {
    next: {
      lastSlot: t,
      availability,
      latency,
      ...(silence.since === null && prev.silence === undefined ? {} : { silence }),
    },
    effects,
  };
}

/** One notice when every region falls silent, one when runs come back; nothing while it lasts. */
function stepSilence(
  probeId: string,
  prev: SilenceState,
  input: { silent: boolean; lookbackMs: number } | null,
  t: number,
  effects: (BurnNotify | SilenceNotify)[],
): SilenceState {
  const silent = input?.silent ?? false;
  if (silent && prev.since === null) {
    effects.push({
      kind: "silence",
      probeId,
      transition: "no-data",
      key: `${probeId}-no-data-${t}`,
      since: t,
      at: t,
      lookbackMs: input!.lookbackMs,
    });
    return { since: t };
  }
  if (!silent && prev.since !== null) {
    effects.push({
      kind: "silence",
      probeId,
      transition: "no-data-resolved",
      key: `${probeId}-no-data-${prev.since}`,
      since: prev.since,
      at: t,
      lookbackMs: input?.lookbackMs ?? 0,
    });
    return { since: null };
  }
  return prev;
}
