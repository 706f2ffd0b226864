/**
 * What a badge says: label, message and color from Afterlife data. Pure; the result feeds both
 * renderBadge (SVG) and shieldsEndpoint (shields.io JSON). Routes may replace the label (e.g. with
 * the probe name); message and color carry the meaning.
 *
 * Colors are shields.io named colors, so the same value works in the SVG and at shields.io.
 */

type BadgeColor = "brightgreen" | "green" | "yellowgreen" | "yellow" | "orange" | "red" | "blue" | "lightgrey";

export interface BadgeContent {
  label: string;
  message: string;
  color: BadgeColor;
}

/** A probe's state as the status page shows it (same values as ProbeState in src/status/overview.ts). */
export type BadgeProbeState = "up" | "degraded" | "regional" | "down" | "no-data";

const STATUS_LABEL = "status";
const LATENCY_LABEL = "latency";
const NO_DATA = "no data";

export function statusBadge(state: BadgeProbeState): BadgeContent {
  switch (state) {
    case "up":
      return { label: STATUS_LABEL, message: "up", color: "brightgreen" };
    case "degraded":
      return { label: STATUS_LABEL, message: "degraded", color: "yellow" };
    case "regional":
      return { label: STATUS_LABEL, message: "regional issue", color: "orange" };
    case "down":
      return { label: STATUS_LABEL, message: "down", color: "red" };
    case "no-data":
      return { label: STATUS_LABEL, message: NO_DATA, color: "lightgrey" };
  }
}

/**
 * Uptime over a window, e.g. uptimeBadge(0.9995, "30d") → "uptime 30d" / "99.95%" / brightgreen.
 *
 * The percentage keeps two decimals and is truncated, never rounded up: 99.999 % shows "99.99%",
 * and "100.00%" only when (within 1e-13) nothing failed. A tiny epsilon (1e-9 of a hundredth of a
 * percent) absorbs binary floating-point error so 0.9995 is not shown as 99.94 %.
 * Colors are decided on the shown value: ≥ 99.9 % brightgreen, ≥ 99 % green, ≥ 95 % yellow,
 * else red. A ratio outside 0..1 is clamped; null or NaN is "no data", lightgrey.
 */
export function uptimeBadge(ratio: number | null, windowLabel: string): BadgeContent {
  const label = windowLabel === "" ? "uptime" : `uptime ${windowLabel}`;
  if (ratio === null || Number.isNaN(ratio)) return { label, message: NO_DATA, color: "lightgrey" };
  const clamped = Math.min(1, Math.max(0, ratio));
  const hundredths = Math.min(10_000, Math.floor(clamped * 10_000 + 1e-9)); // percent × 100
  const message = `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, "0")}%`;
  const color: BadgeColor =
    hundredths >= 9_990 ? "brightgreen" : hundredths >= 9_900 ? "green" : hundredths >= 9_500 ? "yellow" : "red";
  return { label, message, color };
}

/**
 * Latency thresholds on the shown p95, in ms (upper bounds, inclusive): a journey of a few HTTP
 * steps from the edge is excellent under 300 ms, good under 800 ms (the repo's example latency
 * objective), acceptable under 1.5 s, slow under 3 s, and bad above.
 */
const LATENCY_THRESHOLDS_MS: readonly { maxMs: number; color: BadgeColor }[] = [
  { maxMs: 300, color: "brightgreen" },
  { maxMs: 800, color: "green" },
  { maxMs: 1_500, color: "yellow" },
  { maxMs: 3_000, color: "orange" },
];

/**
 * p95 latency, e.g. latencyBadge(123.4) → "latency" / "p95 123 ms" / brightgreen.
 * Below one second the value is rounded to whole ms ("p95 123 ms"); from 1000 ms on (after
 * rounding) it is shown in seconds with two decimals ("p95 1.23 s", "p95 65.43 s"). +Infinity
 * (the histogram's overflow bucket: slower than its largest bound) shows "p95 ∞", red.
 * Null, NaN or a negative value is "no data", lightgrey.
 */
export function latencyBadge(p95Ms: number | null): BadgeContent {
  const label = LATENCY_LABEL;
  if (p95Ms === null || Number.isNaN(p95Ms) || p95Ms < 0) return { label, message: NO_DATA, color: "lightgrey" };
  if (p95Ms === Number.POSITIVE_INFINITY) return { label, message: "p95 ∞", color: "red" };
  const ms = Math.round(p95Ms);
  const message = ms < 1_000 ? `p95 ${ms} ms` : `p95 ${(ms / 1_000).toFixed(2)} s`;
  const color = LATENCY_THRESHOLDS_MS.find((t) => ms <= t.maxMs)?.color ?? "red";
  return { label, message, color };
}
