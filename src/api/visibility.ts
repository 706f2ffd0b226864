/**
 * The one visibility rule of every read: a caller without a valid API token sees only public
 * probes (the definition says `public`, STATUS_PAGE neither hides the probe nor leaves its group
 * out), and only their runs, incidents and maintenance. It is applied once per request, to the
 * dependencies every route and loader reads through (app.ts), so no route has to remember it:
 * the probe list is filtered, and the stores drop what belongs to other probes before and
 * after they are called.
 */
import type { Incident, Maintenance } from "../incidents/model.ts";
import { describeFailure } from "../incidents/public-failure.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { RunSummary } from "../probe/result.ts";
import type { RunListPage } from "../storage/run-list.ts";
import type { RunStore } from "../storage/run-store.ts";
import { publicRun, publicRunSummary } from "./public-run.ts";
import { mapRead } from "../storage/d1-read.ts";
import { pageConfigOf, PageConfigError } from "../page/page-config.ts";
import { isVisible } from "../page/visibility.ts";
import type { AppDeps } from "./app-env.ts";
import type { IncidentStore } from "../storage/incident-store.ts";
import type { MaintenanceStore } from "../storage/maintenance-store.ts";
import type { OutboxStore } from "../storage/outbox-store.ts";
import type { Release } from "../releases/model.ts";
import type { ReleaseReader, ReleaseWriter } from "../storage/release-store.ts";

/** "all" for a caller with a valid token (read or write scope), "public" for everyone else. */
type Visibility = "all" | "public";

/** What a public caller may see: probes and whether failure messages are shown (STATUS_PAGE). */
interface PublicView {
  probes: LoadedProbe[];
  showFailureEvidence: boolean;
}

/** A STATUS_PAGE that does not parse hides every probe (fail closed), and the error is logged. */
function publicView(deps: Pick<AppDeps, "probes" | "config">): PublicView {
  let config: ReturnType<typeof pageConfigOf>;
  try {
    config = pageConfigOf(deps.config.values);
  } catch (error) {
    if (!(error instanceof PageConfigError)) throw error;
    console.error(JSON.stringify({ event: "page_config_invalid", error: error.message }));
    return { probes: [], showFailureEvidence: false };
  }
  return { probes: deps.probes.filter((p) => isVisible(p, config)), showFailureEvidence: config.showFailureEvidence };
}

/** The dependencies as a caller with this visibility may read them. */
export function scopeDeps(deps: AppDeps, visibility: Visibility): AppDeps {
  if (visibility === "all") return deps;
  const { probes, showFailureEvidence } = publicView(deps);
  const visible = new Set(probes.map((p) => p.probe.id));
  // Incidents are public only when every probe they name is defined public: one private probe
  // in the list makes the whole incident private (its text may be about that probe).
  const definedPublic = new Set(deps.probes.filter((p) => p.probe.public).map((p) => p.probe.id));
  return {
    ...deps,
    probes,
    store: publicRunStore(deps.store, visible, showFailureEvidence),
    incidents: publicIncidentStore(deps.incidents, { visible, definedPublic, showFailureEvidence }),
    maintenances: publicMaintenanceStore(deps.maintenances, visible),
    outbox: PUBLIC_OUTBOX,
    releases: publicReleaseStore(deps.releases, visible),
  };
}

const pairVisible = (visible: ReadonlySet<string>) => (pair: { probeId: string }) => visible.has(pair.probeId);

/**
 * Reads of runs and rollups of visible probes only; what another probe asks for is dropped before
 * D1 sees it. Runs come out as public-run.ts tells them, unless `showFailureEvidence` is on.
 */
function publicRunStore(inner: RunStore, visible: ReadonlySet<string>, showFailureEvidence = false): RunStore {
  const keep = pairVisible(visible);
  const summary = <T extends RunSummary>(run: T): T => (showFailureEvidence ? run : publicRunSummary(run));
  const page = (p: RunListPage): RunListPage => ({ ...p, runs: p.runs.map(summary) });
  return {
    saveRuns: () => Promise.reject(new Error("a public caller never writes runs")),
    latestRunsRead: (pairs, now) => mapRead(inner.latestRunsRead(pairs.filter(keep), now), (runs) => runs.map(summary)),
    latestStatesRead: (pairs, now) => inner.latestStatesRead(pairs.filter(keep), now),
    recentRunsRead: (pairs, from, to) => inner.recentRunsRead(pairs.filter(keep), from, to),
    minutesRead: (pairs, hours, options) => inner.minutesRead(pairs.filter(keep), hours, options),
    firstRunsRead: (pairs) => inner.firstRunsRead(pairs.filter(keep)),
    metricsRead: (pairs, range) => inner.metricsRead(pairs.filter(keep), range),
    latestVitalsRead: (pairs) => inner.latestVitalsRead(pairs.filter(keep)),
    getRun: async (runId) => {
      const run = await inner.getRun(runId);
      if (!run || !visible.has(run.probeId)) return null;
      return showFailureEvidence ? run : publicRun(run);
    },
    listRuns: async (query) => page(await inner.listRuns({ ...query, pairs: query.pairs.filter(keep) })),
    listRunsRead: (query) => mapRead(inner.listRunsRead({ ...query, pairs: query.pairs.filter(keep) }), page),
    rollups: (requests) => inner.rollups(requests.filter(keep)),
    rollupsRead: (requests) => inner.rollupsRead(requests.filter(keep)),
    read: (reads) => inner.read(reads),
    prune: () => Promise.reject(new Error("a public caller never prunes")),
    sealHours: () => Promise.reject(new Error("a public caller never seals hours")),
    rollUpDays: () => Promise.reject(new Error("a public caller never builds rollups")),
  };
}

