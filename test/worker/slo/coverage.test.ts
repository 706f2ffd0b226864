import { MINUTE_MS } from "../../../src/time.ts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { SCHEDULES } from "../../../src/probe/schema.ts";
import { isDue } from "../../../src/schedule/plan.ts";
import { coverage, expectedRunsPerRegion } from "../../../src/slo/coverage.ts";

const probeWith = (id: string, schedule: keyof typeof SCHEDULES) =>
  loadRegistry([
    {
      file: "p.ts",
      definition: { id, name: id, schedule, baseUrl: "https://example.com", steps: [{ name: "s", url: "/" }] },
    },
  ])[0]!;

describe("expected runs", () => {
  it("equals counting the due minutes one by one", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{0,11}$/),
        fc.constantFrom(...(Object.keys(SCHEDULES) as (keyof typeof SCHEDULES)[])),
        fc.integer({ min: 29_000_000, max: 29_900_000 }),
        fc.integer({ min: 0, max: 400 }),
        (id, schedule, startMinute, minutes) => {
          const probe = probeWith(id, schedule);
          const from = startMinute * MINUTE_MS;
          const to = from + minutes * MINUTE_MS;
          let brute = 0;
          for (let t = from; t < to; t += MINUTE_MS) if (isDue(probe, t)) brute++;
          expect(expectedRunsPerRegion(probe, from, to)).toBe(brute);
        },
      ),
    );
  });

  it("reports missing slots as no-data, never negative", () => {
    const probe = probeWith("every-minute", "1m");
    const hour = Date.UTC(2026, 10, 26, 10);
    expect(coverage(probe, 3, hour, hour + 3_600_000, 177)).toEqual({ expected: 180, stored: 177, noData: 3 });
    expect(coverage(probe, 3, hour, hour + 3_600_000, 200).noData).toBe(0);
  });
});
