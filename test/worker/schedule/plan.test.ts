/** The tick planner: exact phases for known ids, and properties over generated probe sets. */
import { MINUTE_MS } from "../../../src/time.ts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadRegistry, type LoadedProbe } from "../../../src/probe/registry.ts";
import { REGIONS, type HttpProbe, type Region, type Schedule, SCHEDULES } from "../../../src/probe/schema.ts";
import { fnv1a, stableHash } from "../../../src/hash.ts";
import { intervalMinutes, isDue, phaseOf, planTick, type PlannedRun, slotOf } from "../../../src/schedule/plan.ts";

interface ProbeSpec {
  id: string;
  schedule: Schedule;
  regions: Region[];
}

function load(specs: readonly ProbeSpec[]): LoadedProbe[] {
  return loadRegistry(
    specs.map((s) => ({
      file: `probes/${s.id}.ts`,
      definition: {
        id: s.id,
        name: s.id,
        schedule: s.schedule,
        regions: s.regions,
        baseUrl: "https://example.com",
        steps: [{ name: "home", url: "/" }],
      },
    })),
  );
}

const key = (r: PlannedRun) => `${r.probe.probe.id}/${r.region}`;

const ALNUM = [..."abcdefghijklmnopqrstuvwxyz0123456789"];
/** A valid probe id: 1-4 dash-separated runs of [a-z0-9], at most 4 × 8 + 3 = 35 characters. */
const idArb = fc
  .array(fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join("-"));
const scheduleArb = fc.constantFrom(...(Object.keys(SCHEDULES) as Schedule[]));
const probeSetArb = fc
  .uniqueArray(
    fc.record({ id: idArb, schedule: scheduleArb, regions: fc.shuffledSubarray([...REGIONS], { minLength: 1 }) }),
    {
      selector: (s) => s.id,
      minLength: 1,
      maxLength: 25,
    },
  )
  .map(load);

/** Minutes from 2020 to 2040, so ticks look like real ones (any integer minute would do). */
const minuteArb = fc.integer({ min: Date.UTC(2020, 0, 1) / MINUTE_MS, max: Date.UTC(2040, 0, 1) / MINUTE_MS });
const withinMinuteArb = fc.integer({ min: 0, max: MINUTE_MS - 1 });

