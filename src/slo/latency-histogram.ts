/**
 * A mergeable latency histogram with fixed logarithmic buckets.
 *
 * Why: SLO questions ("p95 over the last 30 days", "share of runs under 800 ms") must be answered
 * from rollup rows, not by re-reading every run. Exact quantiles cannot be merged; counts in
 * fixed buckets can (add them), so a rollup per (probe, region, hour) or per day can be summed
 * into any window and still give quantiles with a known, bounded error.
 *
 * Bucket layout: upper bounds 2^(k/3) ms for k = 0..51, i.e. 1 ms, 1.26 ms, 1.59 ms, 2 ms, ...,
 * 65 536 ms, 82 570 ms, 104 032 ms, 131 072 ms, then a final +Infinity bucket: 53 buckets.
 * Consecutive bounds grow by the ratio 2^(1/3) ≈ 1.2599 (three buckets per doubling, so every
 * power of two from 1 ms to 131 072 ms is itself a bound). The last finite bound is above the
 * longest run a probe may take (runTimeoutMs ≤ 120 000), so the overflow bucket only catches
 * clock noise past the timeout.
 *
 * Bucket i holds the values v with BUCKET_BOUNDS_MS[i - 1] < v ≤ BUCKET_BOUNDS_MS[i] (bucket 0
 * holds everything ≤ 1 ms, negatives included).
 *
 * Worst error: `quantile` returns the upper bound of the bucket that holds the exact
 * (nearest-rank) quantile. It therefore never understates latency, and for an exact quantile
 * x ≥ 1 ms it returns a value in [x, x · 2^(1/3)): a relative over-estimate below
 * MAX_RELATIVE_ERROR = 2^(1/3) − 1 ≈ 25.99 %. Below 1 ms the answer is 1 ms (absolute error
 * under 1 ms). In the overflow bucket the answer is Infinity ("slower than 131 s").
 */

/** Consecutive bounds grow by this ratio: three buckets per doubling. */
export const BUCKET_RATIO = 2 ** (1 / 3);

/** The largest relative over-estimate of `quantile` for values of at least 1 ms (≈ 0.2599). */
export const MAX_RELATIVE_ERROR = BUCKET_RATIO - 1;

const FINITE_BUCKETS = 52; // 2^(0/3) .. 2^(51/3) = 131 072 ms

/** Upper bound (inclusive) of each bucket in ms, ascending; the last one is +Infinity. */
export const BUCKET_BOUNDS_MS: readonly number[] = Object.freeze([
  ...Array.from({ length: FINITE_BUCKETS }, (_, k) => 2 ** (k / 3)),
  Number.POSITIVE_INFINITY,
]);

export const BUCKET_COUNT = BUCKET_BOUNDS_MS.length;

/** Counts per bucket; index i counts values in bucket i. Always BUCKET_COUNT long. */
export type Histogram = number[];

export function emptyHistogram(): Histogram {
  return new Array<number>(BUCKET_COUNT).fill(0);
}

/**
 * The bucket a duration falls in: the first bound ≥ ms. Negative durations (clock noise) count
 * as the fastest bucket rather than being dropped, so a run is never lost from its rollup; NaN
 * has no place at all and throws.
 */
