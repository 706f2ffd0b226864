/** Simulated runs around a release, from a seeded generator: the same numbers on every machine. */
import { seededRandom } from "../../../scripts/bench/prng.ts";
import type { WatchRun, WatchSubject } from "../../../src/releases/watch-verdict.ts";
import { baselineWindow, watchEnd, watchStart } from "../../../src/releases/watch-looks.ts";

/** The bench's seeded generator: the same numbers on every machine. */
export const seeded = seededRandom;

function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

interface Behaviour {
  /** Median latency (ms) and the spread of its logarithm. */
  medianMs: number;
  sigma: number;
  /** Share of runs that fail, and of runs that take 4× longer (a slow dependency, a GC pause). */
  failureRate: number;
  spikeRate: number;
  /** Added to every duration (an injected delay). */
  extraMs?: number;
}

export const NORMAL_DAY: Behaviour = { medianMs: 120, sigma: 0.35, failureRate: 0.01, spikeRate: 0.02 };

interface Scenario {
  subject: WatchSubject;
  runs: WatchRun[];
}

/**
 * A release at a whole minute: before it, each pair runs every `baselineEvery` minutes; during
 * the watch every minute (as the dispatcher runs watched probes). `after` may differ per pair.
 */
export function simulateRelease(
  random: () => number,
  options: {
    releasedAt: number;
    watchMinutes: number;
    baselineMinutes: number;
    pairs: { probeId: string; region: string; baselineEvery?: number }[];
    before: Behaviour;
    after: (pair: { probeId: string; region: string }) => Behaviour;
  },
): Scenario {
  const runs: WatchRun[] = [];
  const sample = (pair: { probeId: string; region: string }, slotAt: number, b: Behaviour): WatchRun => {
    const failed = random() < b.failureRate;
    const spike = random() < b.spikeRate ? 4 : 1;
    const durationMs = b.medianMs * Math.exp(b.sigma * normal(random)) * spike + (b.extraMs ?? 0);
    return {
      probeId: pair.probeId,
      region: pair.region,
      slotAt,
      status: failed ? "down" : "up",
      durationMs: Math.round(durationMs),
      monitoringSide: false,
      inMaintenance: false,
    };
  };
  const base = baselineWindow(options.releasedAt, options.baselineMinutes);
  for (const pair of options.pairs) {
    const every = pair.baselineEvery ?? 1;
    for (let t = base.from; t < base.to; t += 60_000)
      if (((t - base.from) / 60_000) % every === 0) runs.push(sample(pair, t, options.before));
    const after = options.after(pair);
    for (let t = watchStart(options.releasedAt); t < watchEnd(options.releasedAt, options.watchMinutes); t += 60_000)
      runs.push(sample(pair, t, after));
  }
  return {
    subject: {
      releasedAt: options.releasedAt,
      watchMinutes: options.watchMinutes,
      baselineMinutes: options.baselineMinutes,
      pairs: options.pairs.map(({ probeId, region }) => ({ probeId, region })),
    },
    runs,
  };
}
