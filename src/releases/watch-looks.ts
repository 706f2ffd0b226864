/**
 * When the release watch looks, and how its false-alarm rate is split. Why a few planned looks
 * and not one per minute: every look at accumulating data is another chance of a false alarm.
 * The watch looks at 5, 10, 20, 40, ... minutes after the release (doubling) and at the end of
 * the window, and gives each (look, comparison) an equal share of the false-alarm rate
 * (Bonferroni). The share is conservative (the looks overlap), so the release-wide false-alarm
 * rate stays under the stated one; doubling looks keep the shares large enough that a real
 * regression is still called at the first or second look.
 */
import { MINUTE_MS } from "../time.ts";

export const FIRST_LOOK_MINUTES = 5;

/**
 * The looks of a watch of `watchMinutes`, in minutes after its start.
 *
 * @example
 * watchLooks(60) // [5, 10, 20, 40, 60]
 * watchLooks(10) // [5, 10]
 */
export function watchLooks(watchMinutes: number): number[] {
  if (!(Number.isInteger(watchMinutes) && watchMinutes >= FIRST_LOOK_MINUTES))
    throw new RangeError(
      `watchLooks: a watch lasts a whole number of minutes ≥ ${FIRST_LOOK_MINUTES}, got ${watchMinutes}`,
    );
  const looks: number[] = [];
  for (let m = FIRST_LOOK_MINUTES; m < watchMinutes; m *= 2) looks.push(m);
  looks.push(watchMinutes);
  return looks;
}

/** The first minute the watch counts: the minute after the release (a run in the release's own minute may have run before it). */
export function watchStart(releasedAt: number): number {
  return Math.ceil(releasedAt / MINUTE_MS) * MINUTE_MS;
}

/** The end of the watch (exclusive): its last run is the minute before. */
export function watchEnd(releasedAt: number, watchMinutes: number): number {
  return watchStart(releasedAt) + watchMinutes * MINUTE_MS;
}

/** The baseline window, [from, to): the minutes before the release's own minute. */
export function baselineWindow(releasedAt: number, baselineMinutes: number): { from: number; to: number } {
  const to = Math.floor(releasedAt / MINUTE_MS) * MINUTE_MS;
  return { from: to - baselineMinutes * MINUTE_MS, to };
}

/** The p-value each comparison must be under at each look: the false-alarm rate split evenly. */
export function perTestThreshold(falseAlarmRate: number, looks: number, comparisons: number): number {
  if (!(falseAlarmRate > 0 && falseAlarmRate < 1))
    throw new RangeError(`perTestThreshold: the false-alarm rate is in (0, 1), got ${falseAlarmRate}`);
  if (!(looks >= 1 && comparisons >= 1))
    throw new RangeError(`perTestThreshold: looks and comparisons must be ≥ 1, got ${looks} and ${comparisons}`);
  return falseAlarmRate / (looks * comparisons);
}
