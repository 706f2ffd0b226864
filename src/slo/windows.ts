/**
 * SLO windows: which span of time an SLO is judged over.
 *
 * A rolling window of duration d at time `now` is exactly [now − d, now): the runs whose slot is
 * in it count, counted run by run at both ends and from rollups in between (ledger.ts). "The last
 * hour" at 10:27 is 09:27–10:27, at any minute, so the Workbook's rules hold as written. Where the
 * first hour of a window is past raw retention (30- and 90-day windows), the window starts at the
 * next hour, and the report says so.
 *
 * The calendar month is the UTC month holding `now`, from its first instant to now.
 */
import type { z } from "zod";
import type { SloSchema } from "../probe/schema.ts";
import { ceilTo, DAY_MS, floorTo, HOUR_MS } from "../time.ts";

/** "1h" | "24h" | "7d" | "30d" | "90d" | "month", as a probe's `slo.window` allows. */
export type SloWindow = z.infer<typeof SloSchema>["window"];

/** A half-open span of time [from, to), epoch ms. */
export interface Span {
  from: number;
  to: number;
}

/** Duration of each rolling window; the calendar month has none of its own (see windowLengthMs). */
const ROLLING_WINDOW_MS: Readonly<Record<Exclude<SloWindow, "month">, number>> = Object.freeze({
  "1h": HOUR_MS,
  "24h": 24 * HOUR_MS,
  "7d": 7 * DAY_MS,
  "30d": 30 * DAY_MS,
  "90d": 90 * DAY_MS,
});

function assertTime(t: number, name: string): void {
  if (!Number.isFinite(t)) throw new RangeError(`${name} must be a time in epoch ms, got ${t}`);
}

function monthStart(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * The span an SLO window covers at `now`.
 *
 * @example
 * resolveWindow("1h", Date.UTC(2026, 0, 15, 10, 37)) // { from: 09:37, to: 10:37 } (UTC)
 * resolveWindow("month", Date.UTC(2026, 0, 15, 10, 37)) // { from: Jan 1 00:00, to: 10:37 }
 */
export function resolveWindow(window: SloWindow, now: number): Span {
  assertTime(now, "now");
  if (window === "month") return { from: monthStart(now), to: now };
  return { from: now - ROLLING_WINDOW_MS[window], to: now };
}

/** [now − lookback, now). */
export function lookbackSpan(now: number, lookbackMs: number): Span {
  assertTime(now, "now");
  if (!(Number.isFinite(lookbackMs) && lookbackMs > 0))
    throw new RangeError(`lookbackMs must be a positive duration, got ${lookbackMs}`);
  return { from: now - lookbackMs, to: now };
}

/**
 * The nominal length of a window, for turning a burn rate into a share of the budget
 * (share = burn rate × lookback / window length). The calendar month is its full length
 * (28 to 31 days), not the part elapsed so far, because the budget is for the whole month.
 */
export function windowLengthMs(window: SloWindow, now: number): number {
  assertTime(now, "now");
  if (window !== "month") return ROLLING_WINDOW_MS[window];
  const start = monthStart(now);
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - start;
}

/** The whole UTC days inside [from, to), or null when it holds none. */
export function wholeDays(span: Span): Span | null {
  const from = ceilTo(span.from, DAY_MS);
  const to = floorTo(span.to, DAY_MS);
  return to - from >= DAY_MS ? { from, to } : null;
}

/**
 * Consecutive slices of `sliceMs` aligned to multiples of it (UTC), clipped to [from, to): the
 * first and last may be partial.
 */
export function slicesOf(span: Span, sliceMs: number): Span[] {
  if (!(Number.isFinite(sliceMs) && sliceMs > 0))
    throw new RangeError(`sliceMs must be a positive duration, got ${sliceMs}`);
  const out: Span[] = [];
  for (let start = floorTo(span.from, sliceMs); start < span.to; start += sliceMs) {
    out.push({ from: Math.max(start, span.from), to: Math.min(start + sliceMs, span.to) });
  }
  return out;
}
