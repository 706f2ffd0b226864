/**
 * Concrete occurrences of maintenance schedules: one-off windows, and recurring ones whose
 * start times are a five-field cron read on the wall clock of an IANA time zone
 * ("0 2 * * SUN" in Europe/Berlin is 02:00 Berlin time every Sunday, whatever the UTC offset).
 *
 * Daylight-saving time, resolved as RFC 5545 (iCalendar) and Temporal's "compatible" mode do:
 * - A start in the spring-forward gap (02:30 on a day that jumps from 02:00 to 03:00) does not
 *   exist; it happens that much later on the clock (03:30), i.e. at the same distance from the
 *   previous midnight. "0 2 * * SUN" on the day of the change starts at 03:00, the instant the
 *   clocks jump: the maintenance is not skipped.
 * - A start in the repeated autumn hour happens once, at the first of the two instants (the
 *   earlier offset). The duration is real elapsed time either way.
 *
 * Cancelling stops the schedule at `cancelledAt`: occurrences starting later are dropped and one
 * in progress ends then. Past windows stay, so history (SLO exclusions) does not change when a
 * finished maintenance is cancelled. A maintenance whose schedule cannot be read (a bad cron or
 * time zone that slipped past validation) yields no windows rather than throwing: a broken row
 * must not stop the incident step of every probe. Validate at the edge with
 * maintenanceScheduleProblems.
 *
 * Overlapping occurrences of one recurring schedule are returned as they are (not merged).
 */
import { cronMatches, parseCron, type Cron } from "../schedule/cron.ts";
import { MAX_ONCE_DURATION_MS, type Maintenance, type MaintenanceSchedule, type MaintenanceWindow } from "./model.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../time.ts";

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formats.set(timeZone, f);
  }
  return f;
}

/** Is `timeZone` an IANA zone this runtime knows? */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's UTC offset at `instant` (ms, positive east of Greenwich): wall clock minus UTC.
 *
 * @example zoneOffsetMs(Date.UTC(2025, 6, 1), "Europe/Berlin") // 7_200_000 (CEST, +02:00)
 */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const seconds = Math.floor(instant / 1000) * 1000;
  const parts = formatFor(timeZone).formatToParts(seconds);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? NaN);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - seconds;
}

/**
 * The instant of a wall-clock time in `timeZone`. `wall` is the wall-clock time written as if it
 * were UTC (Date.UTC(2025, 2, 30, 2, 0) for 02:00 on 30 March). Gaps move later by the gap's
 * length; a repeated time takes its first instant.
 *
 * @example
 * wallClockToInstant(Date.UTC(2025, 2, 30, 2, 30), "Europe/Berlin") // Date.UTC(2025, 2, 30, 1, 30): 03:30 CEST
 * wallClockToInstant(Date.UTC(2025, 9, 26, 2, 30), "Europe/Berlin") // Date.UTC(2025, 9, 26, 0, 30): 02:30 CEST, the first
 */
export function wallClockToInstant(wall: number, timeZone: string): number {
  // The offsets a day either side bracket any single transition near `wall`.
  const before = zoneOffsetMs(wall - DAY_MS, timeZone);
  const after = zoneOffsetMs(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after]
    .filter((t) => t + zoneOffsetMs(t, timeZone) === wall)
    .sort((a, b) => a - b);
  // No instant shows this wall time: a gap. Read it with the offset before the gap.
  return candidates[0] ?? wall - before;
}

interface ParsedRecurring {
  cron: Cron;
  hours: number[];
  minutes: number[];
  durationMs: number;
  timeZone: string;
}

function parseRecurring(schedule: Extract<MaintenanceSchedule, { kind: "recurring" }>): ParsedRecurring | null {
  try {
    if (!isValidTimeZone(schedule.timeZone)) return null;
    const cron = parseCron(schedule.cron);
    const sorted = (s: Set<number> | undefined) => [...(s ?? [])].sort((a, b) => a - b);
    return {
      cron,
      minutes: sorted(cron.sets[0]),
      hours: sorted(cron.sets[1]),
      durationMs: schedule.durationMinutes * MINUTE_MS,
      timeZone: schedule.timeZone,
    };
  } catch {
    return null;
  }
}

