/** Pieces the pages share: states with an icon and a word, times, the 90-day bar, notices. */
import { escapeToBuffer, raw } from "hono/utils/html";
import type { Impact, IncidentStatus } from "../incidents/model.ts";
import { formatCount, formatMs, formatObjective, formatPercent, formatTime, formatUtcDay } from "./format.ts";
import type { ComponentState } from "../status/state-order.ts";
import { LEVEL_CODE, type DayCodes, type DayLevel, type DaySegment } from "./day-bars.ts";
import type { IncidentView, MaintenanceView } from "./notices-view.ts";
import type { BannerState } from "./status-view.ts";

/** Text and an icon beside every colour: colour is never the only signal. */
const STATE_TEXT: Record<ComponentState, { icon: string; text: string }> = {
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

const LEVEL_TEXT: Record<DayLevel, string> = {
  ok: "Met objective",
  minor: "Below objective",
  major: "Under 90 %",
  none: "No data",
};

export const IMPACT_TEXT: Record<Impact, string> = {
  none: "No impact",
  minor: "Minor",
  major: "Major",
  critical: "Critical",
};
export const INCIDENT_STATUS_TEXT: Record<IncidentStatus, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};

/** A state's icon and words. */
export function StateBadge(props: { state: ComponentState }) {
  return raw(stateBadgeHtml(props.state));
}

/** StateBadge as a string, for the status page's entries (see status-page.tsx). */
export function stateBadgeHtml(state: ComponentState): string {
  const s = STATE_TEXT[state];
  return `<span class="state" data-state="${state}"><span aria-hidden="true">${s.icon}</span> ${s.text}</span>`;
}

/** A time in the page's zone; the page's script rewrites it in the reader's zone. */
export function Time(props: { at: number; timeZone: string }) {
  return (
    <time datetime={new Date(props.at).toISOString()} data-local="">
      {formatTime(props.at, props.timeZone)}
    </time>
  );
}

/** A segment's text; `objective` is the probe's objective, formatted once per bar. */
function dayText(d: DaySegment, objective: string): string {
  if (d.runs === 0) return "No data: no run was stored.";
  if (d.availability === null)
    return `Maintenance: ${formatCount(d.maintenance)} runs in a maintenance window, not counted.`;
  let text = `${LEVEL_TEXT[d.level]} (${objective}): ${formatPercent(d.availability)} of ${formatCount(d.up + d.degraded + d.down)} runs good`;
  if (d.down) text += `, ${formatCount(d.down)} failed`;
  if (d.degraded) text += `, ${formatCount(d.degraded)} slow`;
  text += `. Median ${formatMs(d.medianMs)}.`;
  if (d.maintenance) text += ` ${formatCount(d.maintenance)} runs in maintenance not counted.`;
  if (d.missing) text += ` ${formatCount(d.missing)} expected runs without data.`;
  return text;
}

/** The bars of every probe show the same 90 days: each day's label is formatted once per isolate. */
const dayLabels = new Map<number, string>();

function dayLabel(dayAt: number): string {
  let label = dayLabels.get(dayAt);
  if (label === undefined) {
    if (dayLabels.size > 1000) dayLabels.clear();
    label = formatUtcDay(dayAt);
    dayLabels.set(dayAt, label);
  }
  return label;
}

/**
 * One segment per UTC day, oldest first. Each is focusable and holds its own text, visually
 * hidden until hover or keyboard focus shows it as a tooltip (CSS only), and read by screen
 * readers as the segment's content.
 *
 * Written as one string, not as JSX elements: the status page has a bar per probe, 4,500
 * segments for 50 probes, and building them as an element tree was most of its render time
 * (npm run bench:page). Text from outside (the probe's name, an incident's title) still goes
 * through hono's own escaper, as in JSX.
 */
export function UptimeBar(props: { name: string; days: readonly DaySegment[]; objective: number }) {
  const objective = formatObjective(props.objective);
  const parts: string[] = [
    `<ol class="bar" aria-label="${escapeHtml(`Daily availability of ${props.name} over the last ${props.days.length} UTC days, oldest first`)}">`,
  ];
  for (const d of props.days) {
    // dayText is Afterlife's own words and numbers; the incident title is the only outside text.
    const incident = d.worstIncident
      ? ` Incident: ${escapeHtml(d.worstIncident.title)} (${IMPACT_TEXT[d.worstIncident.impact].toLowerCase()}).`
      : d.runs
        ? " No incident."
        : "";
    const releases = d.releases?.length ? ` Released: ${escapeHtml(d.releases.join(", "))}.` : "";
    parts.push(
      `<li class="d-${d.level}" tabindex="0"><span><b>${dayLabel(d.dayAt)}</b> ${dayText(d, objective)}${incident}${releases}</span></li>`,
    );
  }
  parts.push("</ol>");
  return raw(parts.join(""));
}

