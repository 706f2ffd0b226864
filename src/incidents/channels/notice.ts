/**
 * A notice as channels see it, and the plain-text wording they share. Every channel escapes
 * this text for its own format: probe names, groups and failure messages are user data.
 *
 * Three families share the shape, told apart by `transition`:
 * - probe incidents (down, up, flapping, stable): `incident` is the outage incident;
 * - SLO burn-rate alerts (burn, burn-resolved): `burn` carries the budget and the forecast, and
 *   `incident.id` is the alert's dedupe key (burn-alerts.ts);
 * - the no-data alert (no-data, no-data-resolved): every region of a probe stored no run for its
 *   silence lookback; `silence` says how long that is;
 * - the watchdog of the probe network (network): `network` says what happened, and `probe` is
 *   NETWORK_SUBJECT, since no single probe is concerned;
 * - the release watch's verdict (release-regressed, release-healthy): `release` has the release
 *   and the regression's evidence; `probe` is the regressed probe, or the release's first;
 * - journey metric thresholds (metric-breached, metric-recovered): `metric` has the metric, its
 *   threshold and the value that crossed it (or came back).
 */
import type { ExhaustionForecast } from "../../slo/forecast.ts";
import type { AlertSeverity, BurnWindow } from "../../slo/burn-rate.ts";
import type { SloWindow } from "../../slo/windows.ts";
import type { FailureEvidence, NoticeTransition } from "../probe-state-machine.ts";

/** Error-budget context: on burn notices always, on down/up notices when an alert is firing. */
export interface NoticeBurn {
  severity: AlertSeverity;
  /** remaining / budget over the SLO window (0.37 = 37 % left, negative when overspent); null with no events. */
  budgetRemaining: number | null;
  forecast: ExhaustionForecast;
  /** Burn notices: the SLI whose budget burns. */
  sli?: "availability" | "latency" | undefined;
  /** Burn notices: the SLO window the budget is of. */
  window?: SloWindow | undefined;
  /** Burn notices: the rule that fired (the most severe one); null on burn-resolved. */
  rule?:
    | { long: BurnWindow; short: BurnWindow; longRate: number; shortRate: number; threshold: number }
    | null
    | undefined;
}

/** What the watchdog saw (network notices). Times are epoch ms of scheduled minutes. */
export type NetworkEvent =
  | { kind: "ticks-missed"; from: number; to: number; minutes: number }
  | { kind: "region-silent"; region: string; since: number; detail: string | null }
  | { kind: "region-back"; region: string; silentSince: number; backAt: number }
  | { kind: "stage-failing"; stage: string; since: number; ticks: number; error: string }
  | { kind: "stage-back"; stage: string; failingSince: number; backAt: number };

/** The `probe` of a network notice. The colon keeps it apart from every probe id (slugs have none). */
export const NETWORK_SUBJECT = Object.freeze({ id: "afterlife:network", name: "Probe network", group: "Afterlife" });

export interface Notice {
  transition: NoticeTransition;
  probe: { id: string; name: string; group: string };
  incident: { id: string; title: string; startedAt: number; resolvedAt?: number | null | undefined };
  failure?: FailureEvidence | undefined;
  /** Failing regions. */
  regions: readonly string[];
  /** Error-budget context, when an SLO burn alert is firing for the probe (and on every burn notice). */
  burn?: NoticeBurn | undefined;
  /** On network notices: what the watchdog saw. */
  network?: NetworkEvent | undefined;
  /** On no-data notices: how long every region must store nothing before the probe counts as silent. */
  silence?: { lookbackMs: number } | undefined;
  /** On release notices: the release, and what regressed (probe, region, measure, before, after, runs). */
  release?: NoticeRelease | undefined;
  /** On journey metric notices: the metric, its bounds, and the value. */
  metric?: NoticeMetric | undefined;
  /** When the transition happened (epoch ms). */
  at: number;
}

/** What a journey metric notice says: `below`/`above` are the threshold's bounds (null when unset). */
export interface NoticeMetric {
  name: string;
  value: number;
  side: "below" | "above";
  below: number | null;
  above: number | null;
}

