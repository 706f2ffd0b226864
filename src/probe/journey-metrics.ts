/**
 * Journey metrics: business numbers a run records (a cart total, a queue length, the number of
 * products in stock), by `extract.metric` in a declarative step or `ctx.metric` in a script.
 * Pure: the naming rule, the bound, and how a recorded value is read as a number.
 *
 * Like a k6 check on a Trend rather than a silent drop, a value that is missing or not a finite
 * number fails the step (class `assertion`, with expected and actual): a journey that cannot read
 * its cart total has found something wrong, and a chart with silent holes would hide it. A
 * metric name that breaks the rules in a script is a bug in the probe (class `script`).
 */

/** At most this many distinct metrics per probe (each is a series in /metrics and a line in storage). */
export const MAX_METRICS_PER_PROBE = 10;

/** Lowercase letters, digits and `_`, starting with a letter: safe as a Prometheus label value and a JSON key. */
export const METRIC_NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

export const METRIC_NAME_RULE =
  "a metric name such as 'cart_total' (a-z, 0-9 and _, starting with a letter, at most 63 characters)";

/** A number written as JSON or as a decimal string ("4200", "42.5", "-1e3"); anything else is not a metric value. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number in an extracted text (extract.ts gives strings as-is and anything else as JSON), or
 * null when it is not one: `true`, `null`, `"12 EUR"`, an object, or a number too large to be finite.
 */
export function metricNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

type RecordOutcome = { ok: true } | { ok: false; kind: "name" | "bound" | "value"; message: string };

/**
 * Records `value` under `name` in a run's metrics (a later value of the same name replaces the
 * earlier one), or says why not. `metrics` is changed only on success.
 */
export function recordMetric(metrics: Record<string, number>, name: string, value: unknown): RecordOutcome {
  if (typeof name !== "string" || !METRIC_NAME_PATTERN.test(name))
    return { ok: false, kind: "name", message: `${JSON.stringify(name)} is not ${METRIC_NAME_RULE}` };
  if (!(name in metrics) && Object.keys(metrics).length >= MAX_METRICS_PER_PROBE) {
    return {
      ok: false,
      kind: "bound",
      message: `at most ${MAX_METRICS_PER_PROBE} metrics per probe; '${name}' would be one more than ${Object.keys(metrics).join(", ")}`,
    };
  }
  if (typeof value !== "number" || !Number.isFinite(value))
    return { ok: false, kind: "value", message: `metric ${name}: expected a finite number` };
  metrics[name] = value;
  return { ok: true };
}