describe("known values", () => {
  it("fnv1a is 32-bit FNV-1a (published test vectors)", () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
  });

  it("stableHash is FNV-1a followed by the murmur3 fmix32 finalizer", () => {
    // Reference fmix32, written out here so a change to either half of stableHash shows.
    const fmix32 = (h: number) => {
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      return (h ^ (h >>> 16)) >>> 0;
    };
    expect(fmix32(0)).toBe(0); // fmix32 fixes 0, a known property of the murmur3 finalizer
    for (const text of ["", "a", "foobar", "shop-home"]) expect(stableHash(text)).toBe(fmix32(fnv1a(text)));
    expect(stableHash("")).toBe(0xab3e7c0b);
    expect(stableHash("a")).toBe(0x1a80b1b3);
    expect(stableHash("foobar")).toBe(0x0c0da6dc);
  });

  it("phases and due ticks follow the hash", () => {
    const [home, checkout] = load([
      { id: "shop-home", schedule: "5m", regions: ["weur"] },
      { id: "shop-checkout", schedule: "15m", regions: ["weur", "apac"] },
    ]);
    expect(stableHash("shop-home")).toBe(0x9bf6d964);
    expect(stableHash("shop-checkout")).toBe(0xf544a5df);
    expect(phaseOf(home!)).toBe(3); // 0x9bf6d964 % 5
    expect(phaseOf(checkout!)).toBe(11); // 0xf544a5df % 15
    const ten = Date.UTC(2026, 10, 26, 10, 0); // minute number divisible by 60
    expect(isDue(home!, ten)).toBe(false);
    expect(isDue(home!, ten + 3 * MINUTE_MS)).toBe(true);
    expect(planTick([home!, checkout!], ten + 11 * MINUTE_MS + 59_999).map(key)).toEqual([
      "shop-checkout/weur",
      "shop-checkout/apac",
    ]);
    expect(planTick([home!, checkout!], ten + 13 * MINUTE_MS).map(key)).toEqual(["shop-home/weur"]);
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
              if (!(probe.probe.regions as readonly string[]).includes(region)) {
                expect(slots).toEqual([]);
              } else if (length % every === 0) {
                // whole intervals: exactly length/every runs, one interval apart, so one in each interval
                expect(slots).toHaveLength(length / every);
                slots.slice(1).forEach((s, i) => expect(s - slots[i]!).toBe(every * MINUTE_MS));
              } else {
                expect(slots.length === Math.floor(length / every) || slots.length === Math.ceil(length / every)).toBe(
                  true,
                );
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

  /**
   * Bounds for the spread of N = 6,000 ids over each interval's phases. With a uniform hash a
   * phase's count is Binomial(N, 1/k): mean N/k, sd √(N/k·(1 − 1/k)). Each bound is mean ± 5 sd,
   * rounded outward to a multiple of 10:
   *
   *   2m  mean 3000, sd 38.7  → 2800-3200      30m mean 200, sd 13.9 → 130-270
   *   5m  mean 1200, sd 31.0  → 1040-1360      1h  mean 100, sd  9.9 →  50-150
   *   10m mean  600, sd 23.2  →  480-720
   *
   * Exact binomial tails, with a union bound over the phases, put the chance that a uniform
   * hash breaks any bound of any interval below 9e-5 per id set, under 1e-3 over the 10 sets
   * here (and the seed is fixed, so the run is reproducible anyway). The bounds are still tight
   * enough to catch a hash that leaves phases empty or doubles some: at 1h, 50 and 150 are half
   * and one and a half times the mean. 6,000 ids rather than 1,000 so that 1h still has 100 per
   * phase; 1,000 would leave 17, whose 5-sd band (0-37) would catch almost nothing.
   */
  const SPREAD_IDS = 6000;
  const SPREAD_BOUNDS: [Schedule, number, number][] = [
    ["2m", 2800, 3200],
    ["5m", 1040, 1360],
    ["10m", 480, 720],
    ["30m", 130, 270],
    ["1h", 50, 150],
  ];

  /** Phase counts of these ids at a schedule, through phaseOf (one load, schedule swapped in). */
  function phaseCounts(probes: readonly LoadedProbe[], schedule: Schedule): number[] {
    const counts = new Array<number>(SCHEDULES[schedule]).fill(0);
    for (const p of probes) counts[phaseOf({ ...p, probe: { ...(p.probe as HttpProbe), schedule } })]! += 1;
    return counts;
  }

  function expectSpread(probes: readonly LoadedProbe[]): void {
    for (const [schedule, lo, hi] of SPREAD_BOUNDS) {
      const counts = phaseCounts(probes, schedule);
      expect([schedule, Math.min(...counts) >= lo, Math.max(...counts) <= hi, counts]).toEqual([
        schedule,
        true,
        true,
        counts,
      ]);
    }
  }

  it("spreads 6,000 random ids evenly over the phases of 2m, 5m, 10m, 30m and 1h", () => {
    const idsArb = fc.uniqueArray(idArb, { minLength: SPREAD_IDS, maxLength: SPREAD_IDS });
    fc.assert(
      fc.property(idsArb, (ids) => {
        expectSpread(load(ids.map((id) => ({ id, schedule: "1m", regions: ["weur"] }))));
      }),
      { numRuns: 10, seed: 20261126 },
    );
  });

  it("spreads sequential ids probe-0 .. probe-5999 evenly too", () => {
    const probes = load(
      Array.from({ length: SPREAD_IDS }, (_, i) => ({
        id: `probe-${i}`,
        schedule: "1m" as const,
        regions: ["weur" as const],
      })),
    );
    expectSpread(probes);
    // pinned, so an accidental change to the hash (which would move every probe) shows
    expect(phaseCounts(probes.slice(0, 1000), "5m")).toEqual([211, 197, 180, 195, 217]);
  });

  it("spreads anagram ids over even intervals, where plain FNV-1a uses only half the phases", () => {
    // FNV-1a's lowest bit is 1 xor the parity of the number of odd character codes (multiplying
    // by an odd prime keeps bit 0), so ids made of the same characters all share it: at any even
    // interval they fall on phases of a single parity. The 5,040 orderings of "abcd123" show it.
    const perms = (chars: string): string[] =>
      chars.length <= 1
        ? [chars]
        : [...chars].flatMap((c, i) => perms(chars.slice(0, i) + chars.slice(i + 1)).map((rest) => c + rest));
    const ids = perms("abcd123");
    expect(ids).toHaveLength(5040);
    expect(new Set(ids.map((id) => fnv1a(id) % 2))).toEqual(new Set([fnv1a("abcd123") % 2])); // the weakness itself
    const probes = load(ids.map((id) => ({ id, schedule: "1m", regions: ["weur"] })));
    for (const schedule of ["2m", "10m", "30m", "1h"] as const) {
      const counts = phaseCounts(probes, schedule);
      expect([schedule, counts.every((c) => c > 0)]).toEqual([schedule, true]);
    }
    // 5,040 ids: Binomial(5040, 1/2) has sd 35.5, so 2520 ± 5 sd is 2340-2700
    const [even, odd] = phaseCounts(probes, "2m");
    expect(even).toBeGreaterThanOrEqual(2340);
    expect(odd).toBeGreaterThanOrEqual(2340);
  });
});
