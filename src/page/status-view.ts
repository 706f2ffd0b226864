/**
 * The status page's view: each shown probe's state, bars and figures, its groups, the banner and
 * the notices. Pure: built from what the loaders read (src/queries/page.ts), with `now` passed in.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { DayTotals } from "../status/day-totals.ts";
import { overallState, type OverallState, type Overview, type ProbeState } from "../status/overview.ts";
import { worstState, type ComponentState } from "../status/state-order.ts";
import type { PageConfig } from "./page-config.ts";
import {
  BAR_DAYS,
  LEVEL_CODE,
  type DayCodes,
  type DaySegment,
  availabilityOf,
  dayBars,
  dayCodesOf,
} from "./day-bars.ts";
import {
  NO_NOTICES,
  type Notices,
  type NoticesView,
  incidentViews,
  noticesView,
  underMaintenance,
} from "./notices-view.ts";

export type BannerState = OverallState | "maintenance";

export interface ProbeView {
  id: string;
  name: string;
  description: string;
  group: string;
  state: ComponentState;
  lastRunAt: number | null;
  objective: number;
  days: DaySegment[];
  /** Over the 90 days, time without data left out; null without any run. */
  availability: number | null;
  /** Days of the bar with at least one stored run. */
  daysWithData: number;
}

/**
 * A probe as the status page shows it: its bar as one level per day and its totals, not the
 * days themselves. The days' figures (availability, median, worst incident) are on the probe's
 * own page, which the bar links to: the status page stays the same size whatever its history.
 */
export interface ProbeSummaryView extends Omit<ProbeView, "objective" | "days"> {
  /** One level code per day of the bar, oldest first. */
  levels: DayCodes;
  /** Judged runs over the bar's days (what the group's availability sums). */
  judged: { up: number; degraded: number; down: number };
}

function probeSummary(p: ProbeView): ProbeSummaryView {
  const judged = { up: 0, degraded: 0, down: 0 };
  for (const d of p.days) {
    judged.up += d.up;
    judged.degraded += d.degraded;
    judged.down += d.down;
  }
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    group: p.group,
    state: p.state,
    lastRunAt: p.lastRunAt,
    levels: dayCodesOf(p.days),
    availability: p.availability,
    daysWithData: p.daysWithData,
    judged,
  };
}

export interface GroupView {
  name: string;
  state: ComponentState;
  availability: number | null;
  /** Every probe of the group has data on every day of the bars. */
  complete: boolean;
  probes: ProbeSummaryView[];
}

/** The banner: the overall state of the probes not under maintenance; "maintenance" when that is all that is going on. */
export function bannerState(states: readonly ComponentState[]): BannerState {
  const measured = states.filter((s): s is ProbeState => s !== "maintenance");
  const overall = overallState(measured);
  if (measured.length < states.length && (measured.length === 0 || overall === "operational")) return "maintenance";
  return overall;
}

/** Groups in the order their first probe comes in the registry; probes in registry order. */
function groupsOf(probes: readonly ProbeSummaryView[]): GroupView[] {
  const groups = new Map<string, ProbeSummaryView[]>();
  for (const p of probes) {
    const list = groups.get(p.group) ?? [];
    list.push(p);
    groups.set(p.group, list);
  }
  return [...groups].map(([name, members]) => ({
    name,
    state: worstState(members.map((m) => m.state)),
    availability: availabilityOf(members.map((m) => m.judged)),
    complete: members.every((m) => m.daysWithData === m.levels.length),
    probes: members,
  }));
}

export interface StatusPageView {
  config: PageConfig;
  now: number;
  state: BannerState;
  /** Start of the newest run behind the states, or null. */
  checkedAt: number | null;
  groups: GroupView[];
  /** At most MAX_NOTICES of each kind: the page's size does not grow with the number of incidents. */
  notices: NoticesView;
  /** What the caps left out (listed on /history). */
  notShown: { incidents: number; maintenance: number };
}

/** Active incidents, and active and upcoming maintenance, shown on the status page at most. */
export const MAX_NOTICES = 5;

/** The notices cut to MAX_NOTICES of each kind (active maintenance before upcoming), and how many were left out. */
function cappedNotices(notices: NoticesView): { notices: NoticesView; notShown: StatusPageView["notShown"] } {
  const activeMaintenance = notices.activeMaintenance.slice(0, MAX_NOTICES);
  const upcomingMaintenance = notices.upcomingMaintenance.slice(0, MAX_NOTICES - activeMaintenance.length);
  const activeIncidents = notices.activeIncidents.slice(0, MAX_NOTICES);
  return {
    notices: { activeIncidents, activeMaintenance, upcomingMaintenance },
    notShown: {
      incidents: notices.activeIncidents.length - activeIncidents.length,
      maintenance:
        notices.activeMaintenance.length +
        notices.upcomingMaintenance.length -
        activeMaintenance.length -
        upcomingMaintenance.length,
    },
  };
}

