/**
 * A temporary copy of the project for the seeded browser tests: the two shop probes, plus two
 * hourly probes that exist only here -- one of them named with script and attribute-injection
 * payloads -- and 90 days of their history written through the project's own D1RunStore (the
 * same statements the runner uses, so runs and rollups agree) into the copy's local D1 before
 * `wrangler dev` opens it. About a thousand runs: the local D1 proxy takes ~3 ms a statement.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunResult, RunStatus } from "../../src/probe/result.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { declaredSteps } from "../../src/probe/schema.ts";
import { phaseOf } from "../../src/schedule/plan.ts";
import type { Incident } from "../../src/incidents/model.ts";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import { D1IncidentStore } from "../../src/storage/incident-store.ts";
import {
  loadProjectProbes,
  makeTempProject,
  openLocalD1,
  probeModuleSource,
  PROJECT_ROOT,
  writeD1OnlyConfig,
} from "../../scripts/bench/temp-project.ts";
import { OFFLINE_ENV } from "../../scripts/local/local-network.ts";
import { runToCompletion } from "../../scripts/local/processes.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Shown as text, never run: a script element, an attribute break-out, an image with onerror. */
export const XSS_NAME = `<script>window.__xss=1</script>" onmouseover="window.__xss=2" x="`;
export const XSS_GROUP = `Billing <img src=x onerror="window.__xss=3">`;
export const XSS_DESCRIPTION = `Pays the bill'); window.__xss=5; (' <b>bold?</b>`;
export const XSS_MESSAGE = `expected 200, got 500: <img src=x onerror=window.__xss=4>`;

/** Days ago (0 = today) with something to see on the bars. */
export const GAP_DAY = 20; // search-api stored nothing: grey
export const BAD_DAY = 10; // search-api failed 4 of 6 runs: under 90 %
export const MINOR_DAY = 5; // search-api failed 1 of 48 runs: below its 99.5 % objective
/** A major incident on search-api during BAD_DAY, resolved the same day: that day's worst incident. */
export const BAD_DAY_INCIDENT = "Search returned errors";

/** The resolved incident of BAD_DAY (from 01:00 to 09:30 UTC), as the incidents route would write it. */
function badDayIncident(now: number): Incident {
  const day = Math.floor(now / DAY_MS) * DAY_MS - BAD_DAY * DAY_MS;
  const startedAt = day + HOUR_MS;
  const resolvedAt = day + 9.5 * HOUR_MS;
  return {
    id: "inc_seededbadday",
    kind: "manual",
    title: BAD_DAY_INCIDENT,
    impact: "major",
    status: "resolved",
    probeIds: ["search-api"],
    regions: [],
    startedAt,
    resolvedAt,
    createdAt: startedAt,
    updatedAt: resolvedAt,
    failure: null,
    public: true,
    updates: [
      { id: "upd_seededbadday1", status: "investigating", body: "Searches fail for most users.", createdAt: startedAt },
      { id: "upd_seededbadday2", status: "resolved", body: "A bad index was rolled back.", createdAt: resolvedAt },
    ],
  };
}

const PROBES: Record<string, object> = {
  "search-api.ts": {
    id: "search-api",
    name: "Product search",
    description: "Searches the catalogue and checks the first result.",
    group: "Search",
    schedule: "1h",
    regions: ["weur", "enam"],
    slo: { availability: 0.995, latency: { percent: 0.9, underMs: 400 }, window: "30d" },
    steps: [{ name: "search", url: "{{env:SHOP_URL}}/health", expectStatus: 200 }],
  },
  "xss-probe.ts": {
    id: "xss-probe",
    name: XSS_NAME,
    description: XSS_DESCRIPTION,
    group: XSS_GROUP,
    schedule: "1h",
    regions: ["weur", "apac"],
    slo: { availability: 0.99, window: "30d" },
    steps: [{ name: "pay", url: "{{env:SHOP_URL}}/health", expectStatus: 200 }],
  },
};

export interface SeededProject {
  root: string;
  persistTo: string;
  probes: LoadedProbe[];
  /** The newest seeded slot of each hourly probe. */
  seededUntil: number;
  runs: number;
  cleanup(): void;
}

