/**
 * The Atom feed (RFC 4287) of public incidents and maintenance. Written by hand rather than with
 * hono/jsx, which renders HTML (void elements such as <link> would not be closed). Every text is
 * escaped for XML, and characters XML 1.0 cannot hold are dropped.
 *
 * Stable output for the same data (no clock: with nothing to report, `updated` is the Unix
 * epoch), so the ETag lets feed readers revalidate cheaply.
 */
import type { Maintenance } from "../incidents/model.ts";
import { escapeXml } from "../xml.ts";
import { IMPACT_TEXT, INCIDENT_STATUS_TEXT } from "./components.tsx";
import type { PageConfig } from "./page-config.ts";
import type { IncidentView } from "./notices-view.ts";

/** Text or an attribute value, escaped for XML; characters XML cannot carry are dropped. */
const xmlText = (value: string): string => escapeXml(value, "");

const iso = (at: number) => new Date(at).toISOString();

function element(name: string, text: string, attributes = ""): string {
  return `<${name}${attributes}>${xmlText(text)}</${name}>`;
}

function link(href: string, rel: string, type: string): string {
  return `<link rel="${rel}" type="${type}" href="${xmlText(href)}"/>`;
}

interface FeedInput {
  config: PageConfig;
  /** The page's origin, e.g. https://status.example.com. */
  origin: string;
  incidents: readonly IncidentView[];
  maintenances: readonly Maintenance[];
  /** Names of the shown probes by id: maintenance of other probes is left out. */
  names: ReadonlyMap<string, string>;
}

function describeSchedule(m: Maintenance): string {
  const s = m.schedule;
  if (s.kind === "once") return `From ${iso(s.startsAt)} to ${iso(s.endsAt)}.`;
  return `Recurring: starts at cron "${s.cron}" in ${s.timeZone}, lasts ${s.durationMinutes} minutes.`;
}

function incidentEntry(i: IncidentView, origin: string): string {
  const url = `${origin}/history#incident-${encodeURIComponent(i.id)}`;
  const summary = `${IMPACT_TEXT[i.impact]} impact · ${INCIDENT_STATUS_TEXT[i.status]}${i.components.length ? ` · affects ${i.components.join(", ")}` : ""}`;
  const content = i.updates
    .map((u) => `${INCIDENT_STATUS_TEXT[u.status]} (${iso(u.createdAt)}): ${u.body}`)
    .join("\n\n");
  return [
    "<entry>",
    element("id", url),
    element("title", `[${INCIDENT_STATUS_TEXT[i.status]}] ${i.title}`),
    element("published", iso(i.startedAt)),
    element("updated", iso(i.updatedAt)),
    link(url, "alternate", "text/html"),
    `<category term="incident"/>`,
    element("summary", summary, ` type="text"`),
    element("content", content || summary, ` type="text"`),
    "</entry>",
  ].join("");
}

function maintenanceEntry(m: Maintenance, origin: string, names: ReadonlyMap<string, string>): string {
  const url = `${origin}/#maintenance-${encodeURIComponent(m.id)}`;
  const affected = m.probeIds.flatMap((id) => names.get(id) ?? []);
  return [
    "<entry>",
    element("id", url),
    element("title", `${m.cancelledAt !== null ? "[Cancelled] " : ""}Maintenance: ${m.title}`),
    element("published", iso(m.createdAt)),
    element("updated", iso(m.updatedAt)),
    link(url, "alternate", "text/html"),
    `<category term="maintenance"/>`,
    element(
      "summary",
      `${describeSchedule(m)}${affected.length ? ` Affects ${affected.join(", ")}.` : ""}`,
      ` type="text"`,
    ),
    element("content", `${describeSchedule(m)}\n\n${m.body}`, ` type="text"`),
    "</entry>",
  ].join("");
}

/** The feed: incidents and maintenance touching a shown probe, newest update first. */
export function atomFeed(input: FeedInput): string {
  const maintenances = input.maintenances.filter((m) => m.probeIds.some((id) => input.names.has(id)));
  const entries = [
    ...input.incidents.map((i) => ({ updated: i.updatedAt, xml: incidentEntry(i, input.origin) })),
    ...maintenances.map((m) => ({ updated: m.updatedAt, xml: maintenanceEntry(m, input.origin, input.names) })),
  ].sort((a, b) => b.updated - a.updated);
  const updated = entries.reduce((t, e) => Math.max(t, e.updated), 0);
  return [
    `<?xml version="1.0" encoding="utf-8"?>\n`,
    `<feed xmlns="http://www.w3.org/2005/Atom">`,
    element("title", `${input.config.title}: incidents and maintenance`),
    element("id", `${input.origin}/feed.atom`),
    link(`${input.origin}/feed.atom`, "self", "application/atom+xml"),
    link(`${input.origin}/history`, "alternate", "text/html"),
    element("updated", iso(updated)),
    `<author>${element("name", input.config.title)}</author>`,
    element("generator", "Afterlife"),
    ...entries.map((e) => e.xml),
    `</feed>\n`,
  ].join("");
}
