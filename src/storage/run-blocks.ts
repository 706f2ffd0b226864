/**
 * The runs of one region's hour, packed: a row of `run_blocks` holds, for every probe of one
 * bucket (bucketOf), that probe's 60 minute entries (minute-entries.ts), its newest version and
 * its failures per step. A shard writes the rows of the buckets its runs fall in once per tick,
 * so a row written carries many runs, and a replayed run changes nothing (its minute is taken).
 * Pure: merging runs into a row, and reading runs and hourly rollups back out of it.
 */
import type { RunResult } from "../probe/result.ts";
import { bucketIndex, emptyHistogram } from "../slo/latency-histogram.ts";
import { HOUR_MS } from "../time.ts";
import { hourAggregates, withRunMetrics, type HourMetricValues } from "./metric-values.ts";
import { fnv1a } from "../hash.ts";
import {
  decodeEntries,
  EMPTY_HOUR,
  encodeEntry,
  ENTRY_CHARS,
  entryAt,
  minuteOfHour,
  type MinuteEntry,
} from "./minute-entries.ts";
import type { Rollup } from "./rollup-rows.ts";

/** Buckets per (region, hour): probes of a bucket share a row. */
export const BUCKETS = 64;

/**
 * The bucket of a probe: FNV-1a of its id (UTF-16 code units), folded to 6 bits so that
 * neighbouring ids spread over every bucket. Migration 0008 computes the same in SQL, so keep
 * the two in step.
 */
export function bucketOf(probeId: string): number {
  let h = fnv1a(probeId);
  h = (h ^ (h >>> 16)) >>> 0;
  h = (h ^ (h >>> 8)) >>> 0;
  return h & (BUCKETS - 1);
}

export interface BlockKey {
  region: string;
  hourAt: number;
  bucket: number;
}

export interface Block extends BlockKey {
  /** Bumped by every write; a writer only replaces the revision it read. */
  revision: number;
  /** The revision whose hourly rollups are written (less than `revision`: not yet, or stale). */
  sealedRevision: number;
  probes: string[];
  versions: string[];
  /** Failed runs per step name, per probe (down runs outside maintenance). */
  steps: Record<string, number>[];
  colo: string;
  /** One EMPTY_HOUR-sized block of entries per probe, in `probes` order. */
  minutes: string;
  /** Each probe's journey metric values, in `probes` order (metric-values.ts; shorter in rows written before metrics). */
  metrics: HourMetricValues[];
}

/** A row of run_blocks as D1 returns it. */
export interface BlockRow {
  region: string;
  hour_at: number;
  bucket: number;
  revision: number;
  sealed_revision: number;
  probes: string;
  versions: string;
  steps: string;
  colo: string;
  minutes: string;
  metrics: string;
}

export const BLOCK_COLUMNS =
  "region, hour_at, bucket, revision, sealed_revision, probes, versions, steps, colo, minutes, metrics";

export function toBlock(row: BlockRow): Block {
  return {
    region: row.region,
    hourAt: row.hour_at,
    bucket: row.bucket,
    revision: row.revision,
    sealedRevision: row.sealed_revision,
    probes: JSON.parse(row.probes) as string[],
    versions: JSON.parse(row.versions) as string[],
    steps: JSON.parse(row.steps) as Record<string, number>[],
    colo: row.colo,
    minutes: row.minutes,
    metrics: JSON.parse(row.metrics) as HourMetricValues[],
  };
}

export function blockKeyOf(run: { region: string; slotAt: number; probeId: string }): BlockKey {
  return { region: run.region, hourAt: Math.floor(run.slotAt / HOUR_MS) * HOUR_MS, bucket: bucketOf(run.probeId) };
}

export function keyString(key: BlockKey): string {
  return `${key.region}|${key.hourAt}|${key.bucket}`;
}

export function emptyBlock(key: BlockKey): Block {
  return {
    ...key,
    revision: 0,
    sealedRevision: 0,
    probes: [],
    versions: [],
    steps: [],
    colo: "",
    minutes: "",
    metrics: [],
  };
}

/**
 * The block with these runs (all of its key) written in. A run whose minute is already taken is
 * a replay and is left out; `added` lists the runs that were new. The block is a copy.
 */
export function mergeRuns(block: Block, runs: readonly RunResult[]): { block: Block; added: RunResult[] } {
  const next: Block = {
    ...block,
    probes: [...block.probes],
    versions: [...block.versions],
    steps: block.steps.map((s) => ({ ...s })),
    // Aligned with `probes` again: a row written before metrics existed has none.
    metrics: block.probes.map((_, i) => block.metrics[i] ?? {}),
  };
  const parts: string[] = [];
  for (let i = 0; i < next.probes.length; i++) parts.push(probeMinutes(next, i));
  const added: RunResult[] = [];
  for (const run of runs) {
    let index = next.probes.indexOf(run.probeId);
    if (index < 0) {
      index = next.probes.push(run.probeId) - 1;
      next.versions.push(run.probeVersion);
      next.steps.push({});
      next.metrics.push({});
      parts.push(EMPTY_HOUR);
    }
    const at = minuteOfHour(run.slotAt) * ENTRY_CHARS;
    const part = parts[index]!;
    if (part[at] !== ".") continue;
    // The entry's time is what the latency SLO judges: the duration, or the Web Vital in slo.latency.metric.
    parts[index] =
      part.slice(0, at) +
      encodeEntry({
        status: run.status,
        failureClass: run.failure?.class,
        inMaintenance: run.inMaintenance,
        durationMs: run.latencyMs ?? run.durationMs,
        slotAt: run.slotAt,
        startedAt: run.startedAt,
      }) +
      part.slice(at + ENTRY_CHARS);
    next.versions[index] = run.probeVersion;
    next.colo = run.colo;
    if (run.metrics) next.metrics[index] = withRunMetrics(next.metrics[index]!, minuteOfHour(run.slotAt), run.metrics);
    const failedStep = !run.inMaintenance && run.status === "down" ? run.failure?.step : undefined;
    if (failedStep !== undefined) next.steps[index]![failedStep] = (next.steps[index]![failedStep] ?? 0) + 1;
    added.push(run);
  }
  next.minutes = parts.join("");
  return { block: next, added };
}

