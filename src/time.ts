/** Durations in milliseconds, the unit every time in Afterlife is kept in (epoch ms, UTC). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** `t` rounded down to a multiple of `unit` (epoch ms: the start of its hour, day, slice). */
export const floorTo = (t: number, unit: number): number => Math.floor(t / unit) * unit;

/** `t` rounded up to a multiple of `unit`. */
export const ceilTo = (t: number, unit: number): number => Math.ceil(t / unit) * unit;
