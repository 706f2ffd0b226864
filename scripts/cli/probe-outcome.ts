import type { LoadedProbe } from "../../src/probe/registry.ts";
import type { RunResult } from "../../src/probe/result.ts";

/** One probe's run in `probe test`, with its human report (step table, evidence, repro). */
export interface ProbeOutcome {
  loaded: LoadedProbe;
  result: RunResult;
  details: string;
  /** Where the failing step is written, for annotations. */
  line?: number;
}
