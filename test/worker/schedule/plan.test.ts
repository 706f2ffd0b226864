/** The tick planner: exact phases for known ids, and properties over generated probe sets. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import { REGIONS, type Region, type Schedule, SCHEDULES } from "../../../src/probe/schema.ts";
import { intervalMinutes, isDue, MINUTE_MS, phaseOf, planTick, type PlannedRun, slotOf, stableHash } from "../../../src/schedule/plan.ts";

interface ProbeSpec {
  id: string;
  schedule: Schedule;
  regions: Region[];
}

function load(specs: readonly ProbeSpec[]): LoadedProbe[] {
  return loadRegistry(
    specs.map((s) => ({
      file: `probes/${s.id}.ts`,
      definition: { id: s.id, name: s.id, schedule: s.schedule, regions: s.regions, baseUrl: "https://example.com", steps: [{ name: "home", url: "/" }] },
    })),
  );
}

const key = (r: PlannedRun) => `${r.probe.probe.id}/${r.region}`;

const ALNUM = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
/** A valid probe id: 1-4 dash-separated runs of [a-z0-9], at most 4 × 8 + 3 = 35 characters. */
const idArb = fc.array(fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join("-"));
const scheduleArb = fc.constantFrom(...(Object.keys(SCHEDULES) as Schedule[]));
const probeSetArb = fc
  .uniqueArray(fc.record({ id: idArb, schedule: scheduleArb, regions: fc.shuffledSubarray([...REGIONS], { minLength: 1 }) }), {
    selector: (s) => s.id,
    minLength: 1,
    maxLength: 25,
  })
  .map(load);

/** Minutes from 2020 to 2040, so ticks look like real ones (any integer minute would do). */
const minuteArb = fc.integer({ min: Date.UTC(2020, 0, 1) / MINUTE_MS, max: Date.UTC(2040, 0, 1) / MINUTE_MS });
const withinMinuteArb = fc.integer({ min: 0, max: MINUTE_MS - 1 });

describe("known values", () => {
  it("stableHash is 32-bit FNV-1a (published test vectors)", () => {
    expect(stableHash("")).toBe(0x811c9dc5);
    expect(stableHash("a")).toBe(0xe40c292c);
    expect(stableHash("foobar")).toBe(0xbf9cf968);
  });

  it("phases and due ticks follow the hash", () => {
    const [home, checkout] = load([
      { id: "shop-home", schedule: "5m", regions: ["weur"] },
      { id: "shop-checkout", schedule: "15m", regions: ["weur", "apac"] },
    ]);
    expect(stableHash("shop-home")).toBe(0x69f5fa5b);
    expect(phaseOf(home!)).toBe(1); // 0x69f5fa5b % 5
    expect(phaseOf(checkout!)).toBe(5); // 0x3b3f3ca8 % 15
    const ten = Date.UTC(2026, 10, 26, 10, 0); // minute number divisible by 60
    expect(isDue(home!, ten)).toBe(false);
    expect(isDue(home!, ten + MINUTE_MS)).toBe(true);
    expect(planTick([home!, checkout!], ten + 5 * MINUTE_MS + 59_999).map(key)).toEqual(["shop-checkout/weur", "shop-checkout/apac"]);
    expect(planTick([home!, checkout!], ten + 6 * MINUTE_MS).map(key)).toEqual(["shop-home/weur"]);
    expect(planTick([home!, checkout!], ten + 2 * MINUTE_MS)).toEqual([]);
  });
});

describe("planTick properties", () => {
  it("plans every (probe, region) exactly once per interval over any whole number of intervals", () => {
    fc.assert(
      fc.property(
        probeSetArb,
        minuteArb,
        fc.constantFrom(...Object.values(SCHEDULES)),
        fc.integer({ min: 1, max: 3 }),
        withinMinuteArb,
        (probes, start, interval, k, jitter) => {
          const length = interval * k;
          const seen = new Map<string, number[]>();
          for (let m = start; m < start + length; m++) {
            const runs = planTick(probes, m * MINUTE_MS + jitter);
            expect(new Set(runs.map(key)).size).toBe(runs.length); // no (probe, region) twice in a tick
            for (const r of runs) seen.set(key(r), [...(seen.get(key(r)) ?? []), r.slotAt]);
          }
          for (const probe of probes) {
            const every = intervalMinutes(probe);
            for (const region of REGIONS) {
              const slots = seen.get(`${probe.probe.id}/${region}`) ?? [];
              if (!probe.probe.regions.includes(region)) {
                expect(slots).toEqual([]);
              } else if (length % every === 0) {
                // whole intervals: exactly length/every runs, one interval apart, so one in each interval
                expect(slots).toHaveLength(length / every);
                slots.slice(1).forEach((s, i) => expect(s - slots[i]!).toBe(every * MINUTE_MS));
              } else {
                expect(slots.length === Math.floor(length / every) || slots.length === Math.ceil(length / every)).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("plans slots that are whole minutes: the minute the tick was scheduled in", () => {
    fc.assert(
      fc.property(probeSetArb, fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (probes, t) => {
        expect(slotOf(t) % MINUTE_MS).toBe(0);
        expect(t - slotOf(t)).toBeGreaterThanOrEqual(0);
        expect(t - slotOf(t)).toBeLessThan(MINUTE_MS);
        for (const r of planTick(probes, t)) {
          expect(r.slotAt % MINUTE_MS).toBe(0);
          expect(r.slotAt).toBe(slotOf(t));
        }
      }),
    );
  });

  it("plans the same runs for a late or early delivery inside the same minute", () => {
    fc.assert(
      fc.property(probeSetArb, minuteArb, withinMinuteArb, withinMinuteArb, (probes, minute, a, b) => {
        expect(planTick(probes, minute * MINUTE_MS + a)).toEqual(planTick(probes, minute * MINUTE_MS + b));
      }),
    );
  });

  it("spreads 1,000 random ids at 5m evenly: every phase holds 15%-25% of them", () => {
    // Why 15%-25% (150-250 of 1,000) is safe: with a uniform hash each phase's count is
    // Binomial(1000, 0.2), mean 200, sd 12.6, so the bounds are 3.95 sd out: P(any of the 5
    // phases outside) < 4e-4 per id set, < 0.4% over the 10 sets here, and the seed is fixed.
    // FNV-1a is close enough to uniform for this modulus: 16 ≡ 1 (mod 5), so hash % 5 is the sum
    // of all eight hex digits mod 5 and depends on the well-mixed high bits, unlike an even
    // modulus, whose lowest bit in FNV-1a is only the parity of the ids' odd character codes.
    const idsArb = fc.uniqueArray(idArb, { minLength: 1000, maxLength: 1000 });
    fc.assert(
      fc.property(idsArb, (ids) => {
        const counts = new Array<number>(5).fill(0);
        for (const probe of load(ids.map((id) => ({ id, schedule: "5m", regions: ["weur"] })))) counts[phaseOf(probe)]! += 1;
        for (const c of counts) {
          expect(c).toBeGreaterThanOrEqual(150);
          expect(c).toBeLessThanOrEqual(250);
        }
      }),
      { numRuns: 10, seed: 20261126 },
    );
  });

  it("spreads sequential ids probe-0 .. probe-999 at 5m evenly too", () => {
    const probes = load(Array.from({ length: 1000 }, (_, i) => ({ id: `probe-${i}`, schedule: "5m" as const, regions: ["weur" as const] })));
    const counts = new Array<number>(5).fill(0);
    for (const probe of probes) counts[phaseOf(probe)]! += 1;
    expect(counts).toEqual([201, 202, 203, 198, 196]);
  });
});
