/** Pieces the pages share: states with an icon and a word, times, the 90-day bar, notices. */
import type { Impact, IncidentStatus } from "../incidents/model.ts";
import { formatCount, formatMs, formatObjective, formatPercent, formatTime, formatUtcDay } from "./format.ts";
import type { BannerState, ComponentState, DayLevel, DaySegment, IncidentView, MaintenanceView } from "./view-model.ts";

/** Text and an icon beside every colour: colour is never the only signal. */
export const STATE_TEXT: Record<ComponentState, { icon: string; text: string }> = {
  up: { icon: "✓", text: "Operational" },
  degraded: { icon: "◐", text: "Degraded performance" },
  regional: { icon: "◐", text: "Regional issue" },
  down: { icon: "✕", text: "Down" },
  "no-data": { icon: "?", text: "No data" },
  maintenance: { icon: "⚒", text: "Under maintenance" },
};

export const BANNER_TEXT: Record<BannerState, { icon: string; text: string }> = {
  operational: { icon: "✓", text: "All systems operational" },
  degraded: { icon: "◐", text: "Degraded performance" },
  partial_outage: { icon: "✕", text: "Partial outage" },
  major_outage: { icon: "✕", text: "Major outage" },
  maintenance: { icon: "⚒", text: "Under maintenance" },
  unknown: { icon: "?", text: "No data yet" },
};

export const LEVEL_TEXT: Record<DayLevel, string> = {
  ok: "Met objective",
  minor: "Below objective",
  major: "Under 90 %",
  none: "No data",
};

export const IMPACT_TEXT: Record<Impact, string> = { none: "No impact", minor: "Minor", major: "Major", critical: "Critical" };
export const INCIDENT_STATUS_TEXT: Record<IncidentStatus, string> = { investigating: "Investigating", identified: "Identified", monitoring: "Monitoring", resolved: "Resolved" };

export function StateBadge(props: { state: ComponentState }) {
  const s = STATE_TEXT[props.state];
  return (
    <span class="state" data-state={props.state}>
      <span aria-hidden="true">{s.icon}</span> {s.text}
    </span>
  );
}

/** A time in the page's zone; the page's script rewrites it in the reader's zone. */
export function Time(props: { at: number; timeZone: string }) {
  return (
    <time datetime={new Date(props.at).toISOString()} data-local="">
      {formatTime(props.at, props.timeZone)}
    </time>
  );
}

function dayText(d: DaySegment, objective: number): string {
  if (d.runs === 0) return "No data: no run was stored.";
  if (d.availability === null) return `Maintenance: ${formatCount(d.maintenance)} runs in a maintenance window, not counted.`;
  const parts = [
    `${LEVEL_TEXT[d.level]} (${formatObjective(objective)}): ${formatPercent(d.availability ?? 0)} of ${formatCount(d.runs)} runs good`,
    d.down ? `, ${formatCount(d.down)} failed` : "",
    d.degraded ? `, ${formatCount(d.degraded)} slow` : "",
    `. Median ${formatMs(d.medianMs)}.`,
    d.missing ? ` ${formatCount(d.missing)} expected runs without data.` : "",
  ];
  return parts.join("");
}

/**
 * One segment per UTC day, oldest first. Each is focusable and holds its own text, visually
 * hidden until hover or keyboard focus shows it as a tooltip (CSS only), and read by screen
 * readers as the segment's content.
 */
export function UptimeBar(props: { name: string; days: readonly DaySegment[]; objective: number }) {
  return (
    <ol class="bar" aria-label={`Daily availability of ${props.name} over the last ${props.days.length} UTC days, oldest first`}>
      {props.days.map((d) => (
        <li class={`d-${d.level}`} tabindex={0}>
          <span>
            <b>{formatUtcDay(d.dayAt)}</b>
            {` ${dayText(d, props.objective)}`}
            {d.worstIncident ? ` Incident: ${d.worstIncident.title} (${IMPACT_TEXT[d.worstIncident.impact].toLowerCase()}).` : d.runs ? " No incident." : ""}
          </span>
        </li>
      ))}
    </ol>
  );
}

export function BarAxis(props: { availability: number | null; daysWithData: number; days: number }) {
  const { availability, daysWithData, days } = props;
  const uptime =
    availability === null
      ? `No data in ${days} days`
      : daysWithData === days
        ? `${formatPercent(availability)} available over ${days} days`
        : `${formatPercent(availability)} available over the ${daysWithData} of ${days} days with data`;
  return (
    <div class="axis">
      <span>
        <span class="span-90">90 days ago</span>
        <span class="span-30">30 days ago</span>
      </span>
      <span class="uptime">{uptime}</span>
      <span>Today</span>
    </div>
  );
}

export function Legend() {
  const levels: DayLevel[] = ["ok", "minor", "major", "none"];
  return (
    <ul class="legend" aria-label="Legend of the daily bars">
      {levels.map((l) => (
        <li>
          <span class={`swatch d-${l}`} aria-hidden="true"></span>
          {LEVEL_TEXT[l]}
        </li>
      ))}
    </ul>
  );
}

export function IncidentNotice(props: { incident: IncidentView; timeZone: string; headingLevel?: "h2" | "h3" }) {
  const i = props.incident;
  const latest = i.updates[0];
  return (
    <article class="notice" data-kind="incident" data-impact={i.impact} id={`incident-${i.id}`}>
      <h3>{i.title}</h3>
      <p class="muted">
        {IMPACT_TEXT[i.impact]} impact · {INCIDENT_STATUS_TEXT[i.status]} · since <Time at={i.startedAt} timeZone={props.timeZone} />
        {i.components.length ? ` · affects ${i.components.join(", ")}` : ""}
      </p>
      {latest ? (
        <p>
          <strong>{INCIDENT_STATUS_TEXT[latest.status]}</strong> (<Time at={latest.createdAt} timeZone={props.timeZone} />): <span class="update">{latest.body}</span>
        </p>
      ) : null}
    </article>
  );
}

export function MaintenanceNotice(props: { window: MaintenanceView; timeZone: string; active: boolean }) {
  const w = props.window;
  return (
    <article class="notice" data-kind="maintenance">
      <h3>{w.title}</h3>
      <p class="muted">
        {props.active ? "In progress" : "Scheduled"} · <Time at={w.startsAt} timeZone={props.timeZone} /> to <Time at={w.endsAt} timeZone={props.timeZone} />
        {w.components.length ? ` · affects ${w.components.join(", ")}` : ""}
      </p>
      <p class="update">{w.body}</p>
    </article>
  );
}

export function Timeline(props: { incident: IncidentView; timeZone: string }) {
  return (
    <ol class="timeline" aria-label={`Updates, newest first`}>
      {props.incident.updates.map((u) => (
        <li>
          <strong>{INCIDENT_STATUS_TEXT[u.status]}</strong> · <Time at={u.createdAt} timeZone={props.timeZone} />
          <div class="update">{u.body}</div>
        </li>
      ))}
    </ol>
  );
}
