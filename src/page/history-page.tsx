/** Past incidents by month, each with its timeline of updates. */
import { IMPACT_TEXT, INCIDENT_STATUS_TEXT, Time, Timeline } from "./components.tsx";
import { formatDuration } from "./format.ts";
import { Layout } from "./layout.tsx";
import type { PageConfig } from "./page-config.ts";
import type { HistoryMonth } from "./history-view.ts";

export function HistoryPage(props: { config: PageConfig; months: readonly HistoryMonth[] }) {
  const { config } = props;
  const tz = config.timeZone;
  return (
    <Layout title={`Incident history · ${config.title}`} config={config}>
      <nav aria-label="Breadcrumb">
        <p>
          <a href="/">← Current status</a>
        </p>
      </nav>
      <h1>Incident history</h1>
      <p class="muted">
        Every public incident, newest first. <a href="/feed.atom">Subscribe to the Atom feed</a> to hear about new ones.
      </p>
      {props.months.map((m) => (
        <section class="month" aria-labelledby={`month-${m.key}`} data-month={m.key}>
          <h2 id={`month-${m.key}`}>{m.label}</h2>
          {m.incidents.length === 0 ? <p>No incidents reported.</p> : null}
          {m.incidents.map((i) => (
            <article class="incident" id={`incident-${i.id}`}>
              <h3>{i.title}</h3>
              <p class="muted">
                {IMPACT_TEXT[i.impact]} impact · {INCIDENT_STATUS_TEXT[i.status]} · started{" "}
                <Time at={i.startedAt} timeZone={tz} />
                {i.resolvedAt === null ? " · ongoing" : ` · lasted ${formatDuration(i.resolvedAt - i.startedAt)}`}
                {i.components.length ? ` · affected ${i.components.join(", ")}` : ""}
              </p>
              <Timeline incident={i} timeZone={tz} />
            </article>
          ))}
        </section>
      ))}
    </Layout>
  );
}
