/**
 * The upper tail of the standard normal distribution, P(Z ≥ z), for the release watch's tests.
 * erfc by the Chebyshev fit of Numerical Recipes (fractional error under 1.2e-7 everywhere),
 * which keeps its relative accuracy far into the tail, where the watch's thresholds are
 * (z ≈ 3.5–4.5), unlike 1 − Φ(z) computed by subtraction.
 */

/** erfc(x) for any real x, relative error < 1.2e-7. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * P(Z ≥ z) for a standard normal Z.
 *
 * @example
 * upperTail(0) // 0.5
 * upperTail(1.6449) // ≈ 0.05
 */
export function upperTail(z: number): number {
  if (Number.isNaN(z)) throw new RangeError("upperTail: z is NaN");
  return Math.min(1, Math.max(0, 0.5 * erfc(z / Math.SQRT2)));
}
