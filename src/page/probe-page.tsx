/** A component's page: 90-day bar, latency chart, regions, SLO panel, last failures, incidents. */
import type { FailureClass, WebVitals } from "../probe/result.ts";
import type { LatencyMetric } from "../probe/schema.ts";
import type { SliReport } from "../slo/report.ts";
import {
  BarAxis,
  IncidentNotice,
  Legend,
  MaintenanceNotice,
  StateBadge,
  Time,
  Timeline,
  UptimeBar,
  INCIDENT_STATUS_TEXT,
  IMPACT_TEXT,
} from "./components.tsx";
import { formatCount, formatDuration, formatMs, formatObjective, formatPercent, regionName } from "./format.ts";
import { BurnDownChart } from "./burn-down-chart.tsx";
import { JourneyMetricFigure } from "./journey-metric-chart.tsx";
import { LatencyChartFigure } from "./latency-chart.tsx";
import { Layout } from "./layout.tsx";
import { CHART_RANGES, type ChartRange, type ProbeDetailView } from "./probe-detail-view.ts";

const FAILURE_TEXT: Record<FailureClass, string> = {
  dns: "DNS lookup failed",
  connect: "Could not connect",
  tls: "Secure connection (TLS) failed",
  timeout: "Timed out",
  status: "Unexpected HTTP status",
  assertion: "A check on the response failed",
  script: "A scripted step failed",
  probe: "Problem on the monitoring side, not the service",
  navigation: "A page did not load",
  "selector-timeout": "A page element never became ready",
  "console-error": "The page logged an error",
};

/** The Web Vitals columns of a browser probe's page. */
const VITAL_COLUMNS: [keyof WebVitals, string][] = [
  ["lcpMs", "LCP"],
  ["fcpMs", "FCP"],
  ["ttfbMs", "TTFB"],
  ["loadMs", "Load"],
  ["cls", "CLS"],
  ["inpMs", "INP"],
];

const METRIC_TEXT: Record<LatencyMetric, string> = {
  duration: "duration",
  lcp: "Largest Contentful Paint",
  ttfb: "time to first byte",
  fcp: "First Contentful Paint",
  load: "load time",
  inp: "Interaction to Next Paint",
};

const SCHEDULE_TEXT: Record<string, string> = {
  "1m": "every minute",
  "2m": "every 2 minutes",
  "5m": "every 5 minutes",
  "10m": "every 10 minutes",
  "15m": "every 15 minutes",
  "30m": "every 30 minutes",
  "1h": "every hour",
};

const RANGE_LABEL: Record<ChartRange, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days" };
const WINDOW_LABEL: Record<string, string> = {
  "1h": "the last hour",
  "24h": "the last 24 hours",
  "7d": "the last 7 days",
  "30d": "the last 30 days",
  "90d": "the last 90 days",
  month: "this month",
};

function rate(v: number | null | undefined): string {
  return v === null || v === undefined ? "no runs" : `${v < 10 ? v.toFixed(2) : v.toFixed(0)}×`;
}

function BudgetBar(props: { fraction: number | null }) {
  if (props.fraction === null) return null;
  const shown = Math.max(0, Math.min(1, props.fraction));
  const tone = props.fraction <= 0 ? "out" : props.fraction < 0.25 ? "low" : "ok";
  return (
    <svg class="budget" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect class="track" x="0.5" y="0.5" width="99" height="9" rx="2" vector-effect="non-scaling-stroke" />
      <rect class={`fill ${tone}`} x="0.5" y="0.5" width={(shown * 99).toFixed(2)} height="9" rx="2" />
    </svg>
  );
}

/** "12 runs without data: 10 missing, 2 failed on the monitoring side". */
function noDataText(r: SliReport): string {
  const parts = [
    r.events.missing > 0 ? `${formatCount(r.events.missing)} missing` : null,
    r.events.monitoringSide > 0 ? `${formatCount(r.events.monitoringSide)} failed on the monitoring side` : null,
  ].filter((p) => p !== null);
  return `${formatCount(r.events.noData)} run${r.events.noData === 1 ? "" : "s"} without data: ${parts.join(", ")}`;
}

/** "43.2 min", "2.5 h". */
function formatMinutes(minutes: number): string {
  return minutes < 120 ? `${minutes.toFixed(1)} min` : `${(minutes / 60).toFixed(1)} h`;
}

