/**
 * What the reads of src/queries/ take: the stores and the clock, nothing of HTTP. The API's
 * AppDeps (api/app-env.ts) extends it, so a route hands its deps (or a public view of them, see
 * api/visibility.ts) to a query as they are; the tick's stages build a smaller one.
 */
import type { Config } from "../config.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { D1DayHistoryStore } from "../storage/day-history-store.ts";
import type { IncidentStore } from "../storage/incident-store.ts";
import type { MaintenanceStore } from "../storage/maintenance-store.ts";
import type { ReleaseReader } from "../storage/release-store.ts";
import type { RunStore } from "../storage/run-store.ts";

export interface ReadDeps {
  config: Config;
  probes: readonly LoadedProbe[];
  store: RunStore;
  /** The status page's day totals: closed days per probe, regions merged. */
  dayHistory: D1DayHistoryStore;
  incidents: IncidentStore;
  maintenances: MaintenanceStore;
  releases: ReleaseReader;
  now: () => number;
}