/** Start instants of a recurring schedule in [from, to), ascending and distinct. */
function recurringStarts(r: ParsedRecurring, from: number, to: number): number[] {
  const firstHour = r.hours[0];
  const firstMinute = r.minutes[0];
  if (firstHour === undefined || firstMinute === undefined) return [];
  const starts = new Set<number>();
  // Offsets are within [-12 h, +14 h] and a gap shifts a start by at most a day (Samoa, 2011):
  // two days of margin on each side of the wall-clock days, then filter by instant.
  const firstDay = Math.floor(from / DAY_MS) * DAY_MS - 2 * DAY_MS;
  for (let day = firstDay; day < to + 2 * DAY_MS; day += DAY_MS) {
    // The first hour and minute of the cron always match, so this asks about the date alone.
    if (!cronMatches(r.cron, day + firstHour * HOUR_MS + firstMinute * MINUTE_MS)) continue;
    // One offset for the whole day unless a transition is near; then resolve each time.
    const offset = zoneOffsetMs(day - DAY_MS, r.timeZone);
    const steady = offset === zoneOffsetMs(day + 2 * DAY_MS, r.timeZone);
    for (const h of r.hours) {
      for (const m of r.minutes) {
        const wall = day + h * HOUR_MS + m * MINUTE_MS;
        const start = steady ? wall - offset : wallClockToInstant(wall, r.timeZone);
        if (start >= from && start < to) starts.add(start);
      }
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/**
 * The windows of one maintenance that overlap [from, to), ascending by start.
 *
 * @example
 * maintenanceWindowsOf({ id: "m1", schedule: { kind: "recurring", cron: "0 2 * * SUN", durationMinutes: 60, timeZone: "Europe/Berlin" }, … },
 *   Date.UTC(2025, 2, 28), Date.UTC(2025, 2, 31))
 * // [{ maintenanceId: "m1", startsAt: Date.UTC(2025, 2, 30, 1), endsAt: Date.UTC(2025, 2, 30, 2) }]
 */
export function maintenanceWindowsOf(maintenance: Maintenance, from: number, to: number): MaintenanceWindow[] {
  if (!(to > from)) return [];
  const cancelledAt = maintenance.cancelledAt ?? Infinity;
  const cut = (startsAt: number, endsAt: number): MaintenanceWindow | null => {
    const end = Math.min(endsAt, cancelledAt);
    return startsAt < end && startsAt < to && end > from
      ? { maintenanceId: maintenance.id, startsAt, endsAt: end }
      : null;
  };
  const s = maintenance.schedule;
  if (s.kind === "once") {
    const w = cut(s.startsAt, s.endsAt);
    return w ? [w] : [];
  }
  const r = parseRecurring(s);
  if (!r) return [];
  // A window overlapping [from, to) started after from − duration. A recurring schedule has no
  // occurrences that ended before it was created: it cannot rewrite the past (SLO exclusions,
  // the page's history), and a year of past starts is not expanded for nothing.
  const earliest = Math.max(from, maintenance.createdAt + 1) - r.durationMs;
  return recurringStarts(r, earliest, to).flatMap((start) => cut(start, start + r.durationMs) ?? []);
}

/** Is the probe covered by a maintenance window at `at`? */
export function isInMaintenance(probeId: string, maintenances: readonly Maintenance[], at: number): boolean {
  return maintenances.some((m) => m.probeIds.includes(probeId) && maintenanceWindowsOf(m, at, at + 1).length > 0);
}

/**
 * What is wrong with a schedule beyond its zod shape (a cron that does not parse, an unknown
 * time zone, an end before the start), with the field path; empty when it is fine.
 *
 * @example
 * maintenanceScheduleProblems({ kind: "recurring", cron: "0 25 * * *", durationMinutes: 30, timeZone: "Mars/Olympus" })
 * // [{ path: "schedule.cron", message: "'25' is not a valid hour (0-23)" }, { path: "schedule.timeZone", message: … }]
 */
export function maintenanceScheduleProblems(schedule: MaintenanceSchedule): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (schedule.kind === "once") {
    if (!(schedule.endsAt > schedule.startsAt))
      problems.push({ path: "schedule.endsAt", message: "must be after startsAt" });
    else if (schedule.endsAt - schedule.startsAt > MAX_ONCE_DURATION_MS)
      problems.push({
        path: "schedule.endsAt",
        message: "at most 366 days after startsAt; schedule a recurring window for longer",
      });
    return problems;
  }
  try {
    parseCron(schedule.cron);
  } catch (e) {
    problems.push({ path: "schedule.cron", message: e instanceof Error ? e.message : String(e) });
  }
  if (!isValidTimeZone(schedule.timeZone))
    problems.push({
      path: "schedule.timeZone",
      message: `'${schedule.timeZone}' is not a known IANA time zone, e.g. Europe/Berlin`,
    });
  return problems;
}