/** The minutes of the probe at `index` of a block. */
function probeMinutes(block: Block, index: number): string {
  return block.minutes.slice(index * EMPTY_HOUR.length, (index + 1) * EMPTY_HOUR.length);
}

/** The distinct (region, bucket) keys of these pairs: the run_blocks ranges that hold their runs. */
export function blockKeysOf(pairs: readonly { probeId: string; region: string }[]): [string, number][] {
  return [
    ...new Map(
      pairs.map((p): [string, [string, number]] => [
        `${p.region}|${bucketOf(p.probeId)}`,
        [p.region, bucketOf(p.probeId)],
      ]),
    ).values(),
  ];
}

/** The minute entries of a probe in a block (none when the probe has no run in it). */
export function probeEntries(block: Block, probeId: string): MinuteEntry[] {
  const index = block.probes.indexOf(probeId);
  return index < 0 ? [] : decodeEntries(probeMinutes(block, index));
}

/** Where a probe's entry for a slot sits in a block's minutes (the probe must be in the block). */
export function entryOffset(block: Block, probeId: string, slotAt: number): number {
  return block.probes.indexOf(probeId) * EMPTY_HOUR.length + minuteOfHour(slotAt) * ENTRY_CHARS;
}

/** A probe's entry at one slot of the block's hour, or null. */
export function probeEntryAt(block: Block, probeId: string, slotAt: number): MinuteEntry | null {
  const index = block.probes.indexOf(probeId);
  return index < 0 ? null : entryAt(probeMinutes(block, index), minuteOfHour(slotAt));
}

/** A probe's latency threshold (its `slo.latency.underMs`), or undefined when it has none. */
export type LatencyThresholdOf = (probeId: string) => number | undefined;

/**
 * The hourly rollup of each probe of a block: what sealing the hour writes. With a threshold for
 * the probe, the rollup also counts its up and degraded runs that took at most that long, from
 * their exact durations (latencyUnder).
 */
export function blockRollups(block: Block, thresholdOf: LatencyThresholdOf = () => undefined): Rollup[] {
  return block.probes.flatMap((probeId, index) => {
    const rollup = hourRollup(
      {
        probeId,
        region: block.region,
        hourAt: block.hourAt,
        minutes: probeMinutes(block, index),
        stepFailures: block.steps[index] ?? {},
      },
      thresholdOf(probeId),
    );
    return rollup ? [{ ...rollup, metrics: hourAggregates(block.metrics[index] ?? {}, block.hourAt) }] : [];
  });
}

/** The hourly rollup of one probe's 60 minute entries of an hour, or null when it stored no run then. */
export function hourRollup(
  hour: {
    probeId: string;
    region: string;
    hourAt: number;
    minutes: string;
    stepFailures: Readonly<Record<string, number>>;
  },
  thresholdMs: number | undefined,
): Rollup | null {
  const entries = decodeEntries(hour.minutes);
  if (entries.length === 0) return null;
  const rollup: Rollup = {
    probeId: hour.probeId,
    region: hour.region,
    grain: "hour",
    bucketAt: hour.hourAt,
    total: 0,
    up: 0,
    degraded: 0,
    down: 0,
    latency: emptyHistogram(),
    stepFailures: { ...hour.stepFailures },
    maintenance: 0,
    monitoring: 0,
    latencyUnder: thresholdMs === undefined ? null : { thresholdMs, good: 0 },
  };
  for (const e of entries) {
    rollup.total++;
    if (e.inMaintenance) {
      rollup.maintenance = (rollup.maintenance ?? 0) + 1;
      continue;
    }
    rollup[e.status]++;
    if (e.monitoringSide) rollup.monitoring = (rollup.monitoring ?? 0) + 1;
    if (e.status === "down") continue;
    rollup.latency[bucketIndex(e.durationMs)]! += 1;
    if (rollup.latencyUnder && e.durationMs <= rollup.latencyUnder.thresholdMs) rollup.latencyUnder.good++;
  }
  return rollup;
}

/** In SQL over a block `b` whose probes are walked as `p` (pairBlocksSql): that probe's minute entries. */
export const PROBE_MINUTES_SQL = `substr(b.minutes, p.key * ${EMPTY_HOUR.length} + 1, ${EMPTY_HOUR.length})`;

/**
 * FROM and WHERE for one row per asked (probe, region) of the blocks of the (region, bucket)
 * keys bound as ?1, `b` the block and `p` the probe's place in it (so only the pairs' own slices
 * travel, PROBE_MINUTES_SQL): `hours` narrows b.hour_at (and may add more conditions on `b`),
 * `pairs` names the parameter that holds the pairs as JSON [[probeId, region], ...].
 */
export function pairBlocksSql(hours: string, pairs: string): string {
  return `FROM json_each(?1) q JOIN run_blocks b ON b.region = q.value ->> 0 AND b.bucket = q.value ->> 1 AND ${hours}, json_each(b.probes) p
           WHERE (p.value, b.region) IN (SELECT value ->> 0, value ->> 1 FROM json_each(${pairs}))`;
}
