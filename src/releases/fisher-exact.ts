/**
 * Availability before and after a release as a two-proportion comparison, done exactly: the
 * one-sided Fisher exact test. Why exact: the watch compares a few runs after a release with
 * a baseline where failures are rare, exactly where the two-proportion z-test's normal
 * approximation breaks (it calls 1 failure in 5 runs against 0 in 60 "significant" far more
 * often than its stated rate). Fisher's test conditions on the total number of failures and
 * never exceeds the stated false-alarm rate.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7): about 15 significant digits. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let a = LANCZOS[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

interface Proportions {
  /** Failed runs and all runs before the release. */
  before: { failed: number; total: number };
  /** Failed runs and all runs after it. */
  after: { failed: number; total: number };
}

/**
 * One-sided p-value of "after fails more often than before": P(X ≥ after.failed) where X is
 * hypergeometric (all failures spread at random over before and after runs). 1 when there are
 * no runs on a side or no failures at all.
 *
 * @example
 * fisherGreater({ before: { failed: 0, total: 60 }, after: { failed: 5, total: 5 } }) // ≈ 1.2e-7
 */
export function fisherGreater({ before, after }: Proportions): number {
  for (const [name, side] of [
    ["before", before],
    ["after", after],
  ] as const) {
    if (
      !(Number.isInteger(side.failed) && Number.isInteger(side.total) && side.failed >= 0 && side.failed <= side.total)
    ) {
      throw new RangeError(
        `fisherGreater: ${name} must have integer counts with 0 ≤ failed ≤ total, got ${side.failed}/${side.total}`,
      );
    }
  }
  const n = before.total + after.total;
  const failures = before.failed + after.failed;
  if (before.total === 0 || after.total === 0 || failures === 0) return 1;
  const draws = after.total;
  const lo = Math.max(0, draws - (n - failures));
  const hi = Math.min(draws, failures);
  if (after.failed <= lo) return 1;
  const logDenominator = logChoose(n, draws);
  let p = 0;
  for (let k = after.failed; k <= hi; k++)
    p += Math.exp(logChoose(failures, k) + logChoose(n - failures, draws - k) - logDenominator);
  return Math.min(1, p);
}
