/**
 * Renders a metrics snapshot in the Prometheus text exposition format, version 0.0.4.
 * Pure: no I/O; the route that serves `/metrics` builds the snapshot and sets the content type.
 *
 * Format guarantees (checked line by line by test/worker/api/prometheus.test.ts):
 * - every family gets exactly one `# HELP` and one `# TYPE` line, written before its samples, and
 *   all samples of a family are contiguous; families are written even when they have no sample;
 * - label values are escaped (`\` → `\\`, `"` → `\"`, newline → `\n`), label and metric names are
 *   constants matching `[a-zA-Z_][a-zA-Z0-9_]*`;
 * - a sample whose value is null or NaN is left out (NaN is never written); ±Infinity is written
 *   `+Inf` / `-Inf`, other numbers with JavaScript's shortest round-trip form (`0.999`, `1e-7`),
 *   which Prometheus parses like Go's ParseFloat;
 * - no sample timestamps (Prometheus stamps the scrape), no duplicate series: when the snapshot
 *   repeats a series (the same probe twice, or two SLOs with the same sli whose burn-rate windows
 *   overlap) the first one wins, except `afterlife_probe_alert`, which fires when any of them fires;
 * - the output ends with a newline.
 *
 * Units follow Prometheus conventions: durations in seconds, timestamps in seconds since the epoch,
 * ratios in 0..1 (the snapshot carries milliseconds; they are divided by 1000 here).
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type RegionMetricState = "up" | "degraded" | "down" | "no-data";
type MetricsSli = "availability" | "latency";
type MetricsAlert = "ok" | "ticket" | "page";

interface RegionMetrics {
  region: string;
  state: RegionMetricState;
  /** Duration of the newest run in ms, or null when there is none. */
  lastDurationMs: number | null;
  /** Epoch ms when the newest run started, or null when there is none. */
  lastRunAt: number | null;
}

export interface SloMetrics {
  sli: MetricsSli;
  /** The SLO window label, e.g. "30d". */
  window: string;
  /** The objective as a ratio, e.g. 0.999. */
  objective: number;
  /** The SLI over the window as a ratio, or null when there is no data. */
  value: number | null;
  budgetRemainingRatio: number | null;
  /** Burn rate per burn window label ("5m", "30m", "1h", "6h", "24h", "3d"). */
  burnRates: Record<string, number | null>;
  /**
   * Good, bad and no-data events per window label: the SLO window itself and every burn window,
   * so a burn of 40 read off 1 failure in 25 events shows as such. Absent: not reported.
   */
  events?: Record<string, { good: number; bad: number; noData: number }>;
  alert: MetricsAlert;
}

interface ProbeMetrics {
  id: string;
  regions: RegionMetrics[];
  slos: SloMetrics[];
  /** The newest value of each journey metric per region (extract.metric, ctx.metric); absent: none. */
  journey?: { region: string; name: string; value: number }[];
}

export interface MetricsSnapshot {
  /** Epoch ms when the snapshot was computed (not exported as a sample). */
  generatedAt: number;
  probes: ProbeMetrics[];
  version: string;
}

/** The states written for afterlife_probe_state, in this order (one 0/1 sample each). */
const METRIC_STATES: readonly RegionMetricState[] = ["up", "degraded", "down", "no-data"];
/** Burn windows written first, in this order; any other key of `burnRates` follows, sorted. */
const BURN_WINDOWS: readonly string[] = ["5m", "30m", "1h", "6h", "24h", "3d"];
const SEVERITIES = ["page", "ticket"] as const;

type Labels = readonly (readonly [name: string, value: string])[];

interface Family {
  name: string;
  help: string;
  type: "gauge";
  /** Rendered sample lines, in insertion order. */
  lines: string[];
  /** Series keys already written, for dedup. */
  seen: Set<string>;
}

function family(name: string, help: string): Family {
  return { name, help, type: "gauge", lines: [], seen: new Set() };
}

/** Label value escaping of the text format: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}

/** HELP text escaping of the text format: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\\" ? "\\\\" : "\\n"));
}

/** A sample value as text, or null when it must not be written (null, NaN). */
export function formatValue(value: number | null): string | null {
  if (value === null || Number.isNaN(value)) return null;
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Object.is(value, -0)) return "0";
  return String(value);
}

/** Adds a sample unless its value is null/NaN or the series was already written; true if written. */
function add(f: Family, labels: Labels, value: number | null): boolean {
  const text = formatValue(value);
  if (text === null) return false;
  const rendered = labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",");
  if (f.seen.has(rendered)) return false;
  f.seen.add(rendered);
  f.lines.push(labels.length === 0 ? `${f.name} ${text}` : `${f.name}{${rendered}} ${text}`);
  return true;
}

function burnWindowsOf(burnRates: Record<string, number | null>): string[] {
  const known = BURN_WINDOWS.filter((w) => Object.hasOwn(burnRates, w));
  const others = Object.keys(burnRates)
    .filter((w) => !BURN_WINDOWS.includes(w))
    .sort();
  return [...known, ...others];
}