/**
 * The element each day of a DayStrip is drawn with: one empty element of 7 bytes per day, told
 * apart by its tag instead of a class (styles.ts gives each its colour and height). The strip is
 * hidden from assistive technology, so the tags' own meanings never reach a reader.
 */
export const DAY_TAG: Record<DayLevel, string> = { ok: "i", minor: "b", major: "s", none: "u" };
/** Each level code's element in a strip. */
const DAY_ELEMENT: Readonly<Record<string, string>> = Object.fromEntries(
  (Object.keys(DAY_TAG) as DayLevel[]).map((level) => [LEVEL_CODE[level], `<${DAY_TAG[level]}></${DAY_TAG[level]}>`]),
);

/**
 * The status page's bar: one compact element per UTC day, oldest first, inside a link to the
 * probe's page, where each day can be focused and states its date, availability, median
 * response time and worst incident (UptimeBar). 90 days x 7 bytes whatever the history holds, so
 * 50 probes stay a page of tens of KB; the strip itself is decoration (aria-hidden), the link
 * says where the figures are.
 */
export function dayStripHtml(id: string, name: string, levels: DayCodes): string {
  let strip = `<a class="strip" href="/probes/${encodeURIComponent(id)}#days"><span class="visually-hidden">${escapeHtml(`${name}: each of the last ${levels.length} days`)}</span><span class="days" aria-hidden="true">`;
  // A run of days of one level is one repeat: most bars are a few runs, not 90 pieces.
  for (let start = 0, end = 1; start < levels.length; start = end++) {
    while (end < levels.length && levels[end] === levels[start]) end++;
    strip += DAY_ELEMENT[levels[start]!]!.repeat(end - start);
  }
  return `${strip}</span></a>`;
}

/** Text or an attribute value, escaped by hono's own escaper (as JSX does). */
export function escapeHtml(text: string): string {
  const out: [string] = [""];
  escapeToBuffer(text, out);
  return out[0];
}

export function BarAxis(props: { availability: number | null; daysWithData: number; days: number }) {
  return raw(barAxisHtml(props.availability, props.daysWithData, props.days));
}

/** BarAxis as a string. */
export function barAxisHtml(availability: number | null, daysWithData: number, days: number): string {
  const uptime =
    availability === null
      ? `No data in ${days} days`
      : daysWithData === days
        ? `${formatPercent(availability)} available over ${days} days`
        : `${formatPercent(availability)} available over the ${daysWithData} of ${days} days with data`;
  // The ends of the axis ("90 days ago", "Today"; "30 days ago" on a phone) are the stylesheet's: the same words under every bar.
  return `<div class="axis"><span class="uptime">${uptime}</span></div>`;
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

/** The longest update the status page quotes in full; a longer one is cut there, with a link to the whole text on /history. */
const EXCERPT_CHARS = 480;

/** `text` cut at the last space before `max` characters, with an ellipsis; null when it fits. */
function excerptOf(text: string, max: number): string | null {
  if (text.length <= max) return null;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()} …`;
}

export function IncidentNotice(props: { incident: IncidentView; timeZone: string; excerpt?: boolean }) {
  const i = props.incident;
  const latest = i.updates[0];
  const cut = latest && props.excerpt ? excerptOf(latest.body, EXCERPT_CHARS) : null;
  return (
    <article class="notice" data-kind="incident" data-impact={i.impact} id={`incident-${i.id}`}>
      <h3>{i.title}</h3>
      <p class="muted">
        {IMPACT_TEXT[i.impact]} impact · {INCIDENT_STATUS_TEXT[i.status]} · since{" "}
        <Time at={i.startedAt} timeZone={props.timeZone} />
        {i.components.length ? ` · affects ${i.components.join(", ")}` : ""}
      </p>
      {latest ? (
        <p>
          <strong>{INCIDENT_STATUS_TEXT[latest.status]}</strong> (
          <Time at={latest.createdAt} timeZone={props.timeZone} />
          ): <span class="update">{cut ?? latest.body}</span>
          {cut === null ? null : (
            <span>
              {" "}
              <a href={`/history#incident-${i.id}`}>Read the whole update</a>
            </span>
          )}
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
        {props.active ? "In progress" : "Scheduled"} · <Time at={w.startsAt} timeZone={props.timeZone} /> to{" "}
        <Time at={w.endsAt} timeZone={props.timeZone} />
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