function SliCard(props: { report: SliReport; window: string; timeZone: string; probeName: string }) {
  const r = props.report;
  const title = r.kind === "availability" ? "Availability" : "Response time";
  const target =
    r.kind === "availability"
      ? `${formatObjective(r.objective)} of runs succeed`
      : `${formatObjective(r.objective)} of runs finish within ${formatMs(r.underMs ?? null)}`;
  const sli = r.sli.excluded;
  const budget = r.budget;
  const forecast = r.forecast;
  return (
    <section class="slo-card" aria-labelledby={`slo-${r.kind}`}>
      <h3 id={`slo-${r.kind}`}>{title}</h3>
      <dl>
        <dt>Objective</dt>
        <dd>
          {target}, over {WINDOW_LABEL[props.window] ?? props.window}
        </dd>
        <dt>Current</dt>
        <dd>
          {sli.value === null ? `no data (${sli.reason ?? "no runs"})` : formatPercent(sli.value, 3)}
          {r.events.noData > 0 ? (
            <span class="muted">
              {" "}
              ({noDataText(r)}
              {r.sli.noDataAsBad.value !== null
                ? `; ${formatPercent(r.sli.noDataAsBad.value, 3)} counting them as failed`
                : ""}
              )
            </span>
          ) : null}
        </dd>
        <dt>Error budget</dt>
        <dd>
          {budget.remainingFraction === null
            ? "none yet (no runs in the window)"
            : budget.remainingFraction <= 0
              ? `exhausted (${formatCount(budget.consumed)} bad runs, ${budget.budget.toFixed(1)} allowed)`
              : `${formatPercent(budget.remainingFraction, 1)} left (${formatCount(budget.consumed)} of ${budget.budget.toFixed(1)} bad runs used)`}
          {r.budgetMinutes.remaining !== null ? (
            <span class="muted">
              {" "}
              · {formatMinutes(Math.max(0, r.budgetMinutes.remaining))} of {formatMinutes(r.budgetMinutes.allowed)} of
              full downtime left
            </span>
          ) : null}
        </dd>
        <dt>Burn rate</dt>
        <dd>
          {Object.entries(r.lookbacks).map(([w, l], i) => (
            <span>
              {i > 0 ? " · " : ""}
              {w}: {rate(l.burnRate)}
              <span class="muted">
                {" "}
                ({formatCount(l.bad)} of {formatCount(l.events)})
              </span>
            </span>
          ))}
          {r.alert.state === "ok" ? null : (
            <span> · {r.alert.state === "page" ? "burning fast" : "burning faster than sustainable"}</span>
          )}
        </dd>
        <dt>Forecast</dt>
        <dd>
          {budget.remainingFraction === null || (forecast.exhaustsAt === null && forecast.reason === "no-data") ? (
            "nothing to forecast without runs"
          ) : forecast.exhaustsAt !== null ? (
            <span>
              at this rate the budget runs out in {formatDuration(forecast.hoursLeft * 3_600_000)} (
              <Time at={forecast.exhaustsAt} timeZone={props.timeZone} />)
            </span>
          ) : forecast.reason === "exhausted" ? (
            "the budget is already used up"
          ) : (
            "no failures in the last 6 hours, so the budget is not shrinking"
          )}
        </dd>
      </dl>
      <BudgetBar fraction={budget.remainingFraction} />
      <p class="visually-hidden">
        {budget.remainingFraction === null
          ? ""
          : `${formatPercent(Math.max(0, budget.remainingFraction), 1)} of the error budget left.`}
      </p>
      <h4>Burn-down, day by day</h4>
      <BurnDownChart
        days={r.history}
        label={r.kind === "availability" ? "availability" : "response-time"}
        probeName={props.probeName}
      />
    </section>
  );
}

