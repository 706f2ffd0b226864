import { createRoute, z } from "@hono/zod-openapi";
import type { SliReport } from "../../slo/report.ts";
import type { AppDeps } from "../app-env.ts";
import { loadOverview } from "../../queries/overview.ts";
import { loadSloReports } from "../../queries/slo.ts";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, type MetricsSnapshot, type SloMetrics } from "../metrics/prometheus.ts";
import { createRouter } from "../router.ts";

const route = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["Status"],
  summary: "Prometheus metrics: state and last duration per probe and region, SLIs, budgets, burn rates, alerts",
  responses: { 200: { description: "Prometheus text exposition format 0.0.4", content: { "text/plain": { schema: z.string() } } } },
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
      ...Object.fromEntries(Object.entries(report.lookbacks).map(([w, l]) => [w, { good: l.good, bad: l.bad, noData: l.noData }])),
    },
    alert: report.alert.state,
  };
}

async function snapshot(deps: AppDeps, version: string): Promise<MetricsSnapshot> {
  const probes = deps.probes.filter((p) => p.probe.public);
  const [overview, slo] = await Promise.all([loadOverview({ ...deps, probes }), loadSloReports(deps, { probes }, { detail: "alerting" })]);
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
        slos: [sloMetrics(report.availability, report.window), ...(report.latency ? [sloMetrics(report.latency, report.window)] : [])],
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
