/**
 * Latency before and after a release, compared from histograms (src/slo/latency-histogram.ts)
 * with the Mann–Whitney U test on their bucket counts. Why this test: it assumes no shape of
 * the latency distribution (latencies are skewed and heavy-tailed), and it respects the
 * histograms' bucket error: two runs in the same bucket are a tie, never ordered by a
 * difference the storage cannot see. The tie-corrected normal approximation with a continuity
 * correction gives the p-value (the watch needs at least 5 runs on each side, where it holds).
 */
import { upperTail } from "./normal-tail.ts";

interface RankTest {
  /** U of the after sample: pairs (before, after) with after slower, ties counting ½. */
  u: number;
  /** Standardised U (0 when there is no variance: every run in one bucket). */
  z: number;
  /** One-sided p-value of "after is slower than before". */
  p: number;
}

/**
 * Mann–Whitney U, one-sided (after slower), from two histograms of the same buckets.
 *
 * @example
 * mannWhitneyGreater([0, 10, 0], [0, 0, 10]).p // ≈ 1e-5: every after run is in a slower bucket
 */
export function mannWhitneyGreater(before: readonly number[], after: readonly number[]): RankTest {
  if (before.length !== after.length)
    throw new RangeError(`mannWhitneyGreater: histograms of ${before.length} and ${after.length} buckets`);
  let n1 = 0;
  let n2 = 0;
  let u = 0;
  let ties = 0;
  for (let i = 0; i < before.length; i++) {
    const b = before[i]!;
    const a = after[i]!;
    if (!(b >= 0 && a >= 0 && Number.isInteger(b) && Number.isInteger(a)))
      throw new RangeError(`mannWhitneyGreater: bucket ${i} has counts ${b} and ${a}; counts are integers ≥ 0`);
    // Each after run in this bucket is slower than every before run in the buckets below it, and ties with the ones in it.
    u += a * (n1 + b / 2);
    n1 += b;
    n2 += a;
    const t = a + b;
    ties += t * t * t - t;
  }
  const n = n1 + n2;
  if (n1 === 0 || n2 === 0) return { u, z: 0, p: 1 };
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  if (!(variance > 0)) return { u, z: 0, p: 1 };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, p: z <= 0 ? Math.min(1, upperTail(z)) : upperTail(z) };
}
