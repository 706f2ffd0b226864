/** The cost planner's report: monthly usage against the plan, rows written and read line by line, storage, the bill. */
import { fmt, PLANS, type CostEstimate } from "../../src/cost/estimate.ts";

const size = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);
const usd = (x: number) => `$${x.toFixed(2)}`;

/** Browser Rendering lines, when the fleet has browser probes. */
function formatBrowsers(estimate: CostEstimate): string[] {
  const b = estimate.browsers;
  if (b.runsPerMonth === 0) return [];
  const terms = PLANS[estimate.plan].browsers;
  const row = (label: string, value: string, note: string) => `  ${label.padEnd(48)} ${value.padStart(16)}   ${note}`;
  return [
    "",
    `Browser Rendering (${estimate.assumptions.browserSecondsPerRun} s of browser per run)`,
    row("browser runs", fmt(b.runsPerMonth), ""),
    row(
      "browser hours",
      b.hoursPerMonth.toFixed(1),
      `included ${Number(terms.includedHours.toFixed(1))}${b.hoursPerMonth > terms.includedHours ? "  ← over" : ""}`,
    ),
    row(
      "concurrent browsers (busiest tick)",
      fmt(b.peakConcurrent),
      `included ${terms.includedConcurrent}, at most ${terms.maxConcurrent}${b.peakConcurrent > terms.maxConcurrent ? "  ← over the limit" : b.peakConcurrent > terms.includedConcurrent ? "  ← billed" : ""}`,
    ),
    row(
      "new browsers in one minute (busiest)",
      fmt(b.peakNewPerMinute),
      `at most ${terms.maxNewPerMinute}${b.peakNewPerMinute > terms.maxNewPerMinute ? "  ← over the limit" : ""}`,
    ),
  ];
}

export function formatCost(estimate: CostEstimate, topProbes = 10): string {
  const plan = PLANS[estimate.plan];
  const m = estimate.perMonth;
  const a = estimate.assumptions;
  const row = (label: string, value: number, included?: number) =>
    `  ${label.padEnd(48)} ${fmt(value).padStart(16)}${included === undefined ? "" : `   included ${fmt(included)}${value > included ? "  ← over" : ""}`}`;
  const sub = (label: string, value: number) => `    ${label.padEnd(46)} ${fmt(value).padStart(16)}`;
  const heaviest = [...estimate.probes]
    .sort((x, y) => y.rowsWrittenPerMonth - x.rowsWrittenPerMonth)
    .slice(0, topProbes);
  const lines = [
    `Estimated monthly usage on the ${plan.name} plan (30 days): ${fmt(estimate.fleet.probes)} probes, ${fmt(estimate.fleet.pairs)} (probe, region) pairs, ${fmt(estimate.fleet.runsPerMinute)} runs a minute`,
    `Assumed: ${a.viewsPerSecond} status page views/s, ${a.sloPollsPerMinute} /api/v1/slo calls/min, ${a.cacheSeconds > 0 ? `rendered at most once per ${a.cacheSeconds} s in each of ${a.colos} Cloudflare locations (edge cache)` : "each one rendered (edge cache off)"}, ${(a.failureShare * 100).toPrecision(3)}% of runs failed/degraded/confirmed, ${a.incidentsPerProbe} incident per probe, ${a.channels} channel(s)${a.releasesPerMonth > 0 ? `, ${a.releasesPerMonth} releases watched ${a.releaseWatchMinutes} min each` : ""}; raw runs kept ${a.retention.rawRunDays} d, hour rollups ${a.retention.hourRollupDays} d, daily ${a.retention.rollupDays} d`,
    row("cron invocations", m.cronInvocations),
    row("probe runs", m.runs),
    row("page and /api/v1/slo renders (D1 reads)", m.renders),
    row("Worker requests (cron, pages, API)", m.workerRequests, plan.included.workerRequests),
    row("Durable Object requests (shards, confirmations)", m.doRequests, plan.included.doRequests),
    row("Durable Object duration (GB-s)", m.doGbSeconds, plan.included.doGbSeconds),
    row("subrequests (probe HTTP + shards)", m.subrequests),
    row("D1 rows written", m.rowsWritten, plan.included.rowsWritten),
    ...estimate.writes.map((l) => sub(l.label, l.perMonth)),
    `    ${"per run".padEnd(46)} ${estimate.rowsWrittenPerRun.toFixed(3).padStart(16)}`,
    row("D1 rows read", m.rowsRead, plan.included.rowsRead),
    ...estimate.reads.map((l) => sub(l.label, l.perMonth)),
    `  ${"rows read per render: page / slo / burn / metrics".padEnd(48)} ${[estimate.readsPerView.page, estimate.readsPerView.slo, estimate.readsPerView.burnEvaluation, estimate.readsPerView.metrics].map(fmt).join(" / ").padStart(16)}`,
    `  ${"peak shards in one tick".padEnd(48)} ${fmt(estimate.peakShardsPerTick).padStart(16)}   dispatcher limit ${plan.limits.subrequests - 1}`,
    ...formatBrowsers(estimate),
    "",
    "D1 at steady state (after retention)",
    ...estimate.storage.tables.map(
      (t) => `  ${t.table.padEnd(48)} ${fmt(t.rows).padStart(16)} rows ${size(t.bytes).padStart(10)}`,
    ),
    `  ${"total".padEnd(48)} ${size(estimate.storage.bytes).padStart(27)}   ${((estimate.storage.bytes / estimate.storage.capBytes) * 100).toFixed(1)}% of the ${size(estimate.storage.capBytes)} per database`,
    `  ${"bytes per passing run (its share of its run_blocks rows)".padEnd(48)} ${estimate.storage.bytesPerRun.toFixed(1).padStart(16)}`,
    "",
    `Per probe (the ${heaviest.length} heaviest of ${fmt(estimate.probes.length)})`,
    ...heaviest.map(
      (p) =>
        `  ${p.probeId.padEnd(34)} ${fmt(p.runsPerMonth).padStart(10)} runs  ${fmt(p.rowsWrittenPerMonth).padStart(10)} rows written  ${p.bytesPerRun.toFixed(1)} B/run`,
    ),
    "",
    `Beyond the included amounts: requests ${usd(estimate.usd.requests)}, DO requests ${usd(estimate.usd.doRequests)}, DO duration ${usd(estimate.usd.doDuration)}, rows written ${usd(estimate.usd.rowsWritten)}, rows read ${usd(estimate.usd.rowsRead)}, storage ${usd(estimate.usd.storage)}, browser hours ${usd(estimate.usd.browserHours)}, concurrent browsers ${usd(estimate.usd.browserConcurrency)}`,
    `Estimated bill: ${usd(estimate.usd.total)}/month (${usd(estimate.usd.base)} plan + ${usd(estimate.usd.overage)} usage beyond the included amounts)`,
  ];
  if (estimate.warnings.length) lines.push("", "Warnings", ...estimate.warnings.map((w) => `  ! ${w}`));
  else lines.push("", `Within the ${plan.name} plan's limits.`);
  return lines.join("\n");
}
