/**
 * A five-field cron matcher (minute hour day-of-month month day-of-week) as Cloudflare cron
 * triggers use them: numbers, `*`, ranges `a-b`, steps `*\/n` and `a-b/n`, lists, and month/day
 * names. Two users: the local runner fires wrangler.toml's crons on the right UTC minutes with
 * it, and recurring maintenance windows (incidents/maintenance-windows.ts) match it against
 * the wall clock of their time zone.
 */

const FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[] },
  { name: "hour", min: 0, max: 23, names: [] },
  { name: "day of month", min: 1, max: 31, names: [] },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day of week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;

class CronSyntaxError extends Error {
  override name = "CronSyntaxError";
}

export interface Cron {
  source: string;
  sets: Set<number>[];
  /** Standard cron: when both day fields are restricted, either may match. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

function parseValue(text: string, field: (typeof FIELDS)[number]): number {
  const byName = field.names.indexOf(text.toUpperCase() as never);
  const value = byName >= 0 ? byName + (field.name === "month" ? 1 : 0) : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < field.min || value > field.max) {
    throw new CronSyntaxError(`'${text}' is not a valid ${field.name} (${field.min}-${field.max})`);
  }
  return value;
}

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new CronSyntaxError(`'${part}': the step must be a positive integer`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = field.min;
      to = field.max;
    } else if (range.includes("-")) {
      const [a = "", b = ""] = range.split("-");
      from = parseValue(a, field);
      to = parseValue(b, field);
    } else {
      from = parseValue(range, field);
      to = stepText === undefined ? from : field.max;
    }
    for (let v = from; v <= to; v += step) values.add(field.name === "day of week" && v === 7 ? 0 : v);
  }
  return values;
}

export function parseCron(source: string): Cron {
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5)
    throw new CronSyntaxError(`'${source}' must have 5 fields (minute hour day-of-month month day-of-week)`);
  return {
    source,
    sets: parts.map((p, i) => parseField(p, FIELDS[i]!)),
    dayOfMonthRestricted: parts[2] !== "*",
    dayOfWeekRestricted: parts[4] !== "*",
  };
}

/** Does the cron fire in the UTC minute that contains `epochMs`? */
export function cronMatches(cron: Cron, epochMs: number): boolean {
  const d = new Date(epochMs);
  const [minutes, hours, days, months, weekdays] = cron.sets as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (!minutes.has(d.getUTCMinutes()) || !hours.has(d.getUTCHours()) || !months.has(d.getUTCMonth() + 1)) return false;
  const dom = days.has(d.getUTCDate());
  const dow = weekdays.has(d.getUTCDay());
  if (cron.dayOfMonthRestricted && cron.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}
