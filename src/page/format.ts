/** Text the page shows for numbers, days and times. Pure; time zones through Intl, cached per zone. */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/** A UTC day as "20 Nov 2026" (no Intl: the bars format 90 of these per probe). */
export function formatUtcDay(dayAt: number): string {
  const d = new Date(dayAt);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/**
 * A share as a percentage that never rounds up to a better figure: 0.99996 is "99.99 %", not
 * "100.00 %"; only a share of exactly 1 shows as "100 %".
 */
export function formatPercent(share: number, digits = 2): string {
  if (share >= 1) return "100 %";
  const scale = 10 ** digits;
  const floored = Math.floor(share * 100 * scale) / scale;
  return `${floored.toFixed(digits)} %`;
}

/** An objective such as 0.999 as "99.9 %" (objectives are exact, so no flooring is needed). */
export function formatObjective(share: number): string {
  return `${Number((share * 100).toPrecision(6))} %`;
}

/** Latency: "126 ms", "1.3 s"; null is "no data"; Infinity (the overflow bucket) is "over 131 s". */
export function formatMs(ms: number | null): string {
  if (ms === null) return "no data";
  if (!Number.isFinite(ms)) return "over 131 s";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** "4,320". By hand: Number#toLocaleString builds a formatter per call, which workerd makes slow (~10 µs). */
export function formatCount(n: number): string {
  const digits = String(Math.abs(Math.round(n)));
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return n < 0 && out !== "0" ? `-${out}` : out;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, kind: "time" | "month"): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === "time"
        ? {
            timeZone,
            year: "numeric",
            month: "short",
            day: "numeric",
            hour: "2-digit",
            minute: "2-digit",
            hourCycle: "h23",
            timeZoneName: "short",
          }
        : { timeZone, year: "numeric", month: "numeric" };
    f = new Intl.DateTimeFormat("en-GB", options);
    formatters.set(key, f);
  }
  return f;
}

/** "20 Nov 2026, 14:03 CET" in the page's time zone. */
export function formatTime(at: number, timeZone: string): string {
  return formatter(timeZone, "time").format(at);
}

/** The month `at` falls in, in the page's time zone: its key ("2026-11") and label ("November 2026"). */
export function monthOf(at: number, timeZone: string): { key: string; label: string } {
  const parts = formatter(timeZone, "month").formatToParts(at);
  const year = Number(parts.find((p) => p.type === "year")?.value);
  const month = Number(parts.find((p) => p.type === "month")?.value);
  return { key: `${year}-${String(month).padStart(2, "0")}`, label: `${MONTH_NAMES[month - 1]} ${year}` };
}

/** "3 h 20 min", "2 days 4 h": how long something lasted or will last. */
export function formatDuration(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} days ${hours % 24} h` : `${days} days`;
}

/** Region codes as customers read them. */
const REGION_NAMES: Readonly<Record<string, string>> = {
  wnam: "Western North America",
  enam: "Eastern North America",
  sam: "South America",
  weur: "Western Europe",
  eeur: "Eastern Europe",
  apac: "Asia-Pacific",
  oc: "Oceania",
  afr: "Africa",
  me: "Middle East",
};

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}
