/**
 * Storage of probe runs and their rollups, as the rest of Afterlife sees it. The D1
 * implementation is in d1-run-store.ts; tests use the same one against a real local D1.
 * Every method costs a constant number of D1 statements whatever the number of pairs.
 */
import type { RunResult, RunSummary, WebVitals } from "../probe/result.ts";
import type { D1Read, ReadValues } from "./d1-read.ts";
import type { LatestRun } from "../status/overview.ts";
import type { PrunePlan } from "./retention.ts";
import type { ListRunsQuery, RunListPage } from "./run-list.ts";
import type { Grain, Rollup } from "./rollup-rows.ts";
import type { DayRollupReport } from "./day-rollup.ts";
import type { MinuteEntry } from "./minute-entries.ts";
import type { MetricHour, MetricValue } from "./metric-values.ts";

export type { RunSummary };

export interface SaveReport {
  /** Runs that were new (a replayed tick inserts nothing). */
  inserted: number;
  /** D1 rows written, as D1 itself reports them. */
  rowsWritten: number;
  /** Runs left out because their hour's block is past raw retention while its rollup is kept. */
  expired?: number;
}

/** A run of the last minutes, as the short burn windows count it. */
export interface RecentRun {
  probeId: string;
  region: string;
  slotAt: number;
  status: RunSummary["status"];
  durationMs: number;
  /** A failure on the monitoring side (class `probe`), not of the target. */
  monitoringSide: boolean;
  inMaintenance: boolean;
}

export interface ReadReport<T> {
  value: T;
  /** D1 rows read, as D1 reports them: the cost of the query. */
  rowsRead: number;
}

/** A pair's newest browser run's Web Vitals. */
export interface PairVitals {
  probeId: string;
  region: string;
  slotAt: number;
  vitals: WebVitals;
}

/** The stored minute entries of one (probe, region) in one hour. */
export interface PairHourEntries {
  probeId: string;
  region: string;
  hourAt: number;
  /** Each with the step a down run failed at (from its evidence), outside maintenance. */
  entries: (MinuteEntry & { failedStep?: string })[];
}

export interface RollupRequest {
  probeId: string;
  regions: readonly string[];
  grain: Grain;
  from: number;
  to: number;
}

/** What a journey metrics read covers (see RunStore.metricsRead). */
export interface MetricsRange {
  /** Values of runs with slotAt in [from, to), from the blocks. */
  from: number;
  to: number;
  /** Hourly aggregates of hours starting in [hoursFrom, to); hoursFrom >= to reads none. */
  hoursFrom: number;
}

/** Journey metrics of some pairs: the runs' values, and each hour's aggregate. */
export interface MetricsHistory {
  values: MetricValue[];
  hours: MetricHour[];
}

export interface RunStore {
  saveRuns(results: readonly RunResult[]): Promise<SaveReport>;
  /** The newest run at `now` of each (probe, region) pair asked for, as a read (see d1-read.ts). */
  latestRunsRead(pairs: readonly { probeId: string; region: string }[], now: number): D1Read<RunSummary[]>;
  /** The same with only what a state needs: what the status page reads. */
  latestStatesRead(pairs: readonly { probeId: string; region: string }[], now: number): D1Read<LatestRun[]>;
  getRun(runId: string): Promise<RunResult | null>;
  /** Every run of the pairs with slotAt in [from, to), from their minute entries. */
  recentRunsRead(pairs: readonly { probeId: string; region: string }[], from: number, to: number): D1Read<RecentRun[]>;
  /** The minute entries of the pairs in each of these hours (epoch ms of the hour's start). */
  minutesRead(
    pairs: readonly { probeId: string; region: string }[],
    hours: readonly number[],
    options?: { failedSteps?: boolean },
  ): D1Read<PairHourEntries[]>;
  /**
   * Journey metrics of the pairs: values from their blocks, hourly aggregates from the sealed
   * rollups (or from the blocks, for the hours still held there). Two statements.
   */
  metricsRead(pairs: readonly { probeId: string; region: string }[], range: MetricsRange): D1Read<MetricsHistory>;
  /** The slot of each pair's first stored run, keyed `probeId|region`. */
  firstRunsRead(pairs: readonly { probeId: string; region: string }[]): D1Read<Map<string, number>>;
  /** The Web Vitals of the newest browser run of each pair asked for (pairs without one are absent). */
  latestVitalsRead(pairs: readonly { probeId: string; region: string }[]): D1Read<PairVitals[]>;
  /** Runs of the given pairs, newest first, after the cursor. */
  listRuns(query: ListRunsQuery): Promise<RunListPage>;
  listRunsRead(query: ListRunsQuery): D1Read<RunListPage>;
  /** Rollups of each request's probe and regions with bucketAt in [from, to), in one batch. */
  rollups(requests: readonly RollupRequest[]): Promise<ReadReport<Rollup[]>>;
  rollupsRead(requests: readonly RollupRequest[]): D1Read<ReadReport<Rollup[]>>;
  /** Runs reads (of this store or others on the same database) in one batch: see d1-read.ts. */
  read<const R extends readonly D1Read<unknown>[]>(reads: R): Promise<ReadValues<R>>;
  /** Writes the hourly rollups of closed hours since `since` whose runs changed, oldest first, at most `limit` blocks a call. */
  sealHours(regions: readonly string[], limit: number, since: number): Promise<{ sealed: number; rowsWritten: number }>;
  /** Builds the daily rollups of settled days from the hour rows, at most `limit` (pair, day) a call. */
  rollUpDays(pairs: readonly { probeId: string; region: string }[], limit: number): Promise<DayRollupReport>;
  /** Drops expired minute entries and deletes expired rows of the planned pairs, in bounded chunks. */
  prune(plan: PrunePlan): Promise<{ deleted: number; rowsWritten: number }>;
}
