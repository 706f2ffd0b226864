/**
 * The judgement of one heartbeat at one tick: pure, with time passed in. The tick judges what
 * happened in [from, slotAt): the pings that arrived and the deadlines that passed. It gives at
 * most one outcome, stored as the heartbeat's run at the tick's slot, so each expected period is
 * one SLO event: a success ping is good; a missed period, a /fail and a /start without a success
 * within the grace are bad. Before the first ping there is nothing to judge: no data, not down.
 *
 * Deadlines follow healthchecks.io: after the last finished job (success or fail) at A, a success
 * is due by A + period + grace, and each further period without one is one more missed period.
 * A /start at S with no success or fail after it is a failed run at S + grace.
 */

interface HeartbeatTiming {
  periodMs: number;
  graceMs: number;
}

/** The newest ping of each kind (epoch ms), null when there never was one. */
export interface HeartbeatPings {
  lastSuccessAt: number | null;
  lastStartAt: number | null;
  lastFailAt: number | null;
}

type HeartbeatReason = "success" | "fail" | "missed" | "run-too-long";

export interface HeartbeatJudgement {
  status: "up" | "down";
  reason: HeartbeatReason;
  /** When it happened: the ping, or the deadline that passed. */
  at: number;
}

const max = (...values: (number | null)[]): number | null =>
  values.reduce<number | null>((m, v) => (v === null ? m : m === null || v > m ? v : m), null);

/** The first missed-period deadline at or after `from` (null before the first finished job). */
function nextDeadline(timing: HeartbeatTiming, pings: HeartbeatPings, from: number): number | null {
  const anchor = max(pings.lastSuccessAt, pings.lastFailAt);
  if (anchor === null) return null;
  const first = anchor + timing.periodMs + timing.graceMs;
  if (first >= from) return first;
  return first + Math.ceil((from - first) / timing.periodMs) * timing.periodMs;
}

/**
 * What happened in [from, to): the latest event wins (one outcome per tick), or null when
 * nothing did (or nothing ever did: no data).
 */
export function judgeHeartbeat(
  timing: HeartbeatTiming,
  pings: HeartbeatPings,
  from: number,
  to: number,
): HeartbeatJudgement | null {
  const inWindow = (t: number | null): t is number => t !== null && t >= from && t < to;
  const events: HeartbeatJudgement[] = [];
  if (inWindow(pings.lastSuccessAt)) events.push({ status: "up", reason: "success", at: pings.lastSuccessAt });
  if (inWindow(pings.lastFailAt)) events.push({ status: "down", reason: "fail", at: pings.lastFailAt });
  const finished = max(pings.lastSuccessAt, pings.lastFailAt);
  if (pings.lastStartAt !== null && (finished === null || pings.lastStartAt > finished)) {
    const tooLong = pings.lastStartAt + timing.graceMs;
    if (inWindow(tooLong)) events.push({ status: "down", reason: "run-too-long", at: tooLong });
  }
  const deadline = nextDeadline(timing, pings, from);
  // A job that started is running: its own grace decides, not the period's deadline.
  const running =
    pings.lastStartAt !== null &&
    (finished === null || pings.lastStartAt > finished) &&
    deadline !== null &&
    pings.lastStartAt + timing.graceMs > deadline;
  if (inWindow(deadline) && !running) events.push({ status: "down", reason: "missed", at: deadline });
  return events.reduce<HeartbeatJudgement | null>(
    (latest, e) => (latest === null || e.at >= latest.at ? e : latest),
    null,
  );
}
