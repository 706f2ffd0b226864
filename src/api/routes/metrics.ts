import { createRoute, z } from "@hono/zod-openapi";
import type { SliReport } from "../../slo/report.ts";
import type { AppDeps } from "../app-env.ts";
import { loadOverview } from "../../queries/overview.ts";
import { loadSloReports } from "../../queries/slo.ts";
import {
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
  type MetricsSnapshot,
  type SloMetrics,
} from "../metrics/prometheus.ts";
import { createRouter } from "../router.ts";
import { hourOf } from "../../storage/metric-values.ts";
import { HOUR_MS } from "../../time.ts";

const route = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Status"],
  summary:
    "Prometheus metrics: state and last duration per probe and region, SLIs, budgets, burn rates, alerts, journey metrics",
  responses: {
    200: { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": { schema: z.string() } } },
  },
});

function sloMetrics(report: SliReport, window: string): SloMetrics {
  return {
    sli: report.kind,
    window,
    objective: report.objective,
    value: report.sli.excluded.value,
    budgetRemainingRatio: report.budget.remainingFraction,
    burnRates: report.burnRates,
    events: {
      [window]: { good: report.events.good, bad: report.events.bad, noData: report.events.noData },
      ...Object.fromEntries(
        Object.entries(report.lookbacks).map(([w, l]) => [w, { good: l.good, bad: l.bad, noData: l.noData }]),
      ),
    },
    alert: report.alert.state,
  };
}

/** The newest journey metric values of the probes, per (probe, region, name): one read (see metricsRead). */
async function newestJourneyValues(
  deps: AppDeps,
  probes: AppDeps["probes"],
): Promise<Map<string, { region: string; name: string; value: number }[]>> {
  const now = deps.now();
  const pairs = probes.flatMap((p) => p.probe.regions.map((region) => ({ probeId: p.probe.id, region })));
  // As far back as a newest run counts as current for the slowest schedule (hourly): this hour and the two before.
  const [{ values }] = await deps.store.read([
    deps.store.metricsRead(pairs, { from: hourOf(now) - 2 * HOUR_MS, to: now + 1, hoursFrom: now + 1 }),
  ]);
  const newest = new Map<string, { probeId: string; region: string; name: string; value: number }>();
  for (const v of values) newest.set(`${v.probeId}|${v.region}|${v.name}`, v); // oldest first: the last one wins
  const byProbe = new Map<string, { region: string; name: string; value: number }[]>();
  for (const { probeId, region, name, value } of newest.values())
    byProbe.set(probeId, [...(byProbe.get(probeId) ?? []), { region, name, value }]);
  return byProbe;
}

async function snapshot(deps: AppDeps, version: string): Promise<MetricsSnapshot> {
  const probes = deps.probes.filter((p) => p.probe.public);
  const [overview, slo, journey] = await Promise.all([
    loadOverview({ ...deps, probes }),
    loadSloReports(deps, { probes }, { detail: "alerting" }),
    newestJourneyValues(deps, probes),
  ]);
  return {
    generatedAt: deps.now(),
    version,
    probes: overview.probes.map((p, i) => {
      const report = slo.reports[i]!;
      return {
        id: p.id,
        regions: p.regions.map((r) => ({
          region: r.region,
          state: r.state === "regional" ? "down" : r.state,
          lastDurationMs: r.lastRun?.durationMs ?? null,
          lastRunAt: r.lastRun?.startedAt ?? null,
        })),
        slos: [
          sloMetrics(report.availability, report.window),
          ...(report.latency ? [sloMetrics(report.latency, report.window)] : []),
        ],
        ...(journey.has(p.id) ? { journey: journey.get(p.id)! } : {}),
      };
    }),
  };
}

/** GET /metrics */
export function metricsRoutes(version: string) {
  return createRouter().openapi(route, async (c) => {
    const text = renderPrometheus(await snapshot(c.env.deps, version));
    return c.body(text, 200, { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" }) as never;
  });
}
