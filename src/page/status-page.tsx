import type { Overview, OverallState, ProbeState } from "../status/overview.ts";
import { Layout } from "./layout.tsx";

const OVERALL_TEXT: Record<OverallState, string> = {
  operational: "All systems operational",
  degraded: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  unknown: "No data yet",
};

/** Text and an icon beside every colour: colour is never the only signal. */
export const STATE_TEXT: Record<ProbeState, string> = {
  up: "✓ Operational",
  degraded: "◐ Degraded",
  regional: "◐ Regional issue",
  down: "✕ Down",
  "no-data": "? No data",
};

function formatTime(epochMs: number | null): string {
  return epochMs === null ? "never" : `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function StatusPage(props: { overview: Overview; title: string; nonce: string | undefined }) {
  const { overview } = props;
  return (
    <Layout title={props.title} nonce={props.nonce}>
      <h1>{props.title}</h1>
      <section class="banner" data-state={overview.state} aria-live="polite">
        <strong id="overall">{OVERALL_TEXT[overview.state]}</strong>
        <div class="muted">Last checked {formatTime(overview.checkedAt)}</div>
      </section>
      <section aria-labelledby="probes-heading">
        <h2 id="probes-heading">Services</h2>
        {overview.probes.map((p) => (
          <div class="probe" data-probe={p.id}>
            <div>
              <div>{p.name}</div>
              <div class="muted">
                {p.group} · {p.regions.map((r) => `${r.region}: ${r.state}`).join(", ")}
              </div>
            </div>
            <div class="state" data-state={p.state}>
              {STATE_TEXT[p.state]}
              <div class="muted">{formatTime(p.lastRunAt)}</div>
            </div>
          </div>
        ))}
      </section>
    </Layout>
  );
}