export function bucketIndex(ms: number): number {
  if (Number.isNaN(ms)) throw new RangeError("latency must be a number of milliseconds, got NaN");
  let lo = 0;
  let hi = BUCKET_COUNT - 1; // the +Infinity bound always qualifies
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ms <= BUCKET_BOUNDS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function assertHistogram(h: readonly number[], name: string): void {
  if (h.length !== BUCKET_COUNT)
    throw new RangeError(`${name}: a histogram has ${BUCKET_COUNT} buckets, got ${h.length}`);
}

/** A new histogram with one more sample; the input is not changed (rollups may be shared). */
export function record(h: readonly number[], ms: number): Histogram {
  assertHistogram(h, "record");
  const next = h.slice();
  next[bucketIndex(ms)]! += 1;
  return next;
}

/** The histogram of both sample sets: bucket-wise sum. Associative and commutative. */
export function merge(a: readonly number[], b: readonly number[]): Histogram {
  assertHistogram(a, "merge");
  assertHistogram(b, "merge");
  return a.map((count, i) => count + b[i]!);
}

/** Number of samples. */
export function total(h: readonly number[]): number {
  let sum = 0;
  for (const count of h) sum += count;
  return sum;
}

/**
 * Nearest rank of quantile q among n samples: ceil(q·n), at least 1. The tiny tolerance keeps
 * floating-point noise (0.07 × 100 = 7.000000000000001) from pushing the rank one too far.
 */
function rankOf(q: number, n: number): number {
  return Math.max(1, Math.ceil(q * n * (1 - 1e-12)));
}

/**
 * The q-quantile (0 ≤ q ≤ 1; 0.95 for p95), or null when there are no samples.
 *
 * Returns the upper bound of the bucket holding the nearest-rank quantile, not an interpolation:
 * the answer is then never better than reality (so "p95 ≤ target" read from here is true of the
 * raw samples too), and the error bound above is a simple one-sided guarantee. Infinity when
 * that bucket is the overflow bucket; never NaN.
 */
export function quantile(h: readonly number[], q: number): number | null {
  assertHistogram(h, "quantile");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be between 0 and 1, got ${q}`);
  const n = total(h);
  if (n === 0) return null;
  const rank = rankOf(q, n);
  let seen = 0;
  for (let i = 0; i < BUCKET_COUNT; i++) {
    seen += h[i]!;
    if (seen >= rank) return BUCKET_BOUNDS_MS[i]!;
  }
  return BUCKET_BOUNDS_MS[BUCKET_COUNT - 1]!; // unreachable: seen reaches n ≥ rank
}

/**
 * The q-quantile read with linear interpolation inside its bucket, or null when there are no
 * samples: the value at continuous rank q·n, taking a bucket's samples as spread evenly between
 * its bounds (0 for the first bucket's lower bound). Unlike `quantile`, it moves smoothly when a
 * distribution shifts by less than a bucket's width, which a trend needs; its error is still at
 * most the width of the bucket (26 %). Infinity in the overflow bucket.
 */
export function interpolatedQuantile(h: readonly number[], q: number): number | null {
  assertHistogram(h, "interpolatedQuantile");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`interpolatedQuantile: q must be between 0 and 1, got ${q}`);
  const n = total(h);
  if (n === 0) return null;
  const rank = q * n;
  let before = 0;
  for (let i = 0; i < BUCKET_COUNT; i++) {
    const count = h[i]!;
    if (count > 0 && before + count >= rank) {
      const upper = BUCKET_BOUNDS_MS[i]!;
      if (!Number.isFinite(upper)) return upper;
      const lower = i === 0 ? 0 : BUCKET_BOUNDS_MS[i - 1]!;
      return lower + ((upper - lower) * Math.max(0, rank - before)) / count;
    }
    before += count;
  }
  return BUCKET_BOUNDS_MS[BUCKET_COUNT - 2]!; // unreachable: the loop reaches rank ≤ n
}

/**
 * How many samples took at most thresholdMs, out of how many; null when there are none.
 *
 * Conservative: a bucket counts as "under" only when its whole range is, i.e. its upper bound is
 * ≤ thresholdMs. The bucket straddling the threshold counts as not under, so `under` never
 * exceeds the exact number of samples ≤ thresholdMs, and a latency SLO computed from it can only
 * look worse than the truth, never better. With a threshold that is itself a bucket bound (every
 * power of two from 1 to 131 072 ms is one) the answer is exact.
 */
export function shareUnder(h: readonly number[], thresholdMs: number): { under: number; total: number } | null {
  assertHistogram(h, "shareUnder");
  if (Number.isNaN(thresholdMs))
    throw new RangeError("shareUnder: the threshold must be a number of milliseconds, got NaN");
  const n = total(h);
  if (n === 0) return null;
  let under = 0;
  for (let i = 0; i < BUCKET_COUNT && BUCKET_BOUNDS_MS[i]! <= thresholdMs; i++) under += h[i]!;
  return { under, total: n };
}

/**
 * Text format of the D1 `latency` column: a sparse JSON object from bucket index (as a decimal
 * string key) to count, e.g. `{"20":90,"30":9,"37":1}`; the empty histogram is `{}`.
 *
 * Why JSON and not a compact custom format: the rollup rows are updated in place by SQL. Each
 * stored run bumps exactly one bucket with `json_set(latency, '$."<index>"', ... + 1)` (see
 * storage/run-write.ts), which needs no read-modify-write in the Worker and so cannot lose a
 * concurrent run's count. Sparse because a probe's latencies sit in a handful of neighbouring
 * buckets. `encodeHistogram` writes the canonical form (keys ascending, only non-zero buckets);
 * `decodeHistogram` accepts whatever SQL leaves behind, where key order is not guaranteed.
 */
export function encodeHistogram(h: readonly number[]): string {
  assertHistogram(h, "encodeHistogram");
  const parts: string[] = [];
  h.forEach((count, i) => {
    if (!Number.isSafeInteger(count) || count < 0)
      throw new RangeError(`encodeHistogram: bucket ${i} holds ${count}, not a count`);
    if (count > 0) parts.push(`"${i}":${count}`);
  });
  return `{${parts.join(",")}}`;
}

export class HistogramDecodeError extends Error {
  override name = "HistogramDecodeError";
}

/** A canonical bucket index: no sign, no leading zeros, no fraction or exponent. */
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * Parses the latency column. Strict, because a rollup that is read wrongly would silently skew
 * an SLO: the text must be a JSON object whose keys are canonical bucket indexes inside
 * 0..BUCKET_COUNT-1 and whose values are safe non-negative integers; anything else throws a
 * HistogramDecodeError saying what is wrong. Lenient only where SQL or an older writer may differ
 * from `encodeHistogram` without meaning anything else: keys in any order, and zero counts
 * (SQL never writes 0, but a 0 is unambiguous).
 */
export function decodeHistogram(text: string): Histogram {
  const fail = (reason: string): never => {
    const raw = String(text);
    const shown = raw.length > 80 ? `${raw.slice(0, 80)}…` : raw;
    throw new HistogramDecodeError(`not a latency histogram (${reason}): ${JSON.stringify(shown)}`);
  };
  if (typeof text !== "string") fail(`expected text, got ${typeof text}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    fail("not valid JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    fail(`expected a JSON object, got ${describeJson(parsed)}`);
  const h = emptyHistogram();
  for (const [key, count] of Object.entries(parsed as Record<string, unknown>)) {
    if (!INDEX_KEY.test(key)) fail(`key ${JSON.stringify(key)} is not a bucket index`);
    const index = Number(key);
    if (index >= BUCKET_COUNT) fail(`bucket ${key} is outside 0..${BUCKET_COUNT - 1}`);
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
      fail(`bucket ${key} holds ${typeof count === "number" ? String(count) : JSON.stringify(count)}, not a count`);
    }
    h[index] = (count as number) + 0; // + 0 turns a JSON -0 into 0
  }
  return h;
}
