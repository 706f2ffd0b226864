/** The latency histogram: bucket layout, exact answers on known samples, and merge/quantile/share properties. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUCKET_BOUNDS_MS,
  BUCKET_COUNT,
  BUCKET_RATIO,
  bucketIndex,
  decodeHistogram,
  emptyHistogram,
  encodeHistogram,
  HistogramDecodeError,
  type Histogram,
  MAX_RELATIVE_ERROR,
  merge,
  quantile,
  record,
  shareUnder,
  total,
} from "../../../src/slo/latency-histogram.ts";

const LAST_FINITE = 131_072;

function fromSamples(samples: readonly number[]): Histogram {
  return samples.reduce<Histogram>((h, ms) => record(h, ms), emptyHistogram());
}

function repeat(ms: number, times: number): number[] {
  return new Array<number>(times).fill(ms);
}

/** 90 runs at 100 ms, 9 at 1000 ms, 1 at 5000 ms. */
const KNOWN = fromSamples([...repeat(100, 90), ...repeat(1000, 9), 5000]);

/** Any histogram: counts per bucket, mostly empty like a real probe's. */
const histogramArb = fc.array(
  fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 1000 }) }),
  {
    minLength: BUCKET_COUNT,
    maxLength: BUCKET_COUNT,
  },
);

/** Latencies across the whole layout, sub-millisecond and overflow included, plus exact bounds. */
const latencyArb = fc.oneof(
  fc.double({ min: 0, max: 150_000, noNaN: true }),
  fc.integer({ min: 0, max: 5_000 }),
  fc.constantFrom(...BUCKET_BOUNDS_MS.slice(0, -1)),
);

/** Nearest-rank quantile with q = permille / 1000, in integer arithmetic (no float noise). */
function exactQuantile(sorted: readonly number[], permille: number): number {
  const rank = Math.max(1, Math.ceil((permille * sorted.length) / 1000));
  return sorted[rank - 1]!;
}

describe("bucket layout", () => {
  it("is geometric with ratio 2^(1/3) from 1 ms to 131 072 ms, then +Infinity", () => {
    expect(BUCKET_COUNT).toBe(53);
    expect(BUCKET_BOUNDS_MS).toHaveLength(53);
    expect(BUCKET_BOUNDS_MS.slice(0, 4)).toEqual([1, 2 ** (1 / 3), 2 ** (2 / 3), 2]);
    expect(BUCKET_BOUNDS_MS.slice(-4)).toEqual([2 ** (49 / 3), 2 ** (50 / 3), LAST_FINITE, Infinity]);
    // every power of two is a bound, three buckets apart
    for (let p = 0; p <= 17; p++) expect(BUCKET_BOUNDS_MS[3 * p]).toBe(2 ** p);
    for (let i = 1; i < 52; i++) expect(BUCKET_BOUNDS_MS[i]! / BUCKET_BOUNDS_MS[i - 1]!).toBeCloseTo(BUCKET_RATIO, 12);
    expect(BUCKET_RATIO).toBeCloseTo(1.259921, 6);
    expect(MAX_RELATIVE_ERROR).toBeCloseTo(0.259921, 6);
  });

  it("puts a value in the first bucket whose upper bound is at or above it", () => {
    const cases: [number, number][] = [
      [-5, 0],
      [0, 0],
      [1, 0],
      [1.0001, 1],
      [2, 3],
      [2.0001, 4],
      [100, 20],
      [1000, 30],
      [1024, 30],
      [1025, 31],
      [120_000, 51],
      [LAST_FINITE, 51],
      [LAST_FINITE + 0.5, 52],
      [Infinity, 52],
    ];
    for (const [ms, index] of cases) expect([ms, bucketIndex(ms)]).toEqual([ms, index]);
    expect(() => bucketIndex(Number.NaN)).toThrow(/NaN/);
  });

  it("bucketIndex agrees with the bounds for any value", () => {
    fc.assert(
      fc.property(latencyArb, (ms) => {
        const i = bucketIndex(ms);
        expect(ms).toBeLessThanOrEqual(BUCKET_BOUNDS_MS[i]!);
        if (i > 0) expect(ms).toBeGreaterThan(BUCKET_BOUNDS_MS[i - 1]!);
      }),
    );
  });
});

