/**
 * What a tick needs, built by src/index.ts from env (and by the tests, with their own fleet).
 * Nothing under src/tick/ reads env: every platform dependency arrives here.
 */
import type { Channel } from "../incidents/channels/channel.ts";
import type { WatchdogOptions } from "../incidents/watchdog.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { ShardReport, ShardRequest } from "../schedule/shard-executor.ts";
import type { InvocationLimits } from "../schedule/shard-plan.ts";
import type { RefreshDayHistoryDeps, RefreshReport } from "../status/refresh-day-history.ts";
import type { D1DayHistoryStore } from "../storage/day-history-store.ts";
import type { D1IncidentStore } from "../storage/incident-store.ts";
import type { D1MaintenanceStore } from "../storage/maintenance-store.ts";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { D1ProbeStateStore } from "../storage/probe-state-store.ts";
import type { RetentionPolicy } from "../storage/retention.ts";
import type { RunStore } from "../storage/run-store.ts";
import type { D1ReleaseStore } from "../storage/release-store.ts";
import type { D1HeartbeatStore } from "../storage/heartbeat-store.ts";

export interface TickDeps {
  probes: readonly LoadedProbe[];
  limits: InvocationLimits;
  retention: RetentionPolicy;
  runs: RunStore;
  incidents: D1IncidentStore;
  maintenances: Pick<D1MaintenanceStore, "listMaintenances">;
  probeStates: D1ProbeStateStore;
  outbox: D1OutboxStore;
  /** Releases: the dispatch reads which probes a watch covers, the release-watch stage judges them. */
  releases: Pick<D1ReleaseStore, "watchedProbeIds" | "unfinished" | "saveJudgementsStatement">;
  /** The day histories and the status board built from them (and the newest runs). */
  dayHistories: Pick<D1DayHistoryStore, "coverage" | "save" | "daysRead" | "completeDays" | "saveBoard">;
  /** Heartbeats: the heartbeats stage reads their pings and marks what it judged. */
  heartbeats: Pick<D1HeartbeatStore, "list" | "judgedStatement">;
  /** Runs one shard in its region runner (a Durable Object in production). */
  runShard: (request: ShardRequest) => Promise<ShardReport>;
  /** Names of the configured notification channels (part of every outbox row's key). */
  channelNames: readonly string[];
  /**
   * Builds the channels when the delivery stage needs them: building resolves secrets and
   * throws on a missing one, which must fail the delivery alone, not the whole tick.
   */
  channels: () => readonly Channel[];
  /** fetch for notice delivery. */
  fetch: typeof fetch;
  allowPrivateTargets: boolean;
  /** The isolate's day-history upkeep (it remembers when every history is done; see refresh-day-history.ts). */
  dayHistoryUpkeep: (deps: RefreshDayHistoryDeps) => Promise<RefreshReport & { upToDate?: true }>;
  now: () => number;
  random: () => number;
  watchdog?: Partial<WatchdogOptions> | undefined;
}