interface StatusPageInput {
  config: PageConfig;
  now: number;
  /** The shown probes only. */
  probes: readonly LoadedProbe[];
  overview: Overview;
  /** Day totals of the shown probes over the bars' days, by probe id. */
  days: ReadonlyMap<string, readonly DayTotals[]>;
  notices: Notices;
}

export function probeViews(input: Omit<StatusPageInput, "config">): ProbeView[] {
  const names = new Map(input.probes.map((p) => [p.probe.id, p.probe.name]));
  const incidents = incidentViews(input.notices.incidents, names);
  const maintenance = underMaintenance(input.notices, input.now);
  const overviewById = new Map(input.overview.probes.map((p) => [p.id, p]));
  return input.probes.map((loaded) => {
    const p = loaded.probe;
    const overview = overviewById.get(p.id);
    const days = dayBars(
      loaded,
      input.days.get(p.id) ?? [],
      incidents.filter((i) => i.probeIds.includes(p.id)),
      input.now,
    );
    return {
      id: p.id,
      name: p.name,
      description: p.description,
      group: p.group,
      state: maintenance.has(p.id) ? "maintenance" : (overview?.state ?? "no-data"),
      lastRunAt: overview?.lastRunAt ?? null,
      objective: p.slo.availability,
      days,
      availability: availabilityOf(days),
      daysWithData: days.filter((d) => d.runs > 0).length,
    };
  });
}

/**
 * What the status page shows of a probe that only its stored runs decide: its measured state
 * (maintenance is applied when the page is read), its day levels and totals. The status board
 * (status-board.ts) keeps these for every public probe.
 */
export type BoardProbe = Omit<ProbeSummaryView, "name" | "description" | "group" | "state"> & { state: ProbeState };

/** The board entries of these probes from their runs and day totals. */
export function boardProbesOf(input: Omit<StatusPageInput, "config" | "notices">): BoardProbe[] {
  return probeViews({ ...input, notices: NO_NOTICES }).map((view) => {
    const { name: _name, description: _description, group: _group, state, ...rest } = probeSummary(view);
    return { ...rest, state: state === "maintenance" ? "no-data" : state };
  });
}

/** A probe the board does not hold yet (no run, no day): what the page shows before its first run. */
function emptyBoardProbe(id: string): BoardProbe {
  return {
    id,
    state: "no-data",
    lastRunAt: null,
    levels: LEVEL_CODE.none.repeat(BAR_DAYS),
    availability: null,
    daysWithData: 0,
    judged: { up: 0, degraded: 0, down: 0 },
  };
}

/** The status page from the board entries of its probes and the notices read with it. */
export function statusViewOf(input: {
  config: PageConfig;
  now: number;
  probes: readonly LoadedProbe[];
  board: ReadonlyMap<string, BoardProbe>;
  notices: Notices;
}): StatusPageView {
  const maintenance = underMaintenance(input.notices, input.now);
  const probes: ProbeSummaryView[] = input.probes.map(({ probe: p }) => {
    const entry = input.board.get(p.id) ?? emptyBoardProbe(p.id);
    // Written out rather than spread with `state` overridden, which V8 takes a slow path for:
    // this runs for every public probe on every render.
    return {
      id: entry.id,
      name: p.name,
      description: p.description,
      group: p.group,
      state: maintenance.has(p.id) ? "maintenance" : entry.state,
      lastRunAt: entry.lastRunAt,
      levels: entry.levels,
      availability: entry.availability,
      daysWithData: entry.daysWithData,
      judged: entry.judged,
    };
  });
  const names = new Map(input.probes.map((p) => [p.probe.id, p.probe.name]));
  const times = probes.flatMap((p) => (p.lastRunAt === null ? [] : [p.lastRunAt]));
  return {
    config: input.config,
    now: input.now,
    state: bannerState(probes.map((p) => p.state)),
    checkedAt: times.length ? Math.max(...times) : null,
    groups: groupsOf(probes),
    ...cappedNotices(noticesView(input.notices, names, input.now)),
  };
}

export function buildStatusView(input: StatusPageInput): StatusPageView {
  const board = new Map(boardProbesOf(input).map((p) => [p.id, p]));
  return statusViewOf({ config: input.config, now: input.now, probes: input.probes, board, notices: input.notices });
}