/**
 * Releases a public caller may see: those whose every probe is visible (one private probe makes
 * the release private: its version, description and findings may be about that probe).
 */
function publicReleaseStore(
  inner: ReleaseReader & ReleaseWriter,
  visible: ReadonlySet<string>,
): ReleaseReader & ReleaseWriter {
  const shown = (release: Release) => release.probeIds.every((id) => visible.has(id));
  return {
    get: async (id) => {
      const release = await inner.get(id);
      return release && shown(release) ? release : null;
    },
    // Only releases touching a visible probe are read; those touching a hidden one too are then dropped.
    listRead: (query) =>
      mapRead(
        inner.listRead({ ...query, probeIds: (query.probeIds ?? [...visible]).filter((id) => visible.has(id)) }),
        (list) => list.filter(shown),
      ),
    insert: () => Promise.reject(new Error("a public caller never writes releases")),
  };
}

interface IncidentRule {
  visible: ReadonlySet<string>;
  /** Probes whose definition says public (STATUS_PAGE may hide some of them still). */
  definedPublic: ReadonlySet<string>;
  showFailureEvidence: boolean;
}

/**
 * An incident as a public caller sees it: only when public, naming only visible probes, and
 * its failure told by its structured fields unless STATUS_PAGE.showFailureEvidence is on.
 */
function publicIncident(incident: Incident, rule: IncidentRule): Incident | null {
  if (!incident.public || !incident.probeIds.every((id) => rule.definedPublic.has(id))) return null;
  const probeIds = incident.probeIds.filter((id) => rule.visible.has(id));
  if (incident.probeIds.length > 0 && probeIds.length === 0) return null;
  const failure =
    incident.failure && !rule.showFailureEvidence
      ? { ...incident.failure, message: describeFailure(incident.failure) }
      : incident.failure;
  return { ...incident, probeIds, failure };
}

/** A maintenance as a public caller sees it: only when it names a visible probe, and only those. */
function publicMaintenance(maintenance: Maintenance, visible: ReadonlySet<string>): Maintenance | null {
  const probeIds = maintenance.probeIds.filter((id) => visible.has(id));
  return probeIds.length === 0 ? null : { ...maintenance, probeIds };
}

const refuse = () => {
  throw new Error("a public caller never writes incidents, maintenance or the outbox");
};

function publicIncidentStore(inner: IncidentStore, rule: IncidentRule): IncidentStore {
  const incidents = (list: readonly Incident[]) => list.flatMap((i) => publicIncident(i, rule) ?? []);
  return {
    listIncidents: async (filter) => incidents(await inner.listIncidents({ ...filter, publicOnly: true })),
    listIncidentsRead: (filter) => mapRead(inner.listIncidentsRead({ ...filter, publicOnly: true }), incidents),
    getIncident: async (id) => {
      const incident = await inner.getIncident(id);
      return incident && publicIncident(incident, rule);
    },
    insertIncidentStatements: refuse,
    insertUpdateStatement: refuse,
    setStatusStatement: refuse,
    patchIncident: refuse,
    run: refuse,
    insertIncidentsStatements: refuse,
    insertUpdatesStatements: refuse,
    resolveIncidentsStatements: refuse,
  };
}

function publicMaintenanceStore(inner: MaintenanceStore, visible: ReadonlySet<string>): MaintenanceStore {
  const maintenances = (list: readonly Maintenance[]) => list.flatMap((m) => publicMaintenance(m, visible) ?? []);
  return {
    listMaintenances: async (options) =>
      maintenances(await inner.listMaintenances({ ...options, includeCancelled: false })),
    listMaintenancesRead: (options) =>
      mapRead(inner.listMaintenancesRead({ ...options, includeCancelled: false }), maintenances),
    getMaintenance: async (id) => {
      const maintenance = await inner.getMaintenance(id);
      return maintenance && publicMaintenance(maintenance, visible);
    },
    insertMaintenance: refuse,
    cancelMaintenance: refuse,
    run: refuse,
  };
}

/** The outbox is for token holders only: a public caller reads it empty. */
const PUBLIC_OUTBOX: OutboxStore = {
  listOutbox: async () => [],
  dueOutbox: async () => [],
  enqueueStatement: refuse,
  enqueueStatements: refuse,
  recordAttempt: refuse,
  claim: refuse,
  run: refuse,
};
