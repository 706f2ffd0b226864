/** The cost planner's report: monthly usage against the plan, per-probe shares, warnings. */
import { fmt, PLANS, type CostEstimate } from "../../src/cost/estimate.ts";

export function formatCost(estimate: CostEstimate): string {
  const plan = PLANS[estimate.plan];
  const m = estimate.perMonth;
  const row = (label: string, value: number, included?: number) =>
    `  ${label.padEnd(34)} ${fmt(value).padStart(16)}${included === undefined ? "" : `   included ${fmt(included)}${value > included ? "  ← over" : ""}`}`;
  const lines = [
    `Estimated monthly usage on the ${plan.name} plan (30 days)`,
    row("cron invocations", m.cronInvocations),
    row("probe runs", m.runs),
    row("Durable Object requests (shards)", m.doRequests, plan.included.doRequests),
    row("Durable Object duration (GB-s)", m.doGbSeconds, plan.included.doGbSeconds),
    row("subrequests (probe HTTP + shards)", m.subrequests),
    row("D1 rows written", m.rowsWritten, plan.included.rowsWritten),
    row("D1 rows read", m.rowsRead, plan.included.rowsRead),
    `  ${"peak shards in one tick".padEnd(34)} ${fmt(estimate.peakShardsPerTick).padStart(16)}   dispatcher limit ${plan.limits.subrequests - 1}`,
    "",
    "D1 at steady state (after retention)",
    row("raw run rows", estimate.storage.rawRunsRows),
    row("rollup rows", estimate.storage.rollupRows),
    `  ${"size".padEnd(34)} ${`${(estimate.storage.bytes / 1e6).toFixed(1)} MB`.padStart(16)}   limit ${plan.storageCapGb} GB per database`,
    "",
    "Per probe",
    ...estimate.probes.map((p) => `  ${p.probeId.padEnd(34)} ${fmt(p.runsPerMonth).padStart(10)} runs  ${fmt(p.rowsWrittenPerMonth).padStart(10)} rows written  ~${fmt(p.rawBytesPerRun)} B/run`),
    "",
    `Estimated bill: $${estimate.usd.total.toFixed(2)}/month ($${estimate.usd.base.toFixed(2)} plan + $${estimate.usd.overage.toFixed(2)} usage beyond the included amounts)`,
  ];
  if (estimate.warnings.length) lines.push("", "Warnings", ...estimate.warnings.map((w) => `  ! ${w}`));
  else lines.push("", `Within the ${plan.name} plan's limits.`);
  return lines.join("\n");
}
