/**
 * A journey metric's trend on the probe page: the hourly mean of the last 24 hours as a small
 * inline SVG line (the threshold, when the probe alerts on it, as a dashed line), a sentence with
 * the newest value and the range, and the figures as a table (figure-table.tsx) for screen
 * readers and anyone who wants the numbers. Drawn on the server; no script.
 */
import type { JourneyMetric } from "../queries/journey-metrics.ts";
import { FigureTable } from "./figure-table.tsx";
import { formatUtcDay } from "./format.ts";
import { METRIC_CHART_HOURS } from "./probe-detail-view.ts";

const WIDTH = 1000;
const HEIGHT = 200;

/** A number as the page shows it: grouped thousands, at most 3 decimals. */
function formatMetric(value: number): string {
  return value.toLocaleString("en-GB", { maximumFractionDigits: 3 });
}

function hourLabel(at: number): string {
  return `${formatUtcDay(at)} ${new Date(at).toISOString().slice(11, 16)} UTC`;
}

function thresholdText(t: JourneyMetric["threshold"]): string | null {
  if (!t) return null;
  const parts = [
    t.below === null ? null : `below ${formatMetric(t.below)}`,
    t.above === null ? null : `above ${formatMetric(t.above)}`,
  ].filter((p) => p !== null);
  return `Alerts when ${parts.join(" or ")}.`;
}

/** The y of a value in [low, high] on the plot (high at the top). */
function yOf(value: number, low: number, high: number): number {
  return HEIGHT - ((value - low) / (high - low)) * HEIGHT;
}

/** The hourly means as a path over `hours` slots ending at `endHour`; gaps start a new subpath. */
function metricPath(
  points: readonly { hourAt: number; mean: number }[],
  endHour: number,
  hours: number,
  low: number,
  high: number,
): string {
  const byHour = new Map(points.map((p) => [p.hourAt, p.mean]));
  const parts: string[] = [];
  let open = false;
  for (let i = 0; i < hours; i++) {
    const value = byHour.get(endHour - (hours - 1 - i) * 3_600_000);
    if (value === undefined) {
      open = false;
      continue;
    }
    const x = ((i + 0.5) / hours) * WIDTH;
    const alone = !open && !byHour.has(endHour - (hours - 2 - i) * 3_600_000);
    parts.push(`${open ? "L" : "M"}${x.toFixed(1)} ${yOf(value, low, high).toFixed(1)}${alone ? "h0.01" : ""}`);
    open = true;
  }
  return parts.join("");
}

export function JourneyMetricFigure(props: { metric: JourneyMetric; now: number; probeName: string }) {
  const { metric } = props;
  const endHour = Math.floor(props.now / 3_600_000) * 3_600_000;
  const points = metric.trend.filter((p) => p.hourAt > endHour - METRIC_CHART_HOURS * 3_600_000);
  const bounds = [metric.threshold?.below, metric.threshold?.above].filter(
    (v): v is number => v !== null && v !== undefined,
  );
  const values = [...points.flatMap((p) => [p.mean]), ...bounds];
  const low = values.length ? Math.min(0, ...values) : 0;
  const high = values.length && Math.max(...values) > low ? Math.max(...values) : low + 1;
  const newest = [...metric.latest].sort((a, b) => b.slotAt - a.slotAt)[0];
  const means = points.map((p) => p.mean);
  const summary = points.length
    ? `Over the last ${METRIC_CHART_HOURS} hours the hourly mean of ${metric.name} was between ${formatMetric(Math.min(...means))} and ${formatMetric(Math.max(...means))}` +
      (newest
        ? `; the newest value is ${formatMetric(newest.value)} (${newest.region}, ${hourLabel(newest.slotAt)}).`
        : ".")
    : `No value of ${metric.name} in the last ${METRIC_CHART_HOURS} hours.`;
  const threshold = thresholdText(metric.threshold);
  return (
    <figure class="chart" data-metric={metric.name}>
      <figcaption>
        {summary}
        {threshold ? ` ${threshold}` : ""}
      </figcaption>
      <svg
        class="burn-plot"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${metric.name} of ${props.probeName}, hourly mean over the last ${METRIC_CHART_HOURS} hours`}
      >
        {bounds.map((b) => (
          <line
            class="gridline"
            x1="0"
            x2={String(WIDTH)}
            y1={yOf(b, low, high).toFixed(1)}
            y2={yOf(b, low, high).toFixed(1)}
            vector-effect="non-scaling-stroke"
          />
        ))}
        <path
          class="budget-line"
          d={metricPath(points, endHour, METRIC_CHART_HOURS, low, high) || "M0 0"}
          vector-effect="non-scaling-stroke"
          stroke-linecap="round"
          stroke-linejoin="round"
        />
      </svg>
      <FigureTable
        summary={`The numbers of ${metric.name} as a table`}
        caption={`${metric.name} of ${props.probeName} per hour (UTC)`}
        columns={["Hour (UTC)", "Mean", "Min", "Max", "Last", "Runs"]}
        rows={[...points]
          .reverse()
          .map(
            (p) =>
              [
                hourLabel(p.hourAt),
                formatMetric(p.mean),
                formatMetric(p.min),
                formatMetric(p.max),
                formatMetric(p.last),
                p.count,
              ] as const,
          )}
      />
    </figure>
  );
}
