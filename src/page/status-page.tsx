/**
 * The public status page: banner, active incidents and maintenance (at most MAX_NOTICES of
 * each), components with 90-day bars. Its size depends on the number of probes only: each bar
 * is a strip of 90 compact days linking to the probe's page, where every day has its figures.
 */
import {
  BANNER_TEXT,
  barAxisHtml,
  dayStripHtml,
  escapeHtml,
  IncidentNotice,
  Legend,
  MaintenanceNotice,
  stateBadgeHtml,
  Time,
} from "./components.tsx";
import { raw } from "hono/html";
import { formatCount, formatPercent } from "./format.ts";
import { Layout } from "./layout.tsx";
import type { GroupView, ProbeSummaryView, StatusPageView } from "./status-view.ts";

/**
 * A probe's entry and a group, written as strings (their outside text escaped by hono's own
 * escaper, as JSX does), not as JSX elements: the status page repeats them for every public
 * probe, and an element tree costs several times the string (npm run bench:page). The page's
 * other parts are drawn once and stay JSX.
 */
function probeHtml(p: ProbeSummaryView): string {
  const description = p.description ? `<p class="muted">${escapeHtml(p.description)}</p>` : "";
  return `<li class="probe" data-probe="${escapeHtml(p.id)}"><div class="probe-head"><h4><a href="${escapeHtml(`/probes/${encodeURIComponent(p.id)}`)}">${escapeHtml(p.name)}</a></h4>${stateBadgeHtml(p.state)}</div>${description}${dayStripHtml(p.id, p.name, p.levels)}${barAxisHtml(p.availability, p.daysWithData, p.levels.length)}</li>`;
}

function Group(props: { group: GroupView; index: number }) {
  const g = props.group;
  const id = `group-${props.index}`;
  const availability =
    g.availability === null
      ? ""
      : `<span class="muted"> · ${formatPercent(g.availability)} ${g.complete ? "over 90 days" : "over the days with data"}</span>`;
  let probes = "";
  for (const p of g.probes) probes += probeHtml(p);
  return raw(
    `<section class="group" aria-labelledby="${id}" data-group="${escapeHtml(g.name)}"><div class="group-head"><h3 id="${id}">${escapeHtml(g.name)}</h3><span>${stateBadgeHtml(g.state)}${availability}</span></div><ul class="probes">${probes}</ul></section>`,
  );
}

export function StatusPage(props: { view: StatusPageView }) {
  const { view } = props;
  const { config, notices, notShown } = view;
  const banner = BANNER_TEXT[view.state];
  return (
    <Layout title={config.title} config={config}>
      <h1>{config.title}</h1>
      <section class="banner" data-state={view.state} aria-labelledby="overall">
        <span class="icon" aria-hidden="true">
          {banner.icon}
        </span>
        <div>
          <p class="headline" id="overall">
            {banner.text}
          </p>
          <p class="muted">
            Last checked {view.checkedAt === null ? "never" : <Time at={view.checkedAt} timeZone={config.timeZone} />}
          </p>
        </div>
      </section>

      {notices.activeIncidents.length ? (
        <section aria-labelledby="incidents-heading">
          <h2 id="incidents-heading">Active incidents</h2>
          {notices.activeIncidents.map((i) => (
            <IncidentNotice incident={i} timeZone={config.timeZone} excerpt={true} />
          ))}
          {notShown.incidents ? (
            <p>
              <a href="/history">
                {formatCount(notShown.incidents)} more active incident{notShown.incidents === 1 ? "" : "s"} in the
                incident history
              </a>
            </p>
          ) : null}
        </section>
      ) : null}
      {notices.activeMaintenance.length || notices.upcomingMaintenance.length ? (
        <section aria-labelledby="maintenance-heading">
          <h2 id="maintenance-heading">Maintenance</h2>
          {notices.activeMaintenance.map((w) => (
            <MaintenanceNotice window={w} timeZone={config.timeZone} active={true} />
          ))}
          {notices.upcomingMaintenance.map((w) => (
            <MaintenanceNotice window={w} timeZone={config.timeZone} active={false} />
          ))}
          {notShown.maintenance ? (
            <p>
              {formatCount(notShown.maintenance)} more maintenance window{notShown.maintenance === 1 ? "" : "s"}:{" "}
              <a href="/api/v2/scheduled-maintenances.json">all of them (JSON)</a>
            </p>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="components-heading">
        <h2 id="components-heading">Components</h2>
        <p class="muted">
          Each bar shows the last 90 UTC days, oldest first. Open a bar for each day's availability, median response
          time and worst incident. Availability counts the runs that were stored; days without runs are shown as no
          data, never as up.
        </p>
        <Legend />
        {view.groups.length === 0 ? <p>No public components yet.</p> : null}
        {view.groups.map((g, index) => (
          <Group group={g} index={index} />
        ))}
      </section>
      <p>
        <a href="/history">Past incidents</a>
      </p>
    </Layout>
  );
}
