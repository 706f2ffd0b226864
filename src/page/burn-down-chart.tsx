/**
 * The error budget's burn-down over the SLO window: the share of the budget left at the end of
 * each day (slo/report.ts DayBudget), drawn as inline SVG on the server with a line at zero, a
 * text summary, and each day's SLI and budget as a table.
 */
import { FigureTable } from "./figure-table.tsx";
import type { DayBudget } from "../slo/report.ts";
import { formatPercent, formatUtcDay } from "./format.ts";

const WIDTH = 1000;
const HEIGHT = 200;
/** Room above a full budget, so the line at 100 % is not cut by the edge. */
const TOP = 12;

/** The y of a remaining fraction, on a scale from `bottom` (≤ 0) to 1. */
function yOf(fraction: number, bottom: number): number {
  return HEIGHT - ((Math.min(1, fraction) - bottom) / (1 - bottom)) * (HEIGHT - TOP);
}

/** An SVG path through the days that have a budget; a day without one starts a new subpath. */
function burnDownPath(days: readonly DayBudget[], bottom: number): string {
  const parts: string[] = [];
  let open = false;
  days.forEach((d, i) => {
    if (d.remainingFraction === null) {
      open = false;
      return;
    }
    const x = days.length === 1 ? WIDTH / 2 : (i / (days.length - 1)) * WIDTH;
    const alone = !open && (days[i + 1]?.remainingFraction ?? null) === null;
    parts.push(
      `${open ? "L" : "M"}${x.toFixed(1)} ${yOf(d.remainingFraction, bottom).toFixed(1)}${alone ? "h0.01" : ""}`,
    );
    open = true;
  });
  return parts.join("");
}

function summary(days: readonly DayBudget[], label: string): string {
  const known = days.filter((d) => d.remainingFraction !== null);
  if (known.length === 0) return `No ${label} budget to show yet: no runs in the window.`;
  const last = known[known.length - 1]!;
  const worst = known.reduce((w, d) => (d.sli !== null && (w.sli === null || d.sli < w.sli) ? d : w), known[0]!);
  return (
    `${formatPercent(Math.max(0, last.remainingFraction!), 1)} of the ${label} budget is left${last.remainingFraction! < 0 ? " (overspent)" : ""}` +
    (worst.sli !== null ? `; the worst day was ${formatUtcDay(worst.day)} at ${formatPercent(worst.sli, 3)}.` : ".")
  );
}

export function BurnDownChart(props: { days: readonly DayBudget[]; label: string; probeName: string }) {
  // Days before the first one with runs (a probe younger than its window) have nothing to draw.
  const first = props.days.findIndex((d) => d.remainingFraction !== null);
  const days = first < 0 ? [] : props.days.slice(first);
  const lowest = Math.min(0, ...days.flatMap((d) => (d.remainingFraction === null ? [] : [d.remainingFraction])));
  // Overspending shows below the zero line, at most a full budget below it.
  const bottom = Math.max(-1, lowest);
  const zero = yOf(0, bottom);
  return (
    <figure class="chart burn-down">
      <figcaption>{summary(days, props.label)}</figcaption>
      {days.length === 0 ? null : (
        <svg
          class="burn-plot"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`Share of the ${props.label} budget of ${props.probeName} left at the end of each day of the window`}
        >
          <line
            class="gridline"
            x1="0"
            x2={String(WIDTH)}
            y1={zero.toFixed(1)}
            y2={zero.toFixed(1)}
            vector-effect="non-scaling-stroke"
          />
          <path
            class="budget-line"
            d={burnDownPath(days, bottom) || "M0 0"}
            vector-effect="non-scaling-stroke"
            stroke-linecap="round"
            stroke-linejoin="round"
          />
        </svg>
      )}
      {days.length === 0 ? null : (
        <FigureTable
          summary="Each day's figures"
          caption={`The ${props.label} of ${props.probeName} per day (UTC), and the budget left at its end`}
          columns={["Day (UTC)", "SLI", "Bad", "No data", "Budget left"]}
          rows={[...days]
            .reverse()
            .map(
              (d) =>
                [
                  formatUtcDay(d.day),
                  d.sli === null ? "no data" : formatPercent(d.sli, 3),
                  d.bad,
                  d.noData,
                  d.remainingFraction === null ? "none yet" : formatPercent(d.remainingFraction, 1),
                ] as const,
            )}
        />
      )}
    </figure>
  );
}
