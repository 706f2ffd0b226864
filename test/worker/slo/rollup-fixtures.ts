/**
 * Test fixtures for the SLO engine: raw run outcomes and the rollups storage would build from
 * them, following storage/run-write.ts (every run counts in total and its status; only non-down
 * runs add their duration to the latency histogram).
 */
import fc from "fast-check";
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import type { Grain, Rollup } from "../../../src/storage/rollup-rows.ts";

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export type Status = "up" | "degraded" | "down";

export interface RawRun {
  probeId: string;
  region: string;
  slotAt: number;
  status: Status;
  durationMs: number;
}

export function rollupsOf(runs: readonly RawRun[], grain: Grain): Rollup[] {
  const unit = grain === "hour" ? HOUR : DAY;
  const byKey = new Map<string, Rollup>();
  for (const run of runs) {
    const bucketAt = Math.floor(run.slotAt / unit) * unit;
    const key = `${run.probeId}|${run.region}|${bucketAt}`;
    const r = byKey.get(key) ?? { probeId: run.probeId, region: run.region, grain, bucketAt, total: 0, up: 0, degraded: 0, down: 0, latency: emptyHistogram(), stepFailures: {} };
    r.total += 1;
    r[run.status] += 1;
    if (run.status !== "down") r.latency = record(r.latency, run.durationMs);
    byKey.set(key, r);
  }
  return [...byKey.values()];
}

/** Both grains, as the two rollup tables hold them. */
export function bothGrains(runs: readonly RawRun[]): Rollup[] {
  return [...rollupsOf(runs, "hour"), ...rollupsOf(runs, "day")];
}

/** A rollup with the given counts and latency samples (ms), for table tests. */
export function rollup(fields: { bucketAt: number; grain?: Grain; up?: number; degraded?: number; down?: number; samples?: readonly number[]; region?: string }): Rollup {
  const up = fields.up ?? 0;
  const degraded = fields.degraded ?? 0;
  const down = fields.down ?? 0;
  return {
    probeId: "p",
    region: fields.region ?? "weur",
    grain: fields.grain ?? "hour",
    bucketAt: fields.bucketAt,
    total: up + degraded + down,
    stepFailures: {},
    up,
    degraded,
    down,
    latency: (fields.samples ?? []).reduce((h, ms) => record(h, ms), emptyHistogram()),
  };
}

/** Unique (probe, region, slot) runs spread over `minutes` minutes after `start`. */
export function arbRuns(start: number, minutes: number, maxLength = 300): fc.Arbitrary<RawRun[]> {
  return fc.uniqueArray(
    fc.record({
      probeId: fc.constantFrom("a", "b"),
      region: fc.constantFrom("weur", "apac", "enam"),
      slotAt: fc.integer({ min: 0, max: minutes - 1 }).map((m) => start + m * MINUTE),
      status: fc.constantFrom<Status>("up", "up", "up", "degraded", "down"),
      durationMs: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.double({ min: 0, max: 140_000, noNaN: true })),
    }),
    { selector: (r) => `${r.probeId}|${r.region}|${r.slotAt}`, maxLength },
  );
}

/** A permutation of xs with some elements repeated (the same row read twice). */
export function arbShuffledWithDuplicates<T>(xs: readonly T[]): fc.Arbitrary<T[]> {
  if (xs.length === 0) return fc.constant([]);
  return fc
    .tuple(fc.shuffledSubarray([...xs], { minLength: xs.length, maxLength: xs.length }), fc.array(fc.nat({ max: xs.length - 1 }), { maxLength: 5 }))
    .chain(([perm, dupes]) => {
      const all = [...perm, ...dupes.map((i) => xs[i]!)];
      return fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length });
    });
}
