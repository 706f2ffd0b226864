/**
 * The release watch's verdict: pure, from the runs of the watched (probe, region) pairs and the
 * time. For each planned look reached (watch-looks.ts), every pair is compared after vs before
 * on two measures:
 * - availability: the share of failed runs, Fisher's exact test (fisher-exact.ts);
 * - latency: the durations of passing runs as histograms, Mann–Whitney on the bucket counts
 *   (mann-whitney.ts).
 * A comparison is a regression when its p-value is under the look's share of the false-alarm
 * rate AND the change is at least the minimum effect: a significant but tiny slowdown (or one
 * within a histogram bucket's error) is not worth a rollback. The first look with a regression
 * gives `regressed` at once; at the end of the window the verdict is `healthy` when every pair
 * had enough runs on both sides, `inconclusive` otherwise. Runs in maintenance and failures on
 * the monitoring side are left out: they say nothing about the release.
 */
import { BUCKET_BOUNDS_MS, bucketIndex, emptyHistogram } from "../slo/latency-histogram.ts";
import { MINUTE_MS } from "../time.ts";
import { fisherGreater } from "./fisher-exact.ts";
import { mannWhitneyGreater } from "./mann-whitney.ts";
import type { Finding, Judgement } from "./model.ts";
import { baselineWindow, perTestThreshold, watchEnd, watchLooks, watchStart } from "./watch-looks.ts";

export interface WatchRun {
  probeId: string;
  region: string;
  slotAt: number;
  status: "up" | "degraded" | "down";
  durationMs: number;
  monitoringSide: boolean;
  inMaintenance: boolean;
}

interface WatchOptions {
  /** The chance that a release which changed nothing is called regressed (default 0.5 %). */
  falseAlarmRate: number;
  /** Runs a pair needs before the release, and after it, for its comparisons to count. */
  minBeforeRuns: number;
  minAfterRuns: number;
  /** A latency regression moves the median by at least this many ms and this share of the baseline median, beyond the bucket error. */
  minLatencyEffectMs: number;
  minLatencyEffectRatio: number;
  /** An availability regression adds at least this share of failed runs (0.05: 5 points). */
  minAvailabilityDrop: number;
}

export const DEFAULT_WATCH_OPTIONS: Readonly<WatchOptions> = Object.freeze({
  falseAlarmRate: 0.005,
  minBeforeRuns: 10,
  minAfterRuns: 5,
  minLatencyEffectMs: 50,
  minLatencyEffectRatio: 0.2,
  minAvailabilityDrop: 0.05,
});

export interface WatchSubject {
  releasedAt: number;
  watchMinutes: number;
  baselineMinutes: number;
  /** Every (probe, region) the release may affect. */
  pairs: readonly { probeId: string; region: string }[];
}

/** Evidence runs named per finding at most. */
const MAX_EVIDENCE = 10;

function runIdOf(run: Pick<WatchRun, "probeId" | "region" | "slotAt">): string {
  return `${run.probeId}.${run.region}.${run.slotAt}`;
}

function medianBucket(h: readonly number[], n: number): number {
  const rank = Math.ceil(n / 2);
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return i;
  }
  return h.length - 1;
}

