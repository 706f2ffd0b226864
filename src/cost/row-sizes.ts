/**
 * The rows of the fleet as they sit in D1 at steady state, sized with sqlite-size.ts from the
 * values the storage code writes: run_blocks rows holding each probe's 420-character minutes
 * (minute-entries.ts, run-blocks.ts), hourly and daily rollups with a sparse latency histogram
 * made by the real bucketIndex, the keys and counts, evidence. Pure.
 */
import { bucketIndex } from "../slo/latency-histogram.ts";
import { HISTORY_DAYS } from "../status/day-totals.ts";
import { EMPTY_HOUR, encodeEntry, MINUTES_PER_HOUR } from "../storage/minute-entries.ts";
import { rowBytesOnDisk } from "./sqlite-size.ts";

const HOUR_AT = Date.UTC(2026, 0, 1, 12);
/** A production colo code as /cdn-cgi/trace reports it. */
const COLO = "FRA";
/** Typical durations of a healthy run: a spread of about ±40 % around 180 ms (4 or 5 buckets). */
const TYPICAL_MS = [130, 150, 180, 210, 250];
/**
 * A failed run's whole redacted result (steps, exchanges, the response excerpt, assertions):
 * 1-5 KB in the tests and the demo shop; 2 KB is the planning figure.
 */
const EVIDENCE_DETAIL_BYTES = 2048;

interface PairRows {
  /** A rollups_hourly row. */
  hourRollup: number;
  daily: number;
  evidence: number;
}

/** A sparse histogram of `runs` healthy durations, as rollups_hourly.latency holds it. */
function typicalLatency(runs: number): string {
  const counts: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    const key = String(bucketIndex(TYPICAL_MS[i % TYPICAL_MS.length]!));
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

/** The minute entries of one probe's hour with `runsPerHour` healthy runs spread over it. */
function hourOfRuns(runsPerHour: number): string {
  let minutes = EMPTY_HOUR;
  const step = Math.max(1, Math.round(MINUTES_PER_HOUR / runsPerHour));
  for (let m = 0; m < MINUTES_PER_HOUR; m += step) {
    const entry = encodeEntry({
      status: "up",
      durationMs: TYPICAL_MS[m % TYPICAL_MS.length]!,
      slotAt: 0,
      startedAt: 2000,
    });
    minutes = minutes.slice(0, m * entry.length) + entry + minutes.slice((m + 1) * entry.length);
  }
  return minutes;
}

/** On-disk bytes of a run_blocks row holding these probes' hour (overflow pages included). */
export function blockRowBytes(
  region: string,
  probes: readonly { id: string; version: string; runsPerHour: number }[],
): number {
  return rowBytesOnDisk([
    region,
    HOUR_AT,
    7,
    42,
    42,
    JSON.stringify(probes.map((p) => p.id)),
    JSON.stringify(probes.map((p) => p.version)),
    JSON.stringify(probes.map(() => ({}))),
    COLO,
    probes.map((p) => hourOfRuns(p.runsPerHour)).join(""),
  ]);
}

/** On-disk bytes of each kind of per-pair row of one pair whose hour holds `runsPerHour` runs. */
export function pairRowBytes(probeId: string, region: string, probeVersion: string, runsPerHour: number): PairRows {
  const perDay = runsPerHour * 24;
  return {
    hourRollup: rowBytesOnDisk([
      probeId,
      region,
      HOUR_AT,
      runsPerHour,
      runsPerHour,
      0,
      0,
      typicalLatency(runsPerHour),
      "{}",
      0,
    ]),
    daily: rowBytesOnDisk([
      probeId,
      region,
      HOUR_AT,
      perDay,
      perDay - 1,
      0,
      1,
      0,
      typicalLatency(perDay),
      '{"home":1}',
      1,
    ]),
    evidence: rowBytesOnDisk([
      probeId,
      region,
      HOUR_AT,
      probeVersion,
      COLO,
      "down",
      HOUR_AT + 2000,
      5000,
      "timeout",
      "home",
      "step 'home' timed out after 5000 ms",
      "x".repeat(EVIDENCE_DETAIL_BYTES),
    ]),
  };
}

/** A probe's day_history row: HISTORY_DAYS days of [day, total, up, degraded, down, maintenance, median]. */
export function dayHistoryBytes(probeId: string, regions: readonly string[], runsPerDay: number): number {
  const days = Array.from({ length: HISTORY_DAYS }, (_, i) => [20_454 + i, runsPerDay, runsPerDay - 1, 0, 1, 0, 22]);
  return rowBytesOnDisk([probeId, [...regions].sort().join(","), HOUR_AT, HOUR_AT, JSON.stringify(days)]);
}
