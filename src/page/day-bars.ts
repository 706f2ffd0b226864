/**
 * What the page shows, built from what the loaders read. Pure: no I/O and no clock (the loader
 * passes `now`), so every rule here is tested without a Worker.
 *
 * Rules worth knowing:
 * - Days are UTC days, the buckets of the daily rollups. A day without a judged run is grey,
 *   never green: no run was stored ("no data"), or every run was in a maintenance window
 *   excluded from SLOs (its tooltip says so). A day with judged runs is coloured by its
 *   availability (up and degraded runs are good, as in the SLOs; maintenance runs are neither
 *   good nor bad) against the probe's objective. Regions are merged: the loader hands over day
 *   totals.
 * - Availability over 90 days leaves out the time without data (the probe may be younger than
 *   90 days); the tooltip of each day says how many expected runs are missing.
 * - Latencies are upper bounds of the histogram bucket (never below the truth, at most 26 % above).
 * - A probe under an active maintenance window shows "maintenance", and does not count towards
 *   an outage in the banner.
 */
import type { Impact } from "../incidents/model.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import { expectedRunsPerRegion } from "../slo/coverage.ts";
import { dayAvailability, HISTORY_DAYS, type DayTotals } from "../status/day-totals.ts";
import { DAY_MS } from "../time.ts";
import { type IncidentView, IMPACT_RANK } from "./notices-view.ts";

/** Days in the uptime bars, today included: the days a day history holds. */
export const BAR_DAYS = HISTORY_DAYS;
/** A day under this availability is a major problem, whatever the objective. */
const MAJOR_BELOW = 0.9;
export type DayLevel = "ok" | "minor" | "major" | "none";

/**
 * A bar's levels as one character per day, oldest first (`DayCodes`): what the status board
 * stores and the status page draws, so a 90-day bar is one short string from the row to the
 * HTML, never 90 values.
 */
export const LEVEL_CODE: Readonly<Record<DayLevel, string>> = { ok: "o", minor: "m", major: "M", none: "-" };
/** One LEVEL_CODE character per day of a bar, oldest first. */
export type DayCodes = string;
const CODES: ReadonlySet<string> = new Set(Object.values(LEVEL_CODE));

/** The codes of these days' levels. */
export function dayCodesOf(days: readonly Pick<DaySegment, "level">[]): DayCodes {
  let codes = "";
  for (const d of days) codes += LEVEL_CODE[d.level];
  return codes;
}

/** Whether `codes` is a whole bar: BAR_DAYS level codes. */
export function isBarCodes(codes: unknown): codes is DayCodes {
  if (typeof codes !== "string" || codes.length !== HISTORY_DAYS) return false;
  for (let i = 0; i < codes.length; i++) if (!CODES.has(codes[i]!)) return false;
  return true;
}

export interface DaySegment {
  /** Start of the UTC day, epoch ms. */
  dayAt: number;
  /** Versions released that day (probe page only; src/releases/). */
  releases?: string[];
  runs: number;
  up: number;
  degraded: number;
  down: number;
  /** Runs in a maintenance window excluded from SLOs: stored, but neither good nor bad. */
  maintenance: number;
  /** Expected runs without a stored result (up to now for today). */
  missing: number;
  /** (up + degraded) / (up + degraded + down); null without such runs. */
  availability: number | null;
  /** Median run time over every region (bucket upper bound), null without a timed run. */
  medianMs: number | null;
  level: DayLevel;
  worstIncident: { id: string; title: string; impact: Impact } | null;
}

function dayLevel(availability: number | null, objective: number): DayLevel {
  if (availability === null) return "none";
  if (availability >= objective) return "ok";
  return availability < MAJOR_BELOW ? "major" : "minor";
}

/** The first day of the bars: BAR_DAYS UTC days ending with today. */
export function barsFrom(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS - (BAR_DAYS - 1) * DAY_MS;
}

/**
 * One segment per UTC day, oldest first, from the probe's day totals (regions merged), the
 * incidents touching it, and the schedule (for the missing runs).
 */
export function dayBars(
  loaded: LoadedProbe,
  totals: readonly DayTotals[],
  incidents: readonly IncidentView[],
  now: number,
): DaySegment[] {
  const from = barsFrom(now);
  const byDay: (DayTotals | undefined)[] = new Array(BAR_DAYS);
  for (const t of totals) {
    const i = (t.dayAt - from) / DAY_MS;
    if (i >= 0 && i < BAR_DAYS && Number.isInteger(i)) byDay[i] = t;
  }
  const regions = loaded.probe.regions.length;
  const objective = loaded.probe.slo.availability;
  // Every schedule's interval divides a day, so each whole UTC day expects the same runs.
  const wholeDay = expectedRunsPerRegion(loaded, from, from + DAY_MS) * regions;
  return Array.from({ length: BAR_DAYS }, (_, i): DaySegment => {
    const dayAt = from + i * DAY_MS;
    const d = byDay[i];
    const end = Math.min(dayAt + DAY_MS, now + 1);
    const expected =
      end === dayAt + DAY_MS ? wholeDay : end > dayAt ? expectedRunsPerRegion(loaded, dayAt, end) * regions : 0;
    const runs = d?.total ?? 0;
    const availability = d ? dayAvailability(d) : null;
    let worst: DaySegment["worstIncident"] = null;
    for (const incident of incidents) {
      const until = incident.resolvedAt ?? now;
      if (
        incident.startedAt < dayAt + DAY_MS &&
        until >= dayAt &&
        (worst === null || IMPACT_RANK[incident.impact] > IMPACT_RANK[worst.impact])
      ) {
        worst = { id: incident.id, title: incident.title, impact: incident.impact };
      }
    }
    return {
      dayAt,
      runs,
      up: d?.up ?? 0,
      degraded: d?.degraded ?? 0,
      down: d?.down ?? 0,
      maintenance: d?.maintenance ?? 0,
      missing: Math.max(0, expected - runs),
      availability,
      medianMs: d?.medianMs ?? null,
      level: dayLevel(availability, objective),
      worstIncident: worst,
    };
  });
}

/** Good runs over judged runs of the days (maintenance runs left out); null without any. */
export function availabilityOf(days: readonly Pick<DaySegment, "up" | "degraded" | "down">[]): number | null {
  const sum = { up: 0, degraded: 0, down: 0 };
  for (const d of days) {
    sum.up += d.up;
    sum.degraded += d.degraded;
    sum.down += d.down;
  }
  return dayAvailability(sum);
}
