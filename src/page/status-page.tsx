/** The public status page: banner, active incidents and maintenance, components with 90-day bars. */
import { BANNER_TEXT, BarAxis, IncidentNotice, Legend, MaintenanceNotice, StateBadge, Time, UptimeBar } from "./components.tsx";
import { formatPercent } from "./format.ts";
import { Layout } from "./layout.tsx";
import type { GroupView, ProbeView, StatusPageView } from "./view-model.ts";

export { STATE_TEXT } from "./components.tsx";

function Probe(props: { probe: ProbeView }) {
  const p = props.probe;
  return (
    <li class="probe" data-probe={p.id}>
      <div class="probe-head">
        <h4>
          <a href={`/probes/${encodeURIComponent(p.id)}`}>{p.name}</a>
        </h4>
        <StateBadge state={p.state} />
      </div>
      {p.description ? <p class="muted">{p.description}</p> : null}
      <UptimeBar name={p.name} days={p.days} objective={p.objective} />
      <BarAxis availability={p.availability} daysWithData={p.daysWithData} days={p.days.length} />
    </li>
  );
}

function Group(props: { group: GroupView; index: number }) {
  const g = props.group;
  const id = `group-${props.index}`;
  return (
    <section class="group" aria-labelledby={id} data-group={g.name}>
      <div class="group-head">
        <h3 id={id}>{g.name}</h3>
        <span>
          <StateBadge state={g.state} />
          {g.availability === null ? null : (
            <span class="muted">
              {" "}
              · {formatPercent(g.availability)} {g.complete ? "over 90 days" : "over the days with data"}
            </span>
          )}
        </span>
      </div>
      <ul class="probes">
        {g.probes.map((p) => (
          <Probe probe={p} />
        ))}
      </ul>
    </section>
  );
}

export function StatusPage(props: { view: StatusPageView; nonce: string | undefined }) {
  const { view } = props;
  const { config, notices } = view;
  const banner = BANNER_TEXT[view.state];
  return (
    <Layout title={config.title} nonce={props.nonce} config={config}>
      <h1>{config.title}</h1>
      <section class="banner" data-state={view.state} aria-labelledby="overall">
        <span class="icon" aria-hidden="true">
          {banner.icon}
        </span>
        <div>
          <p class="headline" id="overall">
            {banner.text}
          </p>
          <p class="muted">Last checked {view.checkedAt === null ? "never" : <Time at={view.checkedAt} timeZone={config.timeZone} />}</p>
        </div>
      </section>

      {notices.activeIncidents.length ? (
        <section aria-labelledby="incidents-heading">
          <h2 id="incidents-heading">Active incidents</h2>
          {notices.activeIncidents.map((i) => (
            <IncidentNotice incident={i} timeZone={config.timeZone} />
          ))}
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
        </section>
      ) : null}

      <section aria-labelledby="components-heading">
        <h2 id="components-heading">Components</h2>
        <p class="muted">
          Each bar is one UTC day, oldest first. Hover over a day or move to it with the Tab key to see its availability, median response time and worst incident.
          Availability counts the runs that were stored; days without runs are shown as no data, never as up.
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