export function ProbePage(props: { view: ProbeDetailView }) {
  const { view } = props;
  const { config, probe } = view;
  const tz = config.timeZone;
  const base = `/probes/${encodeURIComponent(probe.id)}`;
  return (
    <Layout title={`${probe.name} · ${config.title}`} config={config}>
      <nav aria-label="Breadcrumb">
        <p>
          <a href="/">← All components</a>
        </p>
      </nav>
      <h1>{probe.name}</h1>
      <p data-probe={probe.id}>
        <StateBadge state={probe.state} /> <span class="muted">· {probe.group}</span>
      </p>
      {probe.description ? <p>{probe.description}</p> : null}
      <p class="muted">
        Checked {SCHEDULE_TEXT[view.schedule] ?? view.schedule} from {view.regions.length} region
        {view.regions.length === 1 ? "" : "s"}; shown as down when {view.quorum} of them fail
        {probe.lastRunAt === null ? (
          "."
        ) : (
          <span>
            . Last run <Time at={probe.lastRunAt} timeZone={tz} />.
          </span>
        )}
      </p>

      {view.notices.activeIncidents.map((i) => (
        <IncidentNotice incident={i} timeZone={tz} />
      ))}
      {view.notices.activeMaintenance.map((w) => (
        <MaintenanceNotice window={w} timeZone={tz} active={true} />
      ))}

      <h2 id="days">Last 90 days</h2>
      <Legend />
      <UptimeBar name={probe.name} days={probe.days} objective={probe.objective} />
      <BarAxis availability={probe.availability} daysWithData={probe.daysWithData} days={probe.days.length} />

      <h2 id="latency-heading">Response time</h2>
      <ul class="tabs" aria-label="Time range">
        {CHART_RANGES.map((r) => (
          <li>
            <a href={`${base}?range=${r}#latency-heading`} aria-current={r === view.chart.range ? "page" : undefined}>
              {RANGE_LABEL[r]}
            </a>
          </li>
        ))}
      </ul>
      <LatencyChartFigure chart={view.chart} probeName={probe.name} releases={view.releases} />
      <p class="muted">
        {view.latencyMetric === "duration"
          ? "Times are whole runs, all steps included."
          : `Times are each run's ${METRIC_TEXT[view.latencyMetric]} (the worst page of the journey), as the latency objective judges it.`}{" "}
        Percentiles come from histograms: never below the true value, and at most 26 % above it.
      </p>

      {view.vitals.length ? (
        <>
          <h2 id="vitals-heading">Web Vitals</h2>
          <div class="table-wrap">
            <table aria-labelledby="vitals-heading">
              <caption class="muted">The newest run from each region, the worst page of the journey.</caption>
              <thead>
                <tr>
                  <th scope="col">Region</th>
                  <th scope="col">Run</th>
                  {VITAL_COLUMNS.map(([, label]) => (
                    <th scope="col" class="num">
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {view.vitals.map((v) => (
                  <tr>
                    <th scope="row">{regionName(v.region)}</th>
                    <td>
                      <Time at={v.at} timeZone={tz} />
                    </td>
                    {VITAL_COLUMNS.map(([key]) => {
                      const value = v.vitals[key];
                      return (
                        <td class="num">
                          {value === undefined ? "—" : key === "cls" ? value.toFixed(3) : formatMs(value)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      {view.metrics && view.metrics.length > 0 ? (
        <section aria-labelledby="metrics-heading">
          <h2 id="metrics-heading">Business metrics</h2>
          <p class="muted">Numbers the journey reads on every run, as the hourly mean of every region.</p>
          {view.metrics.map((m) => (
            <div>
              <h3>{m.name}</h3>
              <JourneyMetricFigure metric={m} now={view.now} probeName={probe.name} />
            </div>
          ))}
        </section>
      ) : null}

      <h2 id="regions-heading">Regions</h2>
      <div class="table-wrap">
        <table aria-labelledby="regions-heading">
          <thead>
            <tr>
              <th scope="col">Region</th>
              <th scope="col">State</th>
              <th scope="col" class="num">
                p95, 24 h
              </th>
              <th scope="col">Last run</th>
            </tr>
          </thead>
          <tbody>
            {view.regions.map((r) => (
              <tr data-region={r.region}>
                <th scope="row">{regionName(r.region)}</th>
                <td>
                  <StateBadge state={r.state} />
                </td>
                <td class="num">{formatMs(r.p95)}</td>
                <td>{r.lastRunAt === null ? "never" : <Time at={r.lastRunAt} timeZone={tz} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2 id="slo-heading">Service level objectives</h2>
      {view.slo ? (
        <div class="slo">
          <SliCard report={view.slo.availability} window={view.slo.window} timeZone={tz} probeName={probe.name} />
          {view.slo.latency ? (
            <SliCard report={view.slo.latency} window={view.slo.window} timeZone={tz} probeName={probe.name} />
          ) : null}
        </div>
      ) : (
        <p>No objective is reported for this component.</p>
      )}

      <h2 id="failures-heading">Recent failures</h2>
      {view.failures.length === 0 ? (
        <p>No failed runs in the recent history.</p>
      ) : (
        <ul class="failures" aria-labelledby="failures-heading">
          {view.failures.map((f) => (
            <li>
              <Time at={f.at} timeZone={tz} /> · {regionName(f.region)} ·{" "}
              <strong>{f.failureClass ? FAILURE_TEXT[f.failureClass] : "Failed"}</strong>
              {f.step !== undefined ? (
                <div>
                  Step “{f.step}”: {f.message}
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}

      <h2 id="incidents-heading">Incidents</h2>
      {view.incidents.length === 0 ? (
        <p>No recent incidents for this component.</p>
      ) : (
        view.incidents.map((i) => (
          <article class="incident" id={`incident-${i.id}`}>
            <h3>{i.title}</h3>
            <p class="muted">
              {IMPACT_TEXT[i.impact]} impact · {INCIDENT_STATUS_TEXT[i.status]} ·{" "}
              <Time at={i.startedAt} timeZone={tz} />
              {i.resolvedAt === null ? "" : ` · lasted ${formatDuration(i.resolvedAt - i.startedAt)}`}
            </p>
            <Timeline incident={i} timeZone={tz} />
          </article>
        ))
      )}
      <p>
        <a href="/history">All past incidents</a>
      </p>
    </Layout>
  );
}