/** What a release notice says about the release and its watch. */
interface NoticeRelease {
  id: string;
  version: string;
  url: string | null;
  releasedAt: number;
  watchMinutes: number;
  /** The look (minutes after the release) the verdict comes from. */
  atMinute: number | null;
  reason: string;
  /** Regressions: what got worse, where, and the runs that show it. */
  regressions: {
    probeId: string;
    region: string;
    measure: "availability" | "latency";
    before: number | null;
    after: number | null;
    p: number;
    evidence: string[];
  }[];
}

/** The longest failure message a notice repeats; the full evidence is one click away. */
export const MAX_MESSAGE_CHARS = 500;

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h". */
function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const LABEL = { down: "DOWN", up: "UP", flapping: "FLAPPING", stable: "STABLE" } as const;

/** "37%", "42.5%". */
function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/** "14.4", "150", "0.8". */
function rate(value: number): string {
  return value >= 100 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

function budgetName(b: NoticeBurn): string {
  return b.sli === "latency" ? "Latency error budget" : "Error budget";
}

function windowName(window: SloWindow | undefined): string {
  return window === undefined ? "SLO" : window === "month" ? "calendar month's" : window;
}

/** "37% of the 30d budget left", "the 30d budget is overspent by 12%". */
function budgetLeft(b: NoticeBurn): string {
  const w = windowName(b.window);
  if (b.budgetRemaining === null) return `no events in the ${w} window to budget`;
  if (b.budgetRemaining < 0) return `the ${w} budget is overspent by ${percent(-b.budgetRemaining)}`;
  return `${percent(b.budgetRemaining)} of the ${w} budget left`;
}

/** "exhausted in ~5 h", "already exhausted", "not burning at the recent rate". */
function forecastPhrase(f: ExhaustionForecast): string {
  if (f.exhaustsAt !== null) return `exhausted in ~${formatDuration(f.hoursLeft * 3_600_000)}`;
  return f.reason === "exhausted"
    ? "already exhausted"
    : f.reason === "no-data"
      ? "no data to forecast from"
      : "not burning at the recent rate";
}

/** "14.4× over 1h and 5m", or "20.5× over 1h and 150× over 5m" when the two differ. */
function ratesPhrase(rule: NonNullable<NoticeBurn["rule"]>): string {
  const long = rate(rule.longRate);
  const short = rate(rule.shortRate);
  return long === short
    ? `${long}× over ${rule.long} and ${rule.short}`
    : `${long}× over ${rule.long} and ${short}× over ${rule.short}`;
}

/** The headline of a network notice; `withCount` names how many minutes of ticks were missed. */
export function networkHeadline(event: NetworkEvent | undefined, withCount = false): string {
  switch (event?.kind) {
    case "ticks-missed":
      return withCount
        ? `Probe network: ${event.minutes} minute${event.minutes === 1 ? "" : "s"} of ticks missed`
        : "Probe network: ticks missed";
    case "region-silent":
      return `Probe network: region ${event.region} stopped reporting`;
    case "region-back":
      return `Probe network: region ${event.region} reports again`;
    case "stage-failing":
      return `Probe network: tick stage ${event.stage} keeps failing`;
    case "stage-back":
      return `Probe network: tick stage ${event.stage} works again`;
    case undefined:
      return "Probe network";
  }
}

/**
 * "DOWN: Checkout journey", "Error budget burning fast (page): Checkout journey",
 * "Probe network: region apac stopped reporting".
 */
export function headline(notice: Notice): string {
  const name = notice.probe.name;
  switch (notice.transition) {
    case "burn": {
      const b = notice.burn;
      if (!b) return `Error budget burning: ${name}`;
      return `${budgetName(b)} burning${b.severity === "page" ? " fast" : ""} (${b.severity}): ${name}`;
    }
    case "burn-resolved":
      return `${notice.burn ? budgetName(notice.burn) : "Error budget"} burn resolved: ${name}`;
    case "no-data":
      return `No data: ${name}`;
    case "no-data-resolved":
      return `Data again: ${name}`;
    case "network":
      return networkHeadline(notice.network);
    case "release-regressed":
      return `Release ${notice.release?.version ?? "?"} regressed: ${name}`;
    case "release-healthy":
      return `Release ${notice.release?.version ?? "?"} healthy`;
    case "metric-breached":
      return `Metric ${notice.metric?.name ?? "?"} out of bounds: ${name}`;
    case "metric-recovered":
      return `Metric ${notice.metric?.name ?? "?"} back within bounds: ${name}`;
    default:
      return `${LABEL[notice.transition]}: ${name}`;
  }
}

function networkSummary(notice: Notice): string {
  const event = notice.network;
  switch (event?.kind) {
    case "ticks-missed": {
      const minutes = `${event.minutes} minute${event.minutes === 1 ? "" : "s"}`;
      return `Ticks missed from ${isoTime(event.from)} to ${isoTime(event.to)} (${minutes} with no runs). Those minutes show as no data, not as up.`;
    }
    case "region-silent":
      return `Region ${event.region} stopped reporting: no runs arrived from it at ${isoTime(event.since)}${event.detail ? ` (${truncate(event.detail, MAX_MESSAGE_CHARS)})` : ""}. Its probes show no data there until it reports again.`;
    case "region-back":
      return `Region ${event.region} reports again after ${formatDuration(event.backAt - event.silentSince)} without runs.`;
    case "stage-failing":
      return `The tick's ${event.stage} stage failed in ${event.ticks} ticks in a row since ${isoTime(event.since)}: ${truncate(event.error, MAX_MESSAGE_CHARS)}. The other stages still run.`;
    case "stage-back":
      return `The tick's ${event.stage} stage works again after ${formatDuration(event.backAt - event.failingSince)} of failures.`;
    case undefined:
      return notice.incident.title;
  }
}

/** One or two sentences on what happened. */
export function summary(notice: Notice): string {
  const who = `${notice.probe.name} (${notice.probe.group})`;
  const where = notice.regions.length ? ` Failing regions: ${notice.regions.join(", ")}.` : "";
  switch (notice.transition) {
    case "down":
      return `${who} is down since ${isoTime(notice.incident.startedAt)}.${where}`;
    case "up": {
      const end = notice.incident.resolvedAt ?? notice.at;
      return `${who} is up again after ${formatDuration(end - notice.incident.startedAt)} down.`;
    }
    case "flapping":
      return `${who} keeps changing between up and down. Down and up notices pause until it is stable.${where}`;
    case "stable":
      return `${who} is stable again. Down and up notices resume.`;
    case "burn": {
      const b = notice.burn;
      if (!b) return `${who} is burning its error budget.`;
      const sli = b.sli === "latency" ? "latency" : "availability";
      const rates = b.rule ? `${ratesPhrase(b.rule)}; ` : "";
      return `${who}, ${sli}: ${rates}${budgetLeft(b)}; ${forecastPhrase(b.forecast)}.`;
    }
    case "burn-resolved": {
      const b = notice.burn;
      const end = notice.incident.resolvedAt ?? notice.at;
      const lasted = `after ${formatDuration(end - notice.incident.startedAt)}`;
      if (!b) return `${who} no longer burns its error budget fast enough to alert (${lasted}).`;
      return `${who}, ${b.sli === "latency" ? "latency" : "availability"}: the ${b.severity} burn-rate alert stopped ${lasted}; ${budgetLeft(b)}.`;
    }
    case "no-data": {
      const lookback = notice.silence ? ` for ${formatDuration(notice.silence.lookbackMs)}` : "";
      return `${who} stored no run in any region${lookback}, although runs were due. Its SLOs count those minutes as no data, not as up or down.`;
    }
    case "no-data-resolved": {
      const end = notice.incident.resolvedAt ?? notice.at;
      return `${who} stores runs again after ${formatDuration(end - notice.incident.startedAt)} without data.`;
    }
    case "network":
      return networkSummary(notice);
    case "release-regressed":
    case "release-healthy":
      return releaseSummary(notice);
    case "metric-breached":
    case "metric-recovered":
      return metricSummary(notice, who);
  }
}

/** "Checkout journey (Checkout): cart_total is 0, below 1 since 2026-…". */
function metricSummary(notice: Notice, who: string): string {
  const m = notice.metric;
  if (!m) return notice.incident.title;
  const bound = m.side === "below" ? `below ${m.below}` : `above ${m.above}`;
  if (notice.transition === "metric-breached")
    return `${who}: ${m.name} is ${m.value}, ${bound}, since ${isoTime(notice.incident.startedAt)}.`;
  const end = notice.incident.resolvedAt ?? notice.at;
  return `${who}: ${m.name} is ${m.value} again, no longer ${bound}, after ${formatDuration(end - notice.incident.startedAt)}.`;
}

/** "apac latency: median 120 ms before, 380 ms after (p = 1.2e-6)". */
function regressionPhrase(r: NoticeRelease["regressions"][number]): string {
  const value = (v: number | null) =>
    v === null ? "none" : r.measure === "latency" ? `${Math.round(v)} ms` : percent(v);
  return `${r.probeId} in ${r.region}, ${r.measure}: ${r.measure === "latency" ? "median " : "passing "}${value(r.before)} before, ${value(r.after)} after (p = ${r.p.toExponential(1)})`;
}

function releaseSummary(notice: Notice): string {
  const r = notice.release;
  if (!r) return notice.incident.title;
  if (notice.transition === "release-healthy")
    return `Release ${r.version}: no regression in ${r.watchMinutes} minutes of watching. ${r.reason}.`;
  const worst = r.regressions.slice(0, 3).map(regressionPhrase).join("; ");
  return `Release ${r.version} made things worse ${r.atMinute ?? "?"} minutes after it went live: ${worst}.`;
}

/** `Step "log in" failed (assertion): expected 200, got 503`, or null. */
export function failureLine(notice: Notice): string | null {
  const f = notice.failure;
  if (!f) return null;
  return `Step "${f.step}" failed (${f.class}): ${truncate(f.message, MAX_MESSAGE_CHARS)}`;
}

/**
 * "Error budget: 42.5% left (page); runs out in about 7.5 h", or null. Burn notices say this in
 * their summary already, so they get null too.
 */
export function burnLine(notice: Notice): string | null {
  const b = notice.burn;
  if (!b || notice.transition === "burn" || notice.transition === "burn-resolved") return null;
  const left = b.budgetRemaining === null ? "unknown" : `${percent(b.budgetRemaining)} left`;
  const forecast =
    b.forecast.exhaustsAt !== null
      ? `runs out in about ${formatDuration(b.forecast.hoursLeft * 3_600_000)}`
      : b.forecast.reason === "exhausted"
        ? "already exhausted"
        : b.forecast.reason === "no-data"
          ? "no data to forecast from"
          : "not burning";
  return `Error budget: ${left} (${b.severity}); ${forecast}`;
}

/** What the notice is about, for a footer: "Incident … · probe …", "Burn alert … · probe …", "Watchdog notice …". */
export function reference(notice: Notice): string {
  switch (notice.transition) {
    case "burn":
    case "burn-resolved":
      return `Burn alert ${notice.incident.id} · probe ${notice.probe.id}`;
    case "no-data":
    case "no-data-resolved":
      return `No-data alert ${notice.incident.id} · probe ${notice.probe.id}`;
    case "network":
      return `Watchdog notice ${notice.incident.id}`;
    case "metric-breached":
    case "metric-recovered":
      return `Metric alert ${notice.incident.id} · probe ${notice.probe.id}`;
    case "release-regressed":
    case "release-healthy":
      return `Release ${notice.incident.id}${notice.release?.regressions[0]?.evidence[0] ? ` · run ${notice.release.regressions[0].evidence[0]}` : ""}`;
    default:
      return `Incident ${notice.incident.id} · probe ${notice.probe.id}`;
  }
}