function bucketRange(i: number): [number, number] {
  return [i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!, BUCKET_BOUNDS_MS[i]!];
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

function availabilityFinding(
  probeId: string,
  region: string,
  before: readonly WatchRun[],
  after: readonly WatchRun[],
  threshold: number,
  o: WatchOptions,
): Finding {
  const failedBefore = before.filter((r) => r.status === "down").length;
  const failedAfter = after.filter((r) => r.status === "down");
  const p = fisherGreater({
    before: { failed: failedBefore, total: before.length },
    after: { failed: failedAfter.length, total: after.length },
  });
  const shareBefore = before.length ? 1 - failedBefore / before.length : null;
  const shareAfter = after.length ? 1 - failedAfter.length / after.length : null;
  const enough = before.length >= o.minBeforeRuns && after.length >= o.minAfterRuns;
  const drop = shareBefore !== null && shareAfter !== null ? shareBefore - shareAfter : 0;
  const regressed = enough && p < threshold && drop >= o.minAvailabilityDrop;
  const note = !enough
    ? `not enough runs yet (${before.length} before, ${after.length} after; needs ${o.minBeforeRuns} and ${o.minAfterRuns})`
    : p < threshold && !regressed
      ? `significant, but ${round(drop * 100, 1)} points is under the minimum effect of ${o.minAvailabilityDrop * 100} points`
      : undefined;
  return {
    probeId,
    region,
    measure: "availability",
    before: { runs: before.length, value: shareBefore === null ? null : round(shareBefore) },
    after: { runs: after.length, value: shareAfter === null ? null : round(shareAfter) },
    p,
    threshold,
    regressed,
    ...(note ? { note } : {}),
    evidence: regressed ? failedAfter.slice(0, MAX_EVIDENCE).map(runIdOf) : [],
  };
}

function latencyFinding(
  probeId: string,
  region: string,
  before: readonly WatchRun[],
  after: readonly WatchRun[],
  threshold: number,
  o: WatchOptions,
): Finding {
  const passedBefore = before.filter((r) => r.status !== "down");
  const passedAfter = after.filter((r) => r.status !== "down");
  const hBefore = emptyHistogram();
  const hAfter = emptyHistogram();
  for (const r of passedBefore) hBefore[bucketIndex(r.durationMs)]! += 1;
  for (const r of passedAfter) hAfter[bucketIndex(r.durationMs)]! += 1;
  const test = mannWhitneyGreater(hBefore, hAfter);
  const enough = passedBefore.length >= o.minBeforeRuns && passedAfter.length >= o.minAfterRuns;
  const side = (h: number[], n: number) => {
    if (n === 0) return { runs: 0, value: null };
    const range = bucketRange(medianBucket(h, n));
    return {
      runs: n,
      value: round(range[1], 1),
      bucketMs: [round(range[0], 1), round(range[1], 1)] as [number, number],
    };
  };
  const b = side(hBefore, passedBefore.length);
  const a = side(hAfter, passedAfter.length);
  // The smallest shift the buckets can vouch for: after's median bucket floor over before's median bucket ceiling.
  const effectMs = a.bucketMs && b.bucketMs ? a.bucketMs[0] - b.bucketMs[1] : 0;
  const bigEnough =
    b.bucketMs !== undefined && effectMs >= o.minLatencyEffectMs && effectMs >= o.minLatencyEffectRatio * b.bucketMs[1];
  const regressed = enough && test.p < threshold && bigEnough;
  const note = !enough
    ? `not enough passing runs yet (${passedBefore.length} before, ${passedAfter.length} after; needs ${o.minBeforeRuns} and ${o.minAfterRuns})`
    : test.p < threshold && !regressed
      ? `significant, but the median moved by at most ${round(Math.max(0, effectMs), 1)} ms beyond the bucket error, under the minimum effect (${o.minLatencyEffectMs} ms and ${o.minLatencyEffectRatio * 100} %)`
      : undefined;
  const slowerThan = b.bucketMs?.[1] ?? Infinity;
  return {
    probeId,
    region,
    measure: "latency",
    before: b,
    after: a,
    p: test.p,
    threshold,
    regressed,
    ...(note ? { note } : {}),
    evidence: regressed
      ? passedAfter
          .filter((r) => r.durationMs > slowerThan)
          .sort((x, y) => y.durationMs - x.durationMs)
          .slice(0, MAX_EVIDENCE)
          .map(runIdOf)
      : [],
  };
}

function order(findings: Finding[]): Finding[] {
  return findings.sort(
    (x, y) =>
      Number(y.regressed) - Number(x.regressed) ||
      x.p - y.p ||
      (x.probeId < y.probeId ? -1 : x.probeId > y.probeId ? 1 : 0) ||
      (x.region < y.region ? -1 : x.region > y.region ? 1 : 0),
  );
}

/** The comparisons of one look: every pair, both measures. */
function compareAt(
  subject: WatchSubject,
  runs: readonly WatchRun[],
  lookMinutes: number,
  threshold: number,
  options: WatchOptions,
): Finding[] {
  const base = baselineWindow(subject.releasedAt, subject.baselineMinutes);
  const from = watchStart(subject.releasedAt);
  const to = from + lookMinutes * MINUTE_MS;
  const byPair = new Map<string, { before: WatchRun[]; after: WatchRun[] }>();
  for (const pair of subject.pairs) byPair.set(`${pair.probeId}|${pair.region}`, { before: [], after: [] });
  for (const run of runs) {
    if (run.inMaintenance || (run.status === "down" && run.monitoringSide)) continue;
    const sides = byPair.get(`${run.probeId}|${run.region}`);
    if (!sides) continue;
    if (run.slotAt >= base.from && run.slotAt < base.to) sides.before.push(run);
    else if (run.slotAt >= from && run.slotAt < to) sides.after.push(run);
  }
  const findings: Finding[] = [];
  for (const pair of subject.pairs) {
    const sides = byPair.get(`${pair.probeId}|${pair.region}`)!;
    findings.push(availabilityFinding(pair.probeId, pair.region, sides.before, sides.after, threshold, options));
    findings.push(latencyFinding(pair.probeId, pair.region, sides.before, sides.after, threshold, options));
  }
  return order(findings);
}

/**
 * The watch's judgement as of `asOf` (epoch ms; the tick passes the end of its minute): every
 * look reached by then, with the runs of the pairs from the baseline's start on.
 */
export function judgeWatch(
  subject: WatchSubject,
  runs: readonly WatchRun[],
  asOf: number,
  options: WatchOptions = DEFAULT_WATCH_OPTIONS,
): Judgement {
  const looks = watchLooks(subject.watchMinutes);
  const start = watchStart(subject.releasedAt);
  const threshold = perTestThreshold(options.falseAlarmRate, looks.length, Math.max(1, subject.pairs.length * 2));
  if (subject.pairs.length === 0)
    return {
      verdict: "inconclusive",
      final: asOf >= watchEnd(subject.releasedAt, subject.watchMinutes),
      atMinute: null,
      findings: [],
      reason: "the release names no probe with a region to watch",
    };
  let last: { minute: number; findings: Finding[] } | null = null;
  for (const minute of looks) {
    if (start + minute * MINUTE_MS > asOf) break;
    const findings = compareAt(subject, runs, minute, threshold, options);
    const regressed = findings.filter((f) => f.regressed);
    if (regressed.length) {
      const first = regressed[0]!;
      return {
        verdict: "regressed",
        final: true,
        atMinute: minute,
        findings,
        reason: `${first.measure} of ${first.probeId} in ${first.region} is worse ${minute} minutes after the release (p = ${first.p.toExponential(2)} < ${threshold.toExponential(2)})`,
      };
    }
    last = { minute, findings };
  }
  if (!last)
    return {
      verdict: "inconclusive",
      final: false,
      atMinute: null,
      findings: [],
      reason: `not enough runs yet: the first look is ${looks[0]} minutes after the release`,
    };
  const short = last.findings.filter((f) => f.note?.startsWith("not enough"));
  if (last.minute === subject.watchMinutes) {
    if (short.length)
      return {
        verdict: "inconclusive",
        final: true,
        atMinute: last.minute,
        findings: last.findings,
        reason: `the watch ended without enough runs for ${short.length} of ${last.findings.length} comparisons (e.g. ${short[0]!.probeId} in ${short[0]!.region}: ${short[0]!.note})`,
      };
    return {
      verdict: "healthy",
      final: true,
      atMinute: last.minute,
      findings: last.findings,
      reason: `no regression in ${last.findings.length} comparisons over ${subject.watchMinutes} minutes`,
    };
  }
  return {
    verdict: "inconclusive",
    final: false,
    atMinute: last.minute,
    findings: last.findings,
    reason: `no regression at minute ${last.minute}; watching until minute ${subject.watchMinutes}`,
  };
}