describe("known samples", () => {
  it("counts each sample once, without changing the input histogram", () => {
    const empty = emptyHistogram();
    const one = record(empty, 100);
    expect(total(empty)).toBe(0);
    expect(total(one)).toBe(1);
    expect(one[20]).toBe(1);
    expect(total(KNOWN)).toBe(100);
    expect([KNOWN[20], KNOWN[30], KNOWN[37]]).toEqual([90, 9, 1]);
  });

  it("answers quantiles with the upper bound of the bucket holding the nearest rank", () => {
    expect(quantile(KNOWN, 0)).toBe(2 ** (20 / 3)); // 101.59 ms: the fastest run is 100 ms
    expect(quantile(KNOWN, 0.5)).toBe(2 ** (20 / 3));
    expect(quantile(KNOWN, 0.9)).toBe(2 ** (20 / 3)); // rank 90: the last 100 ms run
    expect(quantile(KNOWN, 0.91)).toBe(1024); // rank 91: the first 1000 ms run
    expect(quantile(KNOWN, 0.95)).toBe(1024);
    expect(quantile(KNOWN, 0.99)).toBe(1024);
    expect(quantile(KNOWN, 1)).toBe(2 ** (37 / 3)); // 5160.6 ms: the 5000 ms run
    // 0.07 × 100 is 7.000000000000001 in floating point: still rank 7, not 8
    expect(quantile(fromSamples([...repeat(1, 7), ...repeat(1000, 93)]), 0.07)).toBe(1);
  });

  it("has no quantile without samples, rejects q outside [0, 1], and reports overflow as Infinity", () => {
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
    expect(() => quantile(KNOWN, 1.5)).toThrow(RangeError);
    expect(() => quantile(KNOWN, -0.1)).toThrow(RangeError);
    expect(() => quantile(KNOWN, Number.NaN)).toThrow(RangeError);
    expect(quantile(fromSamples([200_000]), 0.5)).toBe(Infinity);
    expect(quantile(fromSamples([0.2]), 0.5)).toBe(1);
  });

  it("counts a bucket as under the threshold only when all of it is", () => {
    // the 1000 ms runs sit in the bucket (812.7, 1024]: not provably under 1000
    expect(shareUnder(KNOWN, 1000)).toEqual({ under: 90, total: 100 });
    expect(shareUnder(KNOWN, 1024)).toEqual({ under: 99, total: 100 });
    expect(shareUnder(KNOWN, 100)).toEqual({ under: 0, total: 100 });
    expect(shareUnder(KNOWN, 2 ** (20 / 3))).toEqual({ under: 90, total: 100 });
    expect(shareUnder(KNOWN, Infinity)).toEqual({ under: 100, total: 100 });
    expect(shareUnder(emptyHistogram(), 1000)).toBeNull();
  });

  it("refuses histograms of the wrong length", () => {
    expect(() => merge([1, 2], emptyHistogram())).toThrow("merge: a histogram has 53 buckets, got 2");
    expect(() => record([], 5)).toThrow(RangeError);
  });
});