export function renderPrometheus(snapshot: MetricsSnapshot): string {
  const up = family(
    "afterlife_probe_up",
    "1 when the newest run in the region is up or degraded, 0 when down; absent without data.",
  );
  const state = family(
    "afterlife_probe_state",
    "1 for the current state of the probe in the region (up, degraded, down, no-data), 0 for the others.",
  );
  const duration = family(
    "afterlife_probe_last_duration_seconds",
    "Duration of the newest run in the region, in seconds.",
  );
  const lastRun = family(
    "afterlife_probe_last_run_timestamp_seconds",
    "Start of the newest run in the region, in seconds since the Unix epoch.",
  );
  const sli = family("afterlife_probe_sli", "Service level indicator over the SLO window, as a ratio of good runs.");
  const objective = family("afterlife_probe_objective", "Service level objective over the SLO window, as a ratio.");
  const budget = family(
    "afterlife_probe_error_budget_remaining_ratio",
    "Share of the error budget left over the SLO window (negative when overspent).",
  );
  const burn = family(
    "afterlife_probe_burn_rate",
    "Error budget burn rate over the burn window (1 spends the budget exactly over the SLO window).",
  );
  const events = family(
    "afterlife_probe_events",
    "Events counted over the window (the SLO window or a burn window), by kind: good, bad, or no_data (missing runs and monitoring-side failures).",
  );
  const alert = family("afterlife_probe_alert", "1 when the burn-rate alert of this severity is firing, 0 otherwise.");
  const journey = family(
    "afterlife_journey_metric",
    "Newest value of a journey metric (extract.metric or ctx.metric of the probe) in the region, as the journey recorded it.",
  );
  const build = family("afterlife_build_info", "Afterlife build information; always 1.");

  /** (probe, region) pairs that already have their afterlife_probe_state samples. */
  const statesWritten = new Set<string>();
  /** afterlife_probe_alert: firing if any SLO of the (probe, sli, severity) fires. */
  const alerts = new Map<string, { labels: Labels; firing: boolean }>();

  for (const probe of snapshot.probes) {
    for (const r of probe.regions) {
      const labels: Labels = [
        ["probe", probe.id],
        ["region", r.region],
      ];
      if (r.state !== "no-data") add(up, labels, r.state === "down" ? 0 : 1);
      // Dedup on the (probe, region) pair, so a repeated region cannot write two current states.
      const stateKey = `${escapeLabelValue(probe.id)}\n${escapeLabelValue(r.region)}`;
      if (!statesWritten.has(stateKey)) {
        statesWritten.add(stateKey);
        for (const s of METRIC_STATES) add(state, [...labels, ["state", s]], s === r.state ? 1 : 0);
      }
      add(duration, labels, r.lastDurationMs === null ? null : r.lastDurationMs / 1000);
      add(lastRun, labels, r.lastRunAt === null ? null : r.lastRunAt / 1000);
    }
    for (const m of probe.journey ?? [])
      add(
        journey,
        [
          ["probe", probe.id],
          ["region", m.region],
          ["name", m.name],
        ],
        m.value,
      );
    for (const slo of probe.slos) {
      const labels: Labels = [
        ["probe", probe.id],
        ["sli", slo.sli],
        ["window", slo.window],
      ];
      add(sli, labels, slo.value);
      add(objective, labels, slo.objective);
      add(budget, labels, slo.budgetRemainingRatio);
      for (const w of burnWindowsOf(slo.burnRates)) {
        add(
          burn,
          [
            ["probe", probe.id],
            ["sli", slo.sli],
            ["window", w],
          ],
          slo.burnRates[w] ?? null,
        );
      }
      for (const [w, counts] of Object.entries(slo.events ?? {})) {
        for (const [kind, value] of [
          ["good", counts.good],
          ["bad", counts.bad],
          ["no_data", counts.noData],
        ] as const) {
          add(
            events,
            [
              ["probe", probe.id],
              ["sli", slo.sli],
              ["window", w],
              ["kind", kind],
            ],
            value,
          );
        }
      }
      for (const severity of SEVERITIES) {
        const key = `${escapeLabelValue(probe.id)}\n${slo.sli}\n${severity}`;
        const firing = slo.alert === severity;
        const existing = alerts.get(key);
        if (existing) existing.firing ||= firing;
        else
          alerts.set(key, {
            labels: [
              ["probe", probe.id],
              ["sli", slo.sli],
              ["severity", severity],
            ],
            firing,
          });
      }
    }
  }
  for (const { labels, firing } of alerts.values()) add(alert, labels, firing ? 1 : 0);
  add(build, [["version", snapshot.version]], 1);

  const families = [up, state, duration, lastRun, sli, objective, budget, burn, events, alert, journey, build];
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.lines);
  }
  return `${out.join("\n")}\n`;
}
