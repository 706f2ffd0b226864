/**
 * Threshold alerts on journey metrics through the real tick: a journey over real HTTP records a
 * value the test steers, the metric-alerts stage writes one metric.breached notice when it crosses
 * the threshold and one metric.recovered when it is back, whatever replays, failed runs or quiet
 * ticks come between; the pure step is checked on its own too.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { crossing, initialMetricAlertState, stepMetricAlerts } from "../../../src/incidents/metric-alerts.ts";
import { headline, summary, type Notice } from "../../../src/incidents/channels/notice.ts";
import { webhookBody } from "../../../src/incidents/channels/webhook.ts";
import { extract } from "../../../src/probe/define-probe.ts";
import { loadRegistry } from "../../../src/probe/registry.ts";
import { incidentStores } from "../../../src/storage/incident-stores.ts";
import { runTick } from "../../../src/tick/run-tick.ts";
import { fleetTickDeps } from "../support/tick-deps.ts";

const MINUTE = 60_000;
const { outbox: outboxStore } = incidentStores(env.DB);

const probes = loadRegistry([
  {
    file: "probes/cart-total.ts",
    definition: {
      id: "cart-total",
      name: "Cart total",
      baseUrl: "{{env:CART_URL}}",
      regions: ["weur", "enam"],
      retries: 0,
      alerts: { metrics: { cart_total: { below: 1 } } },
      steps: [
        {
          name: "cart",
          url: "/echo",
          query: { n: "{{env:CART_TOTAL}}" },
          metrics: [extract.metric("cart_total", "$.query.n")],
        },
      ],
    },
  },
]);

describe("metric threshold alerts through the tick", () => {
  it("one breached notice per crossing and one recovered, through replays, failed runs and quiet ticks", async () => {
    const values = { CART_URL: env.FLEET_SHOP_URL, CART_TOTAL: "3097" };
    const deps = fleetTickDeps(probes, { values, runnerPrefix: "metric-alerts" });
    const base = Date.UTC(2026, 11, 1, 9, 0);
    const reportOf = async (t: number) =>
      (await runTick(t, deps)).reports["metric-alerts"] as { breached: string[]; recovered: string[] };
    const key = (since: number) => `cart-total-metric-cart_total-${since}`;

    expect(await reportOf(base)).toMatchObject({ breached: [], recovered: [] });
    values.CART_TOTAL = "0";
    expect(await reportOf(base + MINUTE)).toMatchObject({ breached: [key(base + MINUTE)], recovered: [] });
    expect(await reportOf(base + 2 * MINUTE)).toMatchObject({ breached: [], recovered: [] });
    // Replays of that tick, in sequence and in parallel: nothing new.
    for (let i = 0; i < 3; i++) await runTick(base + 2 * MINUTE, deps);
    await Promise.all([1, 2, 3].map(() => runTick(base + 2 * MINUTE, deps)));
    // A value that is not a number fails the runs: no value, no data, no change.
    values.CART_TOTAL = "n/a";
    expect(await reportOf(base + 3 * MINUTE)).toMatchObject({ breached: [], recovered: [] });
    values.CART_TOTAL = "3097";
    expect(await reportOf(base + 4 * MINUTE)).toMatchObject({ breached: [], recovered: [key(base + MINUTE)] });
    expect(await reportOf(base + 5 * MINUTE)).toMatchObject({ breached: [], recovered: [] });
    values.CART_TOTAL = "0.5";
    expect(await reportOf(base + 6 * MINUTE)).toMatchObject({ breached: [key(base + 6 * MINUTE)], recovered: [] });

    const outbox = (await outboxStore.listOutbox({ limit: 200 })).filter((o) => o.id.startsWith("cart-total-metric-"));
    expect(outbox.map((o) => o.id).sort()).toEqual(
      [
        `${key(base + MINUTE)}:metric-breached:ops`,
        `${key(base + MINUTE)}:metric-recovered:ops`,
        `${key(base + 6 * MINUTE)}:metric-breached:ops`,
      ].sort(),
    );
    const breach = outbox.find((o) => o.id.startsWith(`${key(base + MINUTE)}:metric-breached`))!.payload as Notice;
    expect(breach.metric).toEqual({ name: "cart_total", value: 0, side: "below", below: 1, above: null });
    expect(webhookBody(breach)).toMatchObject({
      event: "metric.breached",
      metric: { name: "cart_total", value: 0 },
      incident: { id: key(base + MINUTE), resolvedAt: null },
    });
    expect(headline(breach)).toBe("Metric cart_total out of bounds: Cart total");
    const recovered = outbox.find((o) => o.id.includes("metric-recovered"))!.payload as Notice;
    expect(webhookBody(recovered)).toMatchObject({ event: "metric.recovered", metric: { value: 3097 } });
    expect(summary(recovered)).toBe("Cart total (General): cart_total is 3097 again, no longer below 1, after 3 min.");
  });
});

describe("the metric alert step", () => {
  const thresholds = { cart_total: { below: 1 }, queue: { above: 100 }, band: { below: 10, above: 20 } };
  const obs = (slotAt: number, values: Record<string, number[]>, inMaintenance = false) => ({
    slotAt,
    values,
    inMaintenance,
  });

  it("judges a tick by its worst value against each bound", () => {
    expect(crossing({ below: 1 }, [5, 0, 7])).toEqual({ side: "below", value: 0 });
    expect(crossing({ above: 100 }, [5, 101, 300])).toEqual({ side: "above", value: 300 });
    expect(crossing({ below: 10, above: 20 }, [10, 20])).toBeNull();
  });

  it("notifies on crossings only, holds through maintenance and missing values, and ignores old slots", () => {
    let state = initialMetricAlertState();
    const transitions: string[] = [];
    const step = (o: ReturnType<typeof obs>) => {
      const { next, effects } = stepMetricAlerts("p", state, o, thresholds);
      state = next;
      transitions.push(...effects.map((e) => `${e.transition} ${e.name} ${e.value} ${e.key}`));
      return next;
    };
    step(obs(1, { cart_total: [3], queue: [5], band: [15] }));
    step(obs(2, { cart_total: [0], queue: [500], band: [25] }));
    step(obs(3, { cart_total: [0] }));
    step(obs(4, { cart_total: [5], queue: [5] }, true)); // maintenance: held, nothing said
    expect(step(obs(3, { cart_total: [9] }))).toBe(state); // an older slot changes nothing
    step(obs(5, { cart_total: [5] }));
    step(obs(6, { queue: [50], band: [9] }));
    expect(transitions).toEqual([
      "metric-breached cart_total 0 p-metric-cart_total-2",
      "metric-breached queue 500 p-metric-queue-2",
      "metric-breached band 25 p-metric-band-2",
      "metric-recovered cart_total 5 p-metric-cart_total-2",
      "metric-recovered queue 50 p-metric-queue-2",
    ]);
    // band went from above 20 to below 10 without ever being inside: still breached, no new notice.
    expect(state.breached).toEqual({ band: { since: 2, side: "above", value: 25 } });
  });
});