describe("text encoding", () => {
  it("writes the non-empty buckets as a sparse JSON object, keys ascending", () => {
    expect(encodeHistogram(KNOWN)).toBe('{"20":90,"30":9,"37":1}');
    expect(encodeHistogram(emptyHistogram())).toBe("{}");
    expect(encodeHistogram(record(emptyHistogram(), 200_000))).toBe('{"52":1}');
    expect(decodeHistogram('{"20":90,"30":9,"37":1}')).toEqual(KNOWN);
    expect(decodeHistogram("{}")).toEqual(emptyHistogram());
  });

  it("reads what SQL leaves behind: keys in any order, whitespace, zero counts", () => {
    // run-write.ts bumps one key per run with json_set, so key order follows insertion
    expect(decodeHistogram('{"37":1,"20":90,"30":9}')).toEqual(KNOWN);
    expect(decodeHistogram(' { "20" : 90 , "30" : 9 , "37" : 1 , "5" : 0 } ')).toEqual(KNOWN);
    expect(decodeHistogram('{"0":1e2,"1":3.0,"2":-0}')).toEqual([
      100,
      3,
      ...new Array<number>(BUCKET_COUNT - 2).fill(0),
    ]);
    expect(Object.is(decodeHistogram('{"2":-0}')[2], 0)).toBe(true);
  });

  it("matches the column run-write.ts starts a rollup with and bumps in SQL", () => {
    // the first run inserts JSON.stringify({ [bucket]: 1 }); later runs json_set one key
    expect(decodeHistogram(JSON.stringify({ [bucketIndex(100)]: 1 }))).toEqual(record(emptyHistogram(), 100));
    expect(encodeHistogram(record(emptyHistogram(), 100))).toBe(JSON.stringify({ [bucketIndex(100)]: 1 }));
  });

  it("rejects anything but a JSON object of bucket indexes to counts, saying why", () => {
    const bad: [string, string][] = [
      ["", "not valid JSON"],
      ["h1|20:90", "not valid JSON"],
      ['{"20":90', "not valid JSON"],
      ["{20:90}", "not valid JSON"],
      ["null", "expected a JSON object, got null"],
      ["[90]", "expected a JSON object, got an array"],
      ["90", "expected a JSON object, got a number"],
      ['"{}"', "expected a JSON object, got a string"],
      ['{"a":1}', 'key "a" is not a bucket index'],
      ['{"01":1}', 'key "01" is not a bucket index'],
      ['{"-1":1}', 'key "-1" is not a bucket index'],
      ['{"1.0":1}', 'key "1.0" is not a bucket index'],
      ['{" 1":1}', 'key " 1" is not a bucket index'],
      ['{"":1}', 'key "" is not a bucket index'],
      ['{"__proto__":1}', 'key "__proto__" is not a bucket index'],
      ['{"53":1}', "bucket 53 is outside 0..52"],
      ['{"99999999999999999999":1}', "bucket 99999999999999999999 is outside 0..52"],
      ['{"2":-1}', "bucket 2 holds -1, not a count"],
      ['{"2":1.5}', "bucket 2 holds 1.5, not a count"],
      ['{"2":"3"}', 'bucket 2 holds "3", not a count'],
      ['{"2":null}', "bucket 2 holds null, not a count"],
      ['{"2":true}', "bucket 2 holds true, not a count"],
      ['{"2":[1]}', "bucket 2 holds [1], not a count"],
      ['{"2":{}}', "bucket 2 holds {}, not a count"],
      ['{"2":99999999999999999999}', "bucket 2 holds 100000000000000000000, not a count"],
      ['{"2":1e999}', "bucket 2 holds Infinity, not a count"],
    ];
    for (const [text, reason] of bad) {
      expect(() => decodeHistogram(text)).toThrow(HistogramDecodeError);
      expect(() => decodeHistogram(text)).toThrow(`not a latency histogram (${reason}): ${JSON.stringify(text)}`);
    }
  });

  it("shortens long input in the error and refuses a non-string", () => {
    const long = `{"2":1,${'"3":1,'.repeat(30)}"x":1}`;
    expect(() => decodeHistogram(long)).toThrow(
      `not a latency histogram (key "x" is not a bucket index): ${JSON.stringify(`${long.slice(0, 80)}…`)}`,
    );
    expect(() => decodeHistogram(42 as unknown as string)).toThrow(
      'not a latency histogram (expected text, got number): "42"',
    );
  });

  it("refuses to encode something that is not a count", () => {
    const h = emptyHistogram();
    h[4] = 1.5;
    expect(() => encodeHistogram(h)).toThrow("encodeHistogram: bucket 4 holds 1.5, not a count");
    h[4] = -1;
    expect(() => encodeHistogram(h)).toThrow("encodeHistogram: bucket 4 holds -1, not a count");
  });
});

