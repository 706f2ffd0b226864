/**
 * Watches probes/ while the local network runs: every change is validated (the same checks as
 * `probe validate`, without the type checker) and reported in one block, file:line:col, field,
 * what is expected. Files with a problem are left out of the Worker's registry (see
 * generate-probe-registry.ts), so the other probes keep running; a fixed or removed file is
 * reported as such, and the full set runs again without a restart.
 */
import { watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { liveProbeFiles } from "../cli/probe-files.ts";
import { formatProblems, validateProbeFiles, type Validation } from "../cli/validate-probes.ts";

interface ProbeWatch {
  /** Validates now and reports; resolves with the validation. */
  check(): Promise<Validation>;
  close(): void;
}

function describeProbeSet(validation: Validation, previousBad: ReadonlySet<string>): string | undefined {
  const bad = new Set(validation.problems.map((p) => p.file));
  const good = validation.loaded.length;
  const fixed = [...previousBad].filter((f) => !bad.has(f));
  if (bad.size === 0)
    return fixed.length
      ? `probes/ is valid again (${fixed.join(", ")} fixed or removed): all ${good} probe${good === 1 ? "" : "s"} run`
      : undefined;
  return [
    `${[...bad].join(", ")} ${bad.size === 1 ? "has" : "have"} problems and ${bad.size === 1 ? "is" : "are"} not loaded; the other ${good} probe${good === 1 ? "" : "s"} keep running.`,
    formatProblems(validation),
    "Fix the file (or remove it) and save: it is checked again right away.",
  ].join("\n");
}

export function watchProbes(root: string, log: (block: string) => void): ProbeWatch {
  let previousBad = new Set<string>();
  let lastReport = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<Validation> | undefined;

  const check = async (): Promise<Validation> => {
    const validation = await validateProbeFiles(liveProbeFiles(root), { root, typecheck: false, lint: false });
    const report = describeProbeSet(validation, previousBad);
    const key = validation.problems.map((p) => `${p.file}:${p.line}:${p.col}:${p.message}`).join("\n");
    if (report && key !== lastReport) log(report);
    lastReport = key;
    previousBad = new Set(validation.problems.map((p) => p.file));
    return validation;
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(join(root, "probes"), () => {
      clearTimeout(timer);
      // Editors write a file in several steps: wait for them to settle.
      timer = setTimeout(() => {
        running = (running ?? Promise.resolve()).then(check, check).catch((error: unknown) => {
          log(`could not check probes/: ${String(error)}`);
          return undefined as never;
        });
      }, 300);
    });
  } catch {
    // No watcher (e.g. too many watches): the registry still keeps only good files at each build.
  }
  return {
    check,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
