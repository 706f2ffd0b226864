/** A stored run as tests write them: a pass by default, started on its slot; `fields` override any field. */
import type { RunResult } from "../../../src/probe/result.ts";

export function runResult(probeId: string, region: string, slotAt: number, fields: Partial<RunResult> = {}): RunResult {
  return {
    runId: `${probeId}.${region}.${slotAt}`,
    probeId,
    probeVersion: "v",
    region,
    colo: region,
    slotAt,
    startedAt: slotAt,
    durationMs: 40,
    status: "up",
    steps: [],
    ...fields,
  };
}
