/**
 * The release watch's statistics, pure: the tests' own properties (fast-check), and whole
 * simulated releases — the false-alarm rate of releases that changed nothing, and how soon a
 * real regression is called.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fisherGreater, logGamma } from "../../../src/releases/fisher-exact.ts";
import { mannWhitneyGreater } from "../../../src/releases/mann-whitney.ts";
import { upperTail } from "../../../src/releases/normal-tail.ts";
import { perTestThreshold, watchLooks, watchStart } from "../../../src/releases/watch-looks.ts";
import { DEFAULT_WATCH_OPTIONS, judgeWatch } from "../../../src/releases/watch-verdict.ts";
import { NORMAL_DAY, seeded, simulateRelease } from "./simulated-releases.ts";

const RELEASED_AT = Date.UTC(2026, 10, 26, 12, 0, 30);
const REGIONS = ["apac", "enam", "weur"];

describe("the tests' building blocks", () => {
  it("has a normal tail and log-gamma that match known values", () => {
    expect(upperTail(0)).toBeCloseTo(0.5, 7);
    expect(upperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperTail(4) / 3.167124e-5).toBeCloseTo(1, 5);
    expect(upperTail(-1.959964)).toBeCloseTo(0.975, 6);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
  });

  it("computes Fisher's one-sided p exactly on small tables", () => {
    // 0 of 60 before, 5 of 5 after: 1 / C(65, 5).
    expect(fisherGreater({ before: { failed: 0, total: 60 }, after: { failed: 5, total: 5 } })).toBeCloseTo(
      1 / 8259888,
      12,
    );
    // 1 failure in all, after holds it: P = 5/65.
    expect(fisherGreater({ before: { failed: 0, total: 60 }, after: { failed: 1, total: 5 } })).toBeCloseTo(5 / 65, 12);
    expect(fisherGreater({ before: { failed: 3, total: 60 }, after: { failed: 0, total: 5 } })).toBe(1);
    expect(fisherGreater({ before: { failed: 0, total: 0 }, after: { failed: 2, total: 5 } })).toBe(1);
    expect(() => fisherGreater({ before: { failed: 3, total: 2 }, after: { failed: 0, total: 1 } })).toThrow(
      /0 ≤ failed ≤ total/,
    );
  });

  it("Fisher's p is a probability and falls as more runs fail after the release", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 60 }),
        fc.nat(),
        fc.nat(),
        (n1, n2, f1, f2) => {
          const before = { failed: f1 % (n1 + 1), total: n1 };
          const failed = f2 % n2;
          const p = fisherGreater({ before, after: { failed, total: n2 } });
          const worse = fisherGreater({ before, after: { failed: failed + 1, total: n2 } });
          return p >= 0 && p <= 1 && worse <= p + 1e-12;
        },
      ),
    );
  });

  it("Mann–Whitney: U of both sides adds up to n1·n2, p is a probability, and slower after runs never raise it", () => {
    const histogram = fc.array(fc.nat({ max: 20 }), { minLength: 12, maxLength: 12 });
    fc.assert(
      fc.property(histogram, histogram, (before, after) => {
        const n1 = before.reduce((a, b) => a + b, 0);
        const n2 = after.reduce((a, b) => a + b, 0);
        const forward = mannWhitneyGreater(before, after);
        const backward = mannWhitneyGreater(after, before);
        const shifted = mannWhitneyGreater(
          before,
          [0, ...after.slice(0, -1)].map((c, i) => (i === after.length - 1 ? c + after.at(-1)! : c)),
        );
        return (
          Math.abs(forward.u + backward.u - n1 * n2) < 1e-9 &&
          forward.p >= 0 &&
          forward.p <= 1 &&
          shifted.p <= forward.p + 1e-12
        );
      }),
    );
  });

  it("counts runs in one bucket as ties, not as a difference", () => {
    expect(mannWhitneyGreater([0, 30, 0], [0, 10, 0]).p).toBe(1);
    expect(mannWhitneyGreater([0, 30, 0], [0, 0, 10]).p).toBeLessThan(1e-6);
  });

  it("looks at doubling minutes and splits the false-alarm rate over looks and comparisons", () => {
    expect(watchLooks(60)).toEqual([5, 10, 20, 40, 60]);
    expect(watchLooks(5)).toEqual([5]);
    expect(watchLooks(10)).toEqual([5, 10]);
    expect(perTestThreshold(0.005, 5, 6)).toBeCloseTo(0.005 / 30, 15);
    expect(() => watchLooks(3)).toThrow(/≥ 5/);
    expect(watchStart(RELEASED_AT)).toBe(Date.UTC(2026, 10, 26, 12, 1));
  });
});

describe("simulated releases", () => {
  const pairs = [
    ...REGIONS.map((region) => ({ probeId: "checkout", region })),
    // A probe that runs every 5 minutes: 24 baseline runs in 2 hours.
    ...REGIONS.map((region) => ({ probeId: "search", region, baselineEvery: 5 })),
  ];

  it("calls fewer than 1 % of 200 releases that changed nothing regressed", () => {
    const random = seeded(20261126);
    let regressed = 0;
    let healthy = 0;
    for (let i = 0; i < 200; i++) {
      const { subject, runs } = simulateRelease(random, {
        releasedAt: RELEASED_AT + i * 3_600_000,
        watchMinutes: 60,
        baselineMinutes: 120,
        pairs,
        before: NORMAL_DAY,
        after: () => NORMAL_DAY,
      });
      const judgement = judgeWatch(subject, runs, subject.releasedAt + 62 * 60_000);
      if (judgement.verdict === "regressed") regressed++;
      if (judgement.verdict === "healthy") healthy++;
      expect(judgement.final).toBe(true);
    }
    console.log(
      JSON.stringify({ event: "release_false_alarms", releases: 200, regressed, healthy, rate: regressed / 200 }),
    );
    expect(regressed / 200).toBeLessThan(0.01);
    expect(healthy).toBe(200 - regressed);
  });

  it("calls a 200 ms slowdown in one region regressed by the second look (10 minutes), naming that region", () => {
    const random = seeded(7);
    const calledAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      const { subject, runs } = simulateRelease(random, {
        releasedAt: RELEASED_AT + i * 3_600_000,
        watchMinutes: 60,
        baselineMinutes: 120,
        pairs,
        before: NORMAL_DAY,
        after: (pair) =>
          pair.region === "weur" && pair.probeId === "checkout" ? { ...NORMAL_DAY, extraMs: 200 } : NORMAL_DAY,
      });
      const judgement = judgeWatch(subject, runs, subject.releasedAt + 62 * 60_000);
      expect(judgement.verdict).toBe("regressed");
      const first = judgement.findings[0]!;
      expect([first.probeId, first.region, first.measure, first.regressed]).toEqual([
        "checkout",
        "weur",
        "latency",
        true,
      ]);
      expect(judgement.findings.filter((f) => f.regressed).every((f) => f.region === "weur")).toBe(true);
      expect(first.evidence.length).toBeGreaterThan(0);
      calledAt.push(judgement.atMinute!);
    }
    console.log(
      JSON.stringify({
        event: "release_time_to_verdict",
        releases: 50,
        atMinute5: calledAt.filter((m) => m === 5).length,
        atMinute10: calledAt.filter((m) => m === 10).length,
      }),
    );
    // 5 runs after the release can only just reach the first look's threshold; 10 always do.
    expect(calledAt.every((m) => m <= 10)).toBe(true);
  });

  it("calls failures in one region an availability regression", () => {
    const { subject, runs } = simulateRelease(seeded(11), {
      releasedAt: RELEASED_AT,
      watchMinutes: 60,
      baselineMinutes: 120,
      pairs,
      before: NORMAL_DAY,
      after: (pair) => (pair.region === "apac" ? { ...NORMAL_DAY, failureRate: 0.6 } : NORMAL_DAY),
    });
    const judgement = judgeWatch(subject, runs, subject.releasedAt + 62 * 60_000);
    expect(judgement.verdict).toBe("regressed");
    expect(judgement.findings[0]).toMatchObject({ region: "apac", measure: "availability", regressed: true });
    expect(judgement.findings[0]!.evidence.every((id) => id.includes(".apac."))).toBe(true);
  });

  it("does not call a significant slowdown smaller than the minimum effect a regression", () => {
    // 10 ms on 120: real, but within a bucket's error and under 50 ms.
    const { subject, runs } = simulateRelease(seeded(3), {
      releasedAt: RELEASED_AT,
      watchMinutes: 60,
      baselineMinutes: 120,
      pairs,
      before: { ...NORMAL_DAY, sigma: 0.05 },
      after: () => ({ ...NORMAL_DAY, sigma: 0.05, extraMs: 10 }),
    });
    expect(judgeWatch(subject, runs, subject.releasedAt + 62 * 60_000).verdict).toBe("healthy");
  });

  it("is inconclusive before the first look, and at the end without enough runs", () => {
    const { subject, runs } = simulateRelease(seeded(5), {
      releasedAt: RELEASED_AT,
      watchMinutes: 10,
      baselineMinutes: 120,
      pairs,
      before: NORMAL_DAY,
      after: () => NORMAL_DAY,
    });
    expect(judgeWatch(subject, runs, RELEASED_AT + 3 * 60_000)).toMatchObject({
      verdict: "inconclusive",
      final: false,
      atMinute: null,
    });
    expect(judgeWatch(subject, runs, watchStart(RELEASED_AT) + 5 * 60_000)).toMatchObject({
      verdict: "inconclusive",
      final: false,
      atMinute: 5,
    });
    const noBaseline = judgeWatch(
      { ...subject },
      runs.filter((r) => r.slotAt >= RELEASED_AT),
      watchStart(RELEASED_AT) + 10 * 60_000,
    );
    expect(noBaseline).toMatchObject({ verdict: "inconclusive", final: true, atMinute: 10 });
    expect(noBaseline.reason).toMatch(/without enough runs/);
    expect(judgeWatch(subject, runs, watchStart(RELEASED_AT) + 10 * 60_000)).toMatchObject({
      verdict: "healthy",
      final: true,
    });
  });

  it("leaves runs in maintenance and monitoring-side failures out", () => {
    const { subject, runs } = simulateRelease(seeded(9), {
      releasedAt: RELEASED_AT,
      watchMinutes: 10,
      baselineMinutes: 120,
      pairs,
      before: NORMAL_DAY,
      after: () => NORMAL_DAY,
    });
    const marked = runs.map((r) =>
      r.slotAt >= RELEASED_AT && r.region === "enam" ? { ...r, status: "down" as const, monitoringSide: true } : r,
    );
    expect(judgeWatch(subject, marked, watchStart(RELEASED_AT) + 10 * 60_000).verdict).toBe("inconclusive");
    const inMaintenance = runs.map((r) =>
      r.slotAt >= RELEASED_AT && r.region === "enam" ? { ...r, status: "down" as const, inMaintenance: true } : r,
    );
    expect(judgeWatch(subject, inMaintenance, watchStart(RELEASED_AT) + 10 * 60_000).verdict).toBe("inconclusive");
    expect(DEFAULT_WATCH_OPTIONS.falseAlarmRate).toBe(0.005);
  });
});