function run(
  probe: LoadedProbe,
  region: string,
  slotAt: number,
  status: RunStatus,
  durationMs: number,
  message?: string,
): RunResult {
  const step = declaredSteps(probe.probe)[0]?.name ?? "journey";
  return {
    runId: `${probe.probe.id}.${region}.${slotAt}`,
    probeId: probe.probe.id,
    probeVersion: probe.version,
    region,
    colo: region,
    slotAt,
    startedAt: slotAt + 200,
    durationMs,
    status,
    steps: [],
    ...(status === "down"
      ? { failure: { class: "status" as const, step, message: message ?? "expected 200, got 503" } }
      : {}),
  };
}

/** Hours of a day that get a run: every hour lately, a few a day before (saving through the local D1 proxy costs ~9 ms a run). */
function hoursOf(probeId: string, day: number): number[] {
  const full = probeId === "xss-probe" ? 2 : 7;
  if (day < full) return Array.from({ length: 24 }, (_, h) => h);
  return probeId === "xss-probe" ? [12] : [0, 8, 16];
}

/**
 * 90 days of runs of the hourly probes (at each probe's phase minute): every hour of the last
 * days, a few runs a day before (the rest of those days is honestly "no data" in the tooltips),
 * a day without any run, a bad day, a day just below the objective, a slow run.
 */
function seededRuns(probes: readonly LoadedProbe[], now: number): { runs: RunResult[]; until: number } {
  const runs: RunResult[] = [];
  let until = 0;
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  for (const probe of probes.filter((p) => p.probe.kind === "http" && p.probe.schedule === "1h")) {
    const phase = phaseOf(probe) * 60_000;
    const isXss = probe.probe.id === "xss-probe";
    for (let day = 89; day >= 0; day--) {
      if (!isXss && day === GAP_DAY) continue;
      for (const hour of hoursOf(probe.probe.id, day)) {
        const slotAt = today - day * DAY_MS + hour * HOUR_MS + phase;
        if (slotAt > now) continue;
        until = Math.max(until, slotAt);
        probe.probe.regions.forEach((region, r) => {
          const latency = 80 + ((day * 7 + hour * 13 + r * 29) % 120) + (day < 3 ? 60 : 0);
          let status: RunStatus = "up";
          if (!isXss && day === BAD_DAY && hour < 10) status = "down"; // 4 of 6 runs
          if (!isXss && day === MINOR_DAY && hour === 4 && r === 0) status = "down"; // 1 of 48 runs
          if (isXss && day === 1 && hour === 2) status = "down";
          if (!isXss && day === 2 && hour === 6 && r === 1) status = "degraded";
          const seeded = run(
            probe,
            region,
            slotAt,
            status,
            status === "degraded" ? 2400 : latency,
            isXss ? XSS_MESSAGE : undefined,
          );
          // A journey metric on the search probe's passing runs: the page charts it (and axe checks the chart).
          runs.push(
            !isXss && status !== "down"
              ? { ...seeded, metrics: { results_found: 40 + ((hour * 7 + r * 3) % 11) } }
              : seeded,
          );
        });
      }
    }
  }
  return { runs, until };
}

/** Builds the copy, applies the migrations and seeds the history. */
export async function seedProject(now = Date.now()): Promise<SeededProject> {
  const temp = mkdtempSync(join(tmpdir(), "afterlife-page-seeded-"));
  const root = join(temp, "project");
  const persistTo = join(temp, "state");
  const files = new Map(Object.entries(PROBES).map(([file, definition]) => [file, probeModuleSource(definition)]));
  makeTempProject(root, files);
  for (const shop of ["shop-home.ts", "shop-checkout.ts"])
    copyFileSync(join(PROJECT_ROOT, "probes", shop), join(root, "probes", shop));
  const probes = await loadProjectProbes(root);
  await runToCompletion(
    join(PROJECT_ROOT, "node_modules", ".bin", "wrangler"),
    ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
    {
      cwd: root,
      env: { ...OFFLINE_ENV, CI: "true" },
    },
  );
  const { runs, until } = seededRuns(probes, now);
  const d1 = await openLocalD1(writeD1OnlyConfig(root, temp, "afterlife-page-seed-d1"), persistTo);
  try {
    const store = new D1RunStore(d1.db);
    for (let i = 0; i < runs.length; i += 200) await store.saveRuns(runs.slice(i, i + 200));
    const incidents = new D1IncidentStore(d1.db);
    await incidents.run(incidents.insertIncidentStatements(badDayIncident(now)));
  } finally {
    await d1.dispose();
  }
  return {
    root,
    persistTo,
    probes,
    seededUntil: until,
    runs: runs.length,
    cleanup: () => rmSync(temp, { recursive: true, force: true }),
  };
}
