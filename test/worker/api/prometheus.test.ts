/** The Prometheus renderer: exact output, escaping, nulls, and every line through a strict parser. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeLabelValue,
  formatValue,
  type MetricsSnapshot,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
} from "../../../src/api/metrics/prometheus.ts";
import { ExpositionError, parseExposition, type ParsedFamily } from "./exposition-parser.ts";

const FAMILIES = [
  "afterlife_probe_up",
  "afterlife_probe_state",
  "afterlife_probe_last_duration_seconds",
  "afterlife_probe_last_run_timestamp_seconds",
  "afterlife_probe_sli",
  "afterlife_probe_objective",
  "afterlife_probe_error_budget_remaining_ratio",
  "afterlife_probe_burn_rate",
  "afterlife_probe_events",
  "afterlife_probe_alert",
  "afterlife_journey_metric",
  "afterlife_build_info",
];

const samplesOf = (families: ParsedFamily[], name: string) => families.find((f) => f.name === name)?.samples ?? [];

const small: MetricsSnapshot = {
  generatedAt: Date.UTC(2026, 10, 26, 10),
  version: "0.1.0",
  probes: [
    {
      id: "checkout",
      regions: [
        { region: "weur", state: "up", lastDurationMs: 1234, lastRunAt: 1_795_000_000_000 },
        { region: "enam", state: "down", lastDurationMs: 30_000, lastRunAt: 1_795_000_000_500 },
      ],
      slos: [
        {
          sli: "availability",
          window: "30d",
          objective: 0.999,
          value: 0.9995,
          budgetRemainingRatio: 0.5,
          burnRates: { "1h": 14.4, "5m": 20 },
          events: { "5m": { good: 24, bad: 1, noData: 0 } },
          alert: "page",
        },
      ],
      journey: [
        { region: "weur", name: "cart_total", value: 3097 },
        { region: "enam", name: "cart_total", value: 0 },
        { region: "weur", name: "cart_total", value: 1 }, // a repeated series: the first one wins
      ],
    },
  ],
};

const SMALL_EXPECTED = `# HELP afterlife_probe_up 1 when the newest run in the region is up or degraded, 0 when down; absent without data.
# TYPE afterlife_probe_up gauge
afterlife_probe_up{probe="checkout",region="weur"} 1
afterlife_probe_up{probe="checkout",region="enam"} 0
# HELP afterlife_probe_state 1 for the current state of the probe in the region (up, degraded, down, no-data), 0 for the others.
# TYPE afterlife_probe_state gauge
afterlife_probe_state{probe="checkout",region="weur",state="up"} 1
afterlife_probe_state{probe="checkout",region="weur",state="degraded"} 0
afterlife_probe_state{probe="checkout",region="weur",state="down"} 0
afterlife_probe_state{probe="checkout",region="weur",state="no-data"} 0
afterlife_probe_state{probe="checkout",region="enam",state="up"} 0
afterlife_probe_state{probe="checkout",region="enam",state="degraded"} 0
afterlife_probe_state{probe="checkout",region="enam",state="down"} 1
afterlife_probe_state{probe="checkout",region="enam",state="no-data"} 0
# HELP afterlife_probe_last_duration_seconds Duration of the newest run in the region, in seconds.
# TYPE afterlife_probe_last_duration_seconds gauge
afterlife_probe_last_duration_seconds{probe="checkout",region="weur"} 1.234
afterlife_probe_last_duration_seconds{probe="checkout",region="enam"} 30
# HELP afterlife_probe_last_run_timestamp_seconds Start of the newest run in the region, in seconds since the Unix epoch.
# TYPE afterlife_probe_last_run_timestamp_seconds gauge
afterlife_probe_last_run_timestamp_seconds{probe="checkout",region="weur"} 1795000000
afterlife_probe_last_run_timestamp_seconds{probe="checkout",region="enam"} 1795000000.5
# HELP afterlife_probe_sli Service level indicator over the SLO window, as a ratio of good runs.
# TYPE afterlife_probe_sli gauge
afterlife_probe_sli{probe="checkout",sli="availability",window="30d"} 0.9995
# HELP afterlife_probe_objective Service level objective over the SLO window, as a ratio.
# TYPE afterlife_probe_objective gauge
afterlife_probe_objective{probe="checkout",sli="availability",window="30d"} 0.999
# HELP afterlife_probe_error_budget_remaining_ratio Share of the error budget left over the SLO window (negative when overspent).
# TYPE afterlife_probe_error_budget_remaining_ratio gauge
afterlife_probe_error_budget_remaining_ratio{probe="checkout",sli="availability",window="30d"} 0.5
# HELP afterlife_probe_burn_rate Error budget burn rate over the burn window (1 spends the budget exactly over the SLO window).
# TYPE afterlife_probe_burn_rate gauge
afterlife_probe_burn_rate{probe="checkout",sli="availability",window="5m"} 20
afterlife_probe_burn_rate{probe="checkout",sli="availability",window="1h"} 14.4
# HELP afterlife_probe_events Events counted over the window (the SLO window or a burn window), by kind: good, bad, or no_data (missing runs and monitoring-side failures).
# TYPE afterlife_probe_events gauge
afterlife_probe_events{probe="checkout",sli="availability",window="5m",kind="good"} 24
afterlife_probe_events{probe="checkout",sli="availability",window="5m",kind="bad"} 1
afterlife_probe_events{probe="checkout",sli="availability",window="5m",kind="no_data"} 0
# HELP afterlife_probe_alert 1 when the burn-rate alert of this severity is firing, 0 otherwise.
# TYPE afterlife_probe_alert gauge
afterlife_probe_alert{probe="checkout",sli="availability",severity="page"} 1
afterlife_probe_alert{probe="checkout",sli="availability",severity="ticket"} 0
# HELP afterlife_journey_metric Newest value of a journey metric (extract.metric or ctx.metric of the probe) in the region, as the journey recorded it.
# TYPE afterlife_journey_metric gauge
afterlife_journey_metric{probe="checkout",region="weur",name="cart_total"} 3097
afterlife_journey_metric{probe="checkout",region="enam",name="cart_total"} 0
# HELP afterlife_build_info Afterlife build information; always 1.
# TYPE afterlife_build_info gauge
afterlife_build_info{version="0.1.0"} 1
`;

describe("renderPrometheus", () => {
  it("exports the 0.0.4 content type", () => {
    expect(PROMETHEUS_CONTENT_TYPE).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("renders a small snapshot exactly", () => {
    const text = renderPrometheus(small);
    expect(text).toBe(SMALL_EXPECTED);
    const families = parseExposition(text);
    expect(families.map((f) => f.name)).toEqual(FAMILIES);
    expect(families.every((f) => f.type === "gauge")).toBe(true);
  });

  it("writes every family's HELP and TYPE even with no probes", () => {
    const text = renderPrometheus({ generatedAt: 0, version: "dev", probes: [] });
    const families = parseExposition(text);
    expect(families.map((f) => f.name)).toEqual(FAMILIES);
    expect(families.flatMap((f) => f.samples).map((s) => `${s.name} ${JSON.stringify(s.labels)} ${s.value}`)).toEqual([
      'afterlife_build_info {"version":"dev"} 1',
    ]);
  });

  it("escapes backslash, double quote and newline in label values", () => {
    const id = 'we"ird\\pro\nbe';
    const text = renderPrometheus({
      generatedAt: 0,
      version: 'v"1\\\n',
      probes: [{ id, regions: [{ region: "r\\1", state: "degraded", lastDurationMs: 5, lastRunAt: null }], slos: [] }],
    });
    expect(text).toContain('afterlife_probe_up{probe="we\\"ird\\\\pro\\nbe",region="r\\\\1"} 1\n');
    expect(text).toContain('afterlife_build_info{version="v\\"1\\\\\\n"} 1\n');
    const families = parseExposition(text);
    const up = samplesOf(families, "afterlife_probe_up");
    expect(up).toHaveLength(1);
    expect(up[0]!.labels).toEqual({ probe: id, region: "r\\1" });
    expect(samplesOf(families, "afterlife_build_info")[0]!.labels).toEqual({ version: 'v"1\\\n' });
    expect(samplesOf(families, "afterlife_probe_last_duration_seconds")[0]!.value).toBe(0.005);
  });

  it("skips samples whose value is null and never writes NaN", () => {
    const text = renderPrometheus({
      generatedAt: 0,
      version: "x",
      probes: [
        {
          id: "quiet",
          regions: [{ region: "weur", state: "no-data", lastDurationMs: null, lastRunAt: null }],
          slos: [
            {
              sli: "latency",
              window: "7d",
              objective: 0.95,
              value: null,
              budgetRemainingRatio: Number.NaN,
              burnRates: { "5m": null, "1h": Number.NaN, "6h": 0 },
              alert: "ok",
            },
          ],
        },
      ],
    });
    expect(text).not.toMatch(/NaN/);
    const families = parseExposition(text);
    expect(samplesOf(families, "afterlife_probe_up")).toEqual([]); // absent with no data
    expect(samplesOf(families, "afterlife_probe_last_duration_seconds")).toEqual([]);
    expect(samplesOf(families, "afterlife_probe_last_run_timestamp_seconds")).toEqual([]);
    expect(samplesOf(families, "afterlife_probe_sli")).toEqual([]);
    expect(samplesOf(families, "afterlife_probe_error_budget_remaining_ratio")).toEqual([]);
    expect(samplesOf(families, "afterlife_probe_objective").map((s) => s.value)).toEqual([0.95]);
    expect(samplesOf(families, "afterlife_probe_burn_rate").map((s) => [s.labels.window, s.value])).toEqual([
      ["6h", 0],
    ]);
    expect(
      samplesOf(families, "afterlife_probe_state")
        .filter((s) => s.value === 1)
        .map((s) => s.labels.state),
    ).toEqual(["no-data"]);
    expect(samplesOf(families, "afterlife_probe_alert").map((s) => s.value)).toEqual([0, 0]);
  });

  it("orders burn windows canonically, then unknown ones sorted", () => {
    const text = renderPrometheus({
      generatedAt: 0,
      version: "x",
      probes: [
        {
          id: "p",
          regions: [],
          slos: [
            {
              sli: "availability",
              window: "30d",
              objective: 0.99,
              value: 1,
              budgetRemainingRatio: 1,
              burnRates: { "3d": 1, zz: 2, "5m": 3, "24h": 4, "30m": 5, aa: 6, "6h": 7, "1h": 8 },
              alert: "ticket",
            },
          ],
        },
      ],
    });
    const families = parseExposition(text);
    expect(samplesOf(families, "afterlife_probe_burn_rate").map((s) => s.labels.window)).toEqual([
      "5m",
      "30m",
      "1h",
      "6h",
      "24h",
      "3d",
      "aa",
      "zz",
    ]);
    expect(samplesOf(families, "afterlife_probe_alert").map((s) => [s.labels.severity, s.value])).toEqual([
      ["page", 0],
      ["ticket", 1],
    ]);
  });

  it("never writes a duplicate series when the snapshot repeats itself; alerts fire if any SLO fires", () => {
    const probe = small.probes[0]!;
    const second = { ...probe.slos[0]!, window: "7d", alert: "ticket" as const, burnRates: { "5m": 99, "6h": 1 } };
    const text = renderPrometheus({ ...small, probes: [{ ...probe, slos: [...probe.slos, second] }, probe] });
    const families = parseExposition(text); // throws on a duplicate series
    expect(samplesOf(families, "afterlife_probe_up")).toHaveLength(2);
    expect(samplesOf(families, "afterlife_probe_state")).toHaveLength(8);
    expect(samplesOf(families, "afterlife_probe_sli").map((s) => s.labels.window)).toEqual(["30d", "7d"]);
    // burn windows are not per SLO window: the first SLO's 5m wins, the second adds 6h
    expect(samplesOf(families, "afterlife_probe_burn_rate").map((s) => [s.labels.window, s.value])).toEqual([
      ["5m", 20],
      ["1h", 14.4],
      ["6h", 1],
    ]);
    expect(samplesOf(families, "afterlife_probe_alert").map((s) => [s.labels.severity, s.value])).toEqual([
      ["page", 1],
      ["ticket", 1],
    ]);
  });

  it("formats numbers the way Prometheus parses them", () => {
    expect(formatValue(null)).toBeNull();
    expect(formatValue(Number.NaN)).toBeNull();
    expect(formatValue(Infinity)).toBe("+Inf");
    expect(formatValue(-Infinity)).toBe("-Inf");
    expect(formatValue(-0)).toBe("0");
    expect(formatValue(1e-7)).toBe("1e-7");
    expect(formatValue(1e21)).toBe("1e+21");
    expect(formatValue(-2.5)).toBe("-2.5");
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it("any snapshot renders to valid exposition text whose label values round-trip", () => {
    const value = fc.option(fc.oneof(fc.double(), fc.integer()), { nil: null });
    const region = fc.record({
      region: fc.string(),
      state: fc.constantFrom("up" as const, "degraded" as const, "down" as const, "no-data" as const),
      lastDurationMs: value,
      lastRunAt: value,
    });
    const slo = fc.record({
      sli: fc.constantFrom("availability" as const, "latency" as const),
      window: fc.string(),
      objective: fc.double(),
      value,
      budgetRemainingRatio: value,
      burnRates: fc.dictionary(fc.oneof(fc.constantFrom("5m", "30m", "1h", "6h", "24h", "3d"), fc.string()), value),
      alert: fc.constantFrom("ok" as const, "ticket" as const, "page" as const),
    });
    const journey = fc.record({ region: fc.string(), name: fc.string(), value: fc.double() });
    const probe = fc.record(
      {
        id: fc.string({ unit: "binary" }),
        regions: fc.array(region, { maxLength: 4 }),
        slos: fc.array(slo, { maxLength: 3 }),
        journey: fc.array(journey, { maxLength: 3 }),
      },
      { requiredKeys: ["id", "regions", "slos"] },
    );
    fc.assert(
      fc.property(fc.array(probe, { maxLength: 4 }), fc.string(), (probes, version) => {
        const text = renderPrometheus({ generatedAt: 0, version, probes });
        const families = parseExposition(text);
        expect(families.map((f) => f.name)).toEqual(FAMILIES);
        const ids = new Set(probes.map((p) => p.id));
        for (const f of families) {
          for (const s of f.samples) {
            expect(Number.isNaN(s.value)).toBe(false);
            if (s.labels.probe !== undefined) expect(ids.has(s.labels.probe)).toBe(true);
          }
        }
        expect(samplesOf(families, "afterlife_build_info")).toEqual([
          expect.objectContaining({ labels: { version }, value: 1 }),
        ]);
      }),
      { numRuns: 200 },
    );
  });
});

describe("the strict exposition parser used above", () => {
  const ok = "# HELP m help\n# TYPE m gauge\n";
  it.each([
    ["no trailing newline", "# HELP m h\n# TYPE m gauge\nm 1"],
    ["a sample before its TYPE", "# HELP m h\nm 1\n# TYPE m gauge\n"],
    ["a sample with no TYPE at all", "m 1\n"],
    ["a duplicate series", `${ok}m{a="1"} 1\nm{a="1"} 2\n`],
    ["a duplicate series with labels in another order", `${ok}m{a="1",b="2"} 1\nm{b="2",a="1"} 2\n`],
    ["a second TYPE", `${ok}# TYPE m gauge\n`],
    ["a second HELP", `${ok}# HELP m again\n`],
    ["an unknown type", "# HELP m h\n# TYPE m histogram\n"],
    ["NaN", `${ok}m NaN\n`],
    ["a timestamp", `${ok}m 1 1700000000000\n`],
    ["an unquoted label value", `${ok}m{a=1} 1\n`],
    ["an invalid label name", `${ok}m{1a="x"} 1\n`],
    ["an invalid escape", `${ok}m{a="\\t"} 1\n`],
    ["an unterminated label value", `${ok}m{a="x} 1\n`],
    ["a duplicate label", `${ok}m{a="x",a="y"} 1\n`],
    ["a blank line", `${ok}\nm 1\n`],
    ["a free-form comment", `${ok}# hello\n`],
    ["interleaved families", `${ok}m{a="1"} 1\n# HELP n h\n# TYPE n gauge\nn 1\nm{a="2"} 1\n`],
    ["a family without HELP", "# TYPE m gauge\nm 1\n"],
    ["a bad number", `${ok}m 1.2.3\n`],
  ])("rejects %s", (_, text) => {
    expect(() => parseExposition(text)).toThrow(ExpositionError);
  });

  it("accepts valid text and unescapes label values", () => {
    const families = parseExposition(`${ok}m{a="x\\"y\\\\z\\n",b=""} +Inf\nm -1.5e-3\n`);
    expect(families).toEqual([
      {
        name: "m",
        help: "help",
        type: "gauge",
        samples: [
          { name: "m", labels: { a: 'x"y\\z\n', b: "" }, value: Infinity, line: 3 },
          { name: "m", labels: {}, value: -0.0015, line: 4 },
        ],
      },
    ]);
  });
});
