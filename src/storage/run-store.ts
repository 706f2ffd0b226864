/**
 * Storage of probe runs, as the rest of Afterlife sees it. The D1 implementation is in
 * d1-run-store.ts; tests use the same one against a real local D1.
 */
import type { Failure, RunResult, RunStatus } from "../probe/result.ts";

/** A run without its steps: what lists and the status page need. */
export interface RunSummary {
  runId: string;
  probeId: string;
  probeVersion: string;
  region: string;
  colo: string;
  slotAt: number;
  startedAt: number;
  durationMs: number;
  status: RunStatus;
  failure?: Pick<Failure, "class" | "step" | "message">;
}

export interface SaveReport {
  /** Runs that were new (a replayed tick inserts nothing). */
  inserted: number;
  /** D1 rows written, as D1 itself reports them. */
  rowsWritten: number;
}

export interface RunStore {
  saveRuns(results: readonly RunResult[]): Promise<SaveReport>;
  /** The newest run of each (probe, region) pair asked for. */
  latestRuns(pairs: readonly { probeId: string; region: string }[]): Promise<RunSummary[]>;
  getRun(runId: string): Promise<RunResult | null>;
}
