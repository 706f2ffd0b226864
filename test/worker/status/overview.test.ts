/** The current state per probe and overall: quorum, regional issues, staleness as no-data. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { buildOverview, overallState, probeState, type RegionState } from "../../../src/status/overview.ts";
import type { RunSummary } from "../../../src/storage/run-store.ts";

const NOW = Date.UTC(2026, 10, 26, 12, 0);
const regions = (...states: RegionState["state"][]): RegionState[] =>
  states.map((state, i) => ({ region: `r${i}`, state }));

describe("probe state", () => {
  it.each([
    [["up", "up", "up"], undefined, "up"],
    [["up", "up", "down"], undefined, "regional"],
    [["up", "down", "down"], undefined, "down"],
    [["down", "down", "down", "up", "up"], undefined, "down"],
    [["down", "down", "up", "up", "up"], undefined, "regional"],
    [["down", "down", "up", "up", "up"], 2, "down"],
    [["down", "up", "up"], 1, "down"],
    [["up", "degraded", "up"], undefined, "degraded"],
    [["no-data", "no-data"], undefined, "no-data"],
    [["no-data", "down"], undefined, "down"],
  ] as const)("%j with quorum %s is %s", (states, quorum, expected) => {
    expect(probeState(regions(...states), quorum)).toBe(expected);
  });

  it("rolls probes up into the overall state", () => {
    expect(overallState(["up", "up"])).toBe("operational");
    expect(overallState(["up", "regional"])).toBe("degraded");
    expect(overallState(["up", "down"])).toBe("partial_outage");
    expect(overallState(["down", "down"])).toBe("major_outage");
    expect(overallState(["no-data"])).toBe("unknown");
    expect(overallState([])).toBe("unknown");
  });
});

describe("overview", () => {
  const [probe] = loadRegistry([
    {
      file: "p.ts",
      definition: {
        id: "p",
        name: "P",
        baseUrl: "https://x.test",
        regions: ["weur", "enam"],
        quorum: 1,
        steps: [{ name: "s", url: "/" }],
      },
    },
  ]);
  const run = (region: string, slotAt: number, status: RunSummary["status"]): RunSummary => ({
    runId: `p.${region}.${slotAt}`,
    probeId: "p",
    probeVersion: "v",
    region,
    colo: region,
    slotAt,
    startedAt: slotAt,
    durationMs: 10,
    status,
  });

  it("treats a run older than two intervals plus a minute as no data, never up", () => {
    const overview = buildOverview(
      [probe!],
      [run("weur", NOW - 3 * 60_000 - 1, "up"), run("enam", NOW - 60_000, "up")],
      NOW,
    );
    expect(overview.probes[0]!.regions.map((r) => r.state)).toEqual(["no-data", "up"]);
  });

  it("honours the probe's quorum: one region of two is enough to be down", () => {
    const overview = buildOverview([probe!], [run("weur", NOW, "down"), run("enam", NOW, "up")], NOW);
    expect([overview.probes[0]!.state, overview.state]).toEqual(["down", "major_outage"]);
  });

  it("refuses a quorum above the number of regions", () => {
    expect(() =>
      loadRegistry([
        {
          file: "p.ts",
          definition: {
            id: "p",
            name: "P",
            baseUrl: "https://x.test",
            regions: ["weur"],
            quorum: 2,
            steps: [{ name: "s", url: "/" }],
          },
        },
      ]),
    ).toThrow(/quorum: at most the number of regions \(1\)/);
  });

  it("gives the same states from the newest runs' state fields alone, only without the regions' runs (property)", () => {
    const arb = fc.array(
      fc.record({
        region: fc.constantFrom("weur", "enam"),
        minutesAgo: fc.integer({ min: 0, max: 10 }),
        status: fc.constantFrom<RunSummary["status"]>("up", "degraded", "down"),
      }),
      { maxLength: 2 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const newest = [
          ...new Map(rows.map((r) => [r.region, run(r.region, NOW - r.minutesAgo * 60_000, r.status)])).values(),
        ];
        const full = buildOverview([probe!], newest, NOW);
        const slim = buildOverview(
          [probe!],
          newest.map(({ probeId, region, slotAt, startedAt, status }) => ({
            probeId,
            region,
            slotAt,
            startedAt,
            status,
          })),
          NOW,
        );
        expect(slim.state).toBe(full.state);
        expect(slim.checkedAt).toBe(full.checkedAt);
        expect(slim.probes[0]!.lastRunAt).toBe(full.probes[0]!.lastRunAt);
        expect(slim.probes[0]!.regions).toEqual(
          full.probes[0]!.regions.map(({ region, state }) => ({ region, state })),
        );
        expect(full.probes[0]!.regions.filter((r) => r.lastRun).length).toBe(newest.length);
      }),
    );
  });
});