describe("properties", () => {
  it("merge is associative and commutative", () => {
    fc.assert(
      fc.property(histogramArb, histogramArb, histogramArb, (a, b, c) => {
        expect(merge(merge(a, b), c)).toEqual(merge(a, merge(b, c)));
        expect(merge(a, b)).toEqual(merge(b, a));
        expect(merge(a, emptyHistogram())).toEqual(a);
      }),
    );
  });

  it("total(merge(a, b)) = total(a) + total(b)", () => {
    fc.assert(
      fc.property(histogramArb, histogramArb, (a, b) => {
        expect(total(merge(a, b))).toBe(total(a) + total(b));
      }),
    );
  });

  it("merging histograms equals recording all their samples into one", () => {
    fc.assert(
      fc.property(fc.array(latencyArb), fc.array(latencyArb), (xs, ys) => {
        expect(merge(fromSamples(xs), fromSamples(ys))).toEqual(fromSamples([...xs, ...ys]));
      }),
    );
  });

  it("quantile is monotonic in q and never NaN", () => {
    fc.assert(
      fc.property(
        histogramArb,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (h, q1, q2) => {
          const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
          const a = quantile(h, lo);
          const b = quantile(h, hi);
          if (total(h) === 0) {
            expect([a, b]).toEqual([null, null]);
            return;
          }
          expect(a).not.toBeNaN();
          expect(b).not.toBeNaN();
          expect(a!).toBeLessThanOrEqual(b!);
        },
      ),
    );
  });

  it("quantile from samples is at or above the exact quantile and within the documented relative error", () => {
    fc.assert(
      fc.property(
        fc.array(latencyArb, { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        (samples, permille) => {
          const exact = exactQuantile(
            [...samples].sort((x, y) => x - y),
            permille,
          );
          const estimate = quantile(fromSamples(samples), permille / 1000)!;
          expect(estimate).toBeGreaterThanOrEqual(exact);
          if (exact <= 1) expect(estimate).toBe(1);
          else if (exact > LAST_FINITE) expect(estimate).toBe(Infinity);
          else expect((estimate - exact) / exact).toBeLessThan(MAX_RELATIVE_ERROR * (1 + 1e-12));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("shareUnder never exceeds the exact share, and is exact at a bucket bound", () => {
    fc.assert(
      fc.property(
        fc.array(latencyArb, { minLength: 1, maxLength: 300 }),
        fc.oneof(fc.double({ min: 0, max: 200_000, noNaN: true }), fc.constantFrom(...BUCKET_BOUNDS_MS)),
        (samples, threshold) => {
          const share = shareUnder(fromSamples(samples), threshold)!;
          const exactUnder = samples.filter((ms) => ms <= threshold).length;
          expect(share.total).toBe(samples.length);
          expect(share.under).toBeLessThanOrEqual(exactUnder);
          if (BUCKET_BOUNDS_MS.includes(threshold)) expect(share.under).toBe(exactUnder);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("encode/decode round-trips, and the text is canonical JSON with only the non-empty buckets", () => {
    fc.assert(
      fc.property(histogramArb, (h) => {
        const text = encodeHistogram(h);
        expect(decodeHistogram(text)).toEqual(h);
        expect(encodeHistogram(decodeHistogram(text))).toBe(text);
        const parsed = JSON.parse(text) as Record<string, number>;
        expect(JSON.stringify(parsed)).toBe(text); // what SQLite's json functions would also write
        const keys = Object.keys(parsed).map(Number);
        expect(keys).toEqual(h.flatMap((count, i) => (count > 0 ? [i] : [])));
        for (const k of keys) expect(parsed[String(k)]).toBe(h[k]);
      }),
    );
  });

  it("decoding ignores key order and zero counts", () => {
    fc.assert(
      fc.property(
        histogramArb,
        fc.shuffledSubarray(
          BUCKET_BOUNDS_MS.map((_, i) => i),
          { minLength: BUCKET_COUNT },
        ),
        (h, order) => {
          const text = `{${order.map((i) => `"${i}":${h[i]}`).join(",")}}`;
          expect(decodeHistogram(text)).toEqual(h);
        },
      ),
    );
  });
});
