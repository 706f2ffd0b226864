/** Durations in milliseconds, the unit every time in Afterlife is kept in (epoch ms, UTC). */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
