import { describe, expect, it } from "vitest";
import { inspectProbes } from "../../../src/probe/registry.ts";
import { estimateRunCost, planShards, PAID_LIMITS } from "../../../src/schedule/shard-plan.ts";
import { planTick } from "../../../src/schedule/plan.ts";

const journey = async () => {};
const browserProbe = { kind: "browser", id: "buy", name: "Buy", baseUrl: "https://shop.example.com", journey };

function problemsOf(definition: unknown): string[] {
  return inspectProbes([{ file: "probes/buy.ts", definition }]).problems.map((p) => `${p.path}: ${p.message}`);
}

describe("browser probe definitions", () => {
  it("accepts a journey with the browser defaults: every 5 minutes, a 60 s run deadline", () => {
    const { loaded, problems } = inspectProbes([{ file: "probes/buy.ts", definition: browserProbe }]);
    expect(problems).toEqual([]);
    expect(loaded[0]!.probe).toMatchObject({
      kind: "browser",
      schedule: "5m",
      runTimeoutMs: 60_000,
      stepTimeoutMs: 10_000,
      failOnConsoleError: false,
      retries: 1,
    });
  });

  it("refuses a schedule under 5 minutes, naming the ones allowed", () => {
    expect(problemsOf({ ...browserProbe, schedule: "1m" })).toEqual([
      expect.stringMatching(/^schedule: got "1m"; expected one of 5m, 10m, 15m, 30m, 1h/),
    ]);
  });

  it("refuses a journey that is not a function and HTTP steps on a browser probe", () => {
    expect(problemsOf({ ...browserProbe, journey: "go" })).toEqual([
      expect.stringMatching(/^journey: .*async function/),
    ]);
    expect(problemsOf({ ...browserProbe, steps: [{ name: "x", url: "/" }] })).toEqual([
      expect.stringMatching(/^\(probe\)|^: unknown key 'steps'/),
    ]);
  });

  it("names the kinds there are when kind is misspelt", () => {
    expect(problemsOf({ ...browserProbe, kind: "browsr" })).toEqual([
      expect.stringMatching(/^kind: got "browsr"; expected one of .*browser.* \(did you mean "browser"\?\)/),
    ]);
  });

  it("allows a Web Vital as the latency metric of browser probes only", () => {
    const slo = { availability: 0.99, latency: { percent: 0.9, underMs: 2500, metric: "lcp" } };
    expect(problemsOf({ ...browserProbe, slo })).toEqual([]);
    expect(problemsOf({ id: "api", name: "API", steps: [{ name: "home", url: "https://x.example/" }], slo })).toEqual([
      expect.stringMatching(/^slo.latency.metric: 'lcp' is a Web Vital, measured by browser probes only/),
    ]);
  });

  it("packs as many browser runs into a shard as its two browsers can run in turn within the wall budget", () => {
    const { loaded } = inspectProbes(
      Array.from({ length: 7 }, (_, i) => ({
        file: `probes/b${i}.ts`,
        definition: { ...browserProbe, id: `b${i}`, schedule: "5m" },
      })),
    );
    expect(estimateRunCost(loaded[0]!)).toEqual({ requests: 3, browsers: 1, d1Queries: 0, expectedMs: 15_000 });
    const runs = loaded.map((probe) => ({ probe, region: "weur", slotAt: 0 }));
    // 2 browsers x 45 s of wall budget hold 6 runs of 15 s: 7 runs need 2 shards, evened out to 4 + 3.
    expect(planShards(runs, PAID_LIMITS, (run) => estimateRunCost(run.probe)).map((s) => s.runs.length)).toEqual([
      4, 3,
    ]);
    expect(
      planShards(runs.slice(0, 6), PAID_LIMITS, (run) => estimateRunCost(run.probe)).map((s) => s.runs.length),
    ).toEqual([6]);
    expect(
      planShards(runs, { ...PAID_LIMITS, browsers: 1 }, (run) => estimateRunCost(run.probe)).map((s) => s.runs.length),
    ).toEqual([3, 2, 2]);
    // The planner itself treats them like any probe: due once per interval at their phase.
    const dueOverAnInterval = [0, 1, 2, 3, 4].flatMap((m) => planTick(loaded, m * 60_000)).length;
    expect(dueOverAnInterval).toBe(7);
  });
});
