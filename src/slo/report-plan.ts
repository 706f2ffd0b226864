/**
 * What an SLO report of a probe reads, decided before reading: the hours whose minute entries it
 * needs (the first and last hour of every span it counts), the spans of hourly rollups and the
 * whole days of daily rollups. The loader (queries/slo.ts) reads exactly this; the ledger
 * (ledger.ts) counts from it and throws when a span needs rows that were not planned, so the two
 * cannot drift apart silently.
 */
import { durationMs } from "../probe/schema.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import { intervalMinutes } from "../schedule/plan.ts";
import { ceilTo, DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from "../time.ts";
import { burnAlertConfigOf, burnLookbacksOf } from "./burn-rate.ts";
import type { LoadedSpans } from "./ledger.ts";
import { resolveWindow, type SloWindow, type Span } from "./windows.ts";

/** Days of daily quantiles the latency trend fits. */
export const TREND_DAYS = 14;
/** The forecast's lookback: bad events per hour over the last 6 hours. */
export const FORECAST_LOOKBACK = "6h";
/** The default silence before the no-data alert: 3 runs missed, and at least this long. */
const MIN_SILENCE_MS = 15 * MINUTE_MS;

/** How long every region of a probe must store nothing before the no-data alert; null: never. */
export function silenceLookbackMs(probe: LoadedProbe): number | null {
  const setting = probe.probe.slo.alerting?.noDataAfter;
  if (setting === false) return null;
  if (setting !== undefined) return durationMs(setting);
  return Math.max(MIN_SILENCE_MS, 3 * intervalMinutes(probe) * MINUTE_MS);
}

/** Timeslice length of a probe's SLO (default one hour). */
export function sliceMsOf(probe: LoadedProbe): number {
  return durationMs(probe.probe.slo.timeslices?.slice ?? "1h");
}

interface PlanInput {
  probe: LoadedProbe;
  /** Every SLO window the probe is reported over (its own, and a group's). */
  windows: readonly SloWindow[];
  /** Burn-rate lookbacks to count, beyond the probe's own rules (a group's). */
  extraLookbacks?: readonly string[];
  /** Lookbacks in ms beyond those (a group's longest silence). */
  extraLookbacksMs?: readonly number[];
  /** The slice length the probe is counted in, when a group's differs from its own. */
  sliceMs?: number;
  budgeting: "occurrences" | "timeslices";
  now: number;
  /** Raw retention: minute entries older than this are gone. */
  rawRetentionMs: number;
}

/** The lookbacks counted for a probe: its alert rules', the forecast's and the silence check's. */
function lookbacksOf(probe: LoadedProbe, extra: readonly string[] = []): number[] {
  const rules = burnLookbacksOf(burnAlertConfigOf(probe.probe.slo.alerting)).map(durationMs);
  const silence = silenceLookbackMs(probe);
  return [
    ...new Set([
      ...rules,
      ...extra.map(durationMs),
      durationMs(FORECAST_LOOKBACK),
      ...(silence === null ? [] : [silence]),
    ]),
  ];
}

/** The rows to read for one probe's reports at `now`. */
export function planReads(input: PlanInput): LoadedSpans {
  const { now } = input;
  const minuteFrom = floorTo(now - input.rawRetentionMs, HOUR_MS) + HOUR_MS;
  const lookbacks = [
    ...new Set([...lookbacksOf(input.probe, input.extraLookbacks), ...(input.extraLookbacksMs ?? [])]),
  ];
  const windowSpans = input.windows.map((w) => resolveWindow(w, now));
  const spans: Span[] = [...windowSpans, ...lookbacks.map((ms) => ({ from: now - ms, to: now }))];
  const minuteHours = new Set<number>();
  for (const s of spans) {
    if (s.from % HOUR_MS !== 0 && floorTo(s.from, HOUR_MS) >= minuteFrom) minuteHours.add(floorTo(s.from, HOUR_MS));
    if (s.to % HOUR_MS !== 0) minuteHours.add(floorTo(s.to, HOUR_MS));
  }
  const today = floorTo(now, DAY_MS);
  const hourSpans: Span[] = [{ from: floorTo(now - Math.max(...lookbacks), HOUR_MS), to: now }];
  const sliceHours =
    input.budgeting === "timeslices" && Math.min(sliceMsOf(input.probe), input.sliceMs ?? Infinity) < DAY_MS;
  for (const s of windowSpans) {
    const bodyFrom = ceilTo(s.from, HOUR_MS);
    // Timeslices shorter than a day need every hour; otherwise only the partial first and last days.
    hourSpans.push(
      sliceHours ? { from: bodyFrom, to: now } : { from: bodyFrom, to: Math.min(now, ceilTo(bodyFrom, DAY_MS)) },
    );
    hourSpans.push({ from: Math.max(bodyFrom, today), to: now });
  }
  const dayFrom = Math.min(today - TREND_DAYS * DAY_MS, ...windowSpans.map((s) => ceilTo(s.from, DAY_MS)));
  return {
    minuteHours,
    minuteFrom,
    hourSpans: mergeSpans(hourSpans),
    daySpan: dayFrom < today ? { from: dayFrom, to: today } : null,
  };
}

/** Overlapping or touching spans merged, in order. */
function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else out.push({ ...s });
  }
  return out;
}
