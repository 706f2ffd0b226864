/**
 * The latency chart: p50 (solid) and p95 (dashed) as inline SVG drawn on the server, with the
 * axis labels in HTML (so they keep their size on a phone), a text summary, and the numbers as
 * a table for screen readers and anyone who wants them.
 */
import { FigureTable } from "./figure-table.tsx";
import { formatMs, formatUtcDay } from "./format.ts";
import type { ChartPoint, LatencyChart, ReleaseMarker } from "./probe-detail-view.ts";

const WIDTH = 1000;
const HEIGHT = 300;
/** Tops whose quarters are round numbers too. */
const STEPS = [1, 2, 4, 6, 8, 10];

/** The smallest "nice" number (1, 2, 4, 6 or 8 times a power of ten) at or above `v`, at least 10 ms. */
function niceCeiling(v: number): number {
  if (!(v > 10)) return 10;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const s of STEPS) if (s * power >= v) return s * power;
  return 10 * power;
}

/** An SVG path through the points that have a value; a gap (no data) starts a new subpath. */
function linePath(points: readonly ChartPoint[], key: "p50" | "p95", max: number): string {
  const n = points.length;
  const parts: string[] = [];
  let open = false;
  points.forEach((p, i) => {
    const v = p[key];
    if (v === null) {
      open = false;
      return;
    }
    const x = ((i + 0.5) / n) * WIDTH;
    const y = HEIGHT - (Math.min(v, max) / max) * HEIGHT;
    const next = points[i + 1]?.[key] ?? null;
    // A point alone between gaps is drawn as a dot: a zero-length segment with round caps.
    parts.push(`${open ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}${!open && next === null ? "h0.01" : ""}`);
    open = true;
  });
  return parts.join("");
}

const RANGE_AXIS: Record<LatencyChart["range"], [string, string, string]> = {
  "24h": ["24 hours ago", "12 hours ago", "Now"],
  "7d": ["7 days ago", "3½ days ago", "Now"],
  "30d": ["30 days ago", "15 days ago", "Today"],
};

const RANGE_NAME: Record<LatencyChart["range"], string> = {
  "24h": "the last 24 hours",
  "7d": "the last 7 days",
  "30d": "the last 30 days",
};

function summary(chart: LatencyChart): string {
  const p50 = chart.points.flatMap((p) => (p.p50 === null ? [] : [p.p50]));
  const p95 = chart.points.flatMap((p) => (p.p95 === null ? [] : [p.p95]));
  const unit = chart.bucketMs === 3_600_000 ? "hours" : "days";
  const empty = chart.points.filter((p) => p.p50 === null).length;
  if (!p50.length) return `No timed runs in ${RANGE_NAME[chart.range]}.`;
  return (
    `Over ${RANGE_NAME[chart.range]}, the median (p50) was between ${formatMs(Math.min(...p50))} and ${formatMs(Math.max(...p50))}, ` +
    `and the 95th percentile (p95) between ${formatMs(Math.min(...p95))} and ${formatMs(Math.max(...p95))}` +
    `${empty ? `; ${empty} of ${chart.points.length} ${unit} have no data` : ""}.`
  );
}

function bucketLabel(at: number, bucketMs: number): string {
  const iso = new Date(at).toISOString();
  return bucketMs === 3_600_000 ? `${formatUtcDay(at)} ${iso.slice(11, 16)} UTC` : formatUtcDay(at);
}

/** Where a release falls on the chart's x axis (0–WIDTH), or null outside its range. */
function releaseX(chart: Pick<LatencyChart, "from" | "to">, at: number): number | null {
  if (!(at >= chart.from && at < chart.to)) return null;
  return ((at - chart.from) / (chart.to - chart.from)) * WIDTH;
}

export function LatencyChartFigure(props: {
  chart: LatencyChart;
  probeName: string;
  releases?: readonly ReleaseMarker[];
}) {
  const { chart } = props;
  const releases = (props.releases ?? []).flatMap((r) => {
    const x = releaseX(chart, r.at);
    return x === null ? [] : [{ ...r, x }];
  });
  const top = niceCeiling(
    Math.max(
      0,
      ...chart.points.flatMap((p) => [p.p50, p.p95]).filter((v): v is number => v !== null && Number.isFinite(v)),
    ),
  );
  const ticks = [top, (top * 3) / 4, top / 2, top / 4, 0];
  const [start, middle, end] = RANGE_AXIS[chart.range];
  return (
    <figure class="chart">
      <figcaption id="chart-summary">{summary(chart)}</figcaption>
      <div class="chart-grid">
        <div class="y-axis" aria-hidden="true">
          {ticks.map((t) => (
            <span>{formatMs(t)}</span>
          ))}
        </div>
        <svg
          class="plot"
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          preserveAspectRatio="none"
          role="img"
          aria-label={`Response time of ${props.probeName}, p50 and p95, over ${RANGE_NAME[chart.range]}`}
        >
          {[1, 2, 3].map((k) => (
            <line
              class="gridline"
              x1="0"
              x2={String(WIDTH)}
              y1={String((HEIGHT * k) / 4)}
              y2={String((HEIGHT * k) / 4)}
              vector-effect="non-scaling-stroke"
            />
          ))}
          {(["p95", "p50"] as const).map((quantile) => (
            <path
              class={quantile}
              d={linePath(chart.points, quantile, top) || "M0 0"}
              vector-effect="non-scaling-stroke"
              stroke-linecap="round"
              stroke-linejoin="round"
            />
          ))}
          {releases.map((r) => (
            <line
              class="release"
              data-release={r.id}
              x1={r.x.toFixed(1)}
              x2={r.x.toFixed(1)}
              y1="0"
              y2={String(HEIGHT)}
              stroke="currentColor"
              stroke-dasharray="2 3"
              vector-effect="non-scaling-stroke"
            >
              <title>{`Release ${r.version} (${r.verdict})`}</title>
            </line>
          ))}
        </svg>
        <div class="x-axis" aria-hidden="true">
          <span>{start}</span>
          <span>{middle}</span>
          <span>{end}</span>
        </div>
      </div>
      <ul class="chart-legend">
        <li>
          <svg width="28" height="8" aria-hidden="true">
            <line class="key-p50" x1="0" y1="4" x2="28" y2="4" />
          </svg>
          p50 (median), solid line
        </li>
        <li>
          <svg width="28" height="8" aria-hidden="true">
            <line class="key-p95" x1="0" y1="4" x2="28" y2="4" />
          </svg>
          p95, dashed line
        </li>
        {releases.length > 0 && (
          <li class="chart-releases">
            Releases (dotted vertical lines):{" "}
            {releases.map((r) => `${r.version} at ${bucketLabel(r.at, 3_600_000)} (${r.verdict})`).join("; ")}
          </li>
        )}
      </ul>
      <FigureTable
        summary="The numbers as a table"
        caption={`Response time of ${props.probeName} per ${chart.bucketMs === 3_600_000 ? "hour" : "day"} (UTC)`}
        columns={[chart.bucketMs === 3_600_000 ? "Hour (UTC)" : "Day (UTC)", "p50", "p95", "Runs"]}
        rows={[...chart.points]
          .reverse()
          .map((p) => [bucketLabel(p.at, chart.bucketMs), formatMs(p.p50), formatMs(p.p95), p.runs] as const)}
      />
    </figure>
  );
}
