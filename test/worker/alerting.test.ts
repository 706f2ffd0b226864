/**
 * Incidents and notifications end to end in workerd: real ticks against the demo shop, real D1,
 * a real webhook receiver on 127.0.0.1 (started by test/global-setup.ts).
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import { createChannels } from "../../src/incidents/channels/registry.ts";
import { verifyWebhookSignature } from "../../src/incidents/channels/webhook.ts";
import { deliverDue } from "../../src/incidents/deliver-outbox.ts";
import { incidentStores } from "../../src/storage/incident-stores.ts";
import { setFault, tick } from "./support/network.ts";

const HOOK = env.NOTIFY_CHANNELS.match(/http:\/\/127\.0\.0\.1:\d+/)![0];
const MINUTE = 60_000;
const { incidents, maintenances, outbox } = incidentStores(env.DB);

interface Delivery {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Deliveries about one incident (other test files share the receiver). */
async function deliveriesFor(incidentId: string): Promise<Delivery[]> {
  const { deliveries } = (await (await fetch(`${HOOK}/deliveries`)).json()) as { deliveries: Delivery[] };
  return deliveries.filter((d) => d.headers["x-afterlife-delivery"]?.startsWith(encodeURIComponent(incidentId)));
}

/** Clears the fault and ticks until the open incident (if any) resolves, so tests do not leak state. */
async function recover(from: number): Promise<void> {
  await setFault(null);
  await tick(from);
  await tick(from + MINUTE);
}

const outboxOf = async (incidentId: string) =>
  (await outbox.listOutbox({ limit: 200 })).filter((o) => o.id.startsWith(encodeURIComponent(incidentId)));

afterEach(() => setFault(null));

describe("automatic incidents and notices", () => {
  it("opens after F confirmed failures, notifies once with a valid signature, resolves after S successes, notifies UP", async () => {
    const base = Date.UTC(2026, 10, 21, 9, 0);
    await setFault({ path: "/api/cart", status: 503 });
    await tick(base);
    expect(await incidents.listIncidents({ limit: 10 })).toEqual([]); // one failure is not an incident
    await tick(base + MINUTE);
    const incidentId = `shop-checkout-${base + MINUTE}`;
    const [incident] = await incidents.listIncidents({ limit: 10 });
    expect(incident).toMatchObject({
      id: incidentId,
      kind: "automatic",
      status: "investigating",
      probeIds: ["shop-checkout"],
      startedAt: base,
      failure: { step: "read cart", class: "status" },
    });
    expect(incident!.regions.sort()).toEqual(["apac", "enam", "weur"]);

    const down = await deliveriesFor(incidentId);
    expect(down.map((d) => JSON.parse(d.body).event)).toEqual(["probe.down"]);
    const [delivery] = down;
    expect(
      await verifyWebhookSignature(
        env.OPS_HOOK_KEY,
        delivery!.headers["x-afterlife-timestamp"]!,
        delivery!.headers["x-afterlife-delivery"]!,
        delivery!.body,
        delivery!.headers["x-afterlife-signature"]!,
        Date.now(),
      ),
    ).toBe(true);
    expect(
      await verifyWebhookSignature(
        "another-key",
        delivery!.headers["x-afterlife-timestamp"]!,
        delivery!.headers["x-afterlife-delivery"]!,
        delivery!.body,
        delivery!.headers["x-afterlife-signature"]!,
        Date.now(),
      ),
    ).toBe(false);
    expect(delivery!.body).not.toContain(env.SHOP_PASSWORD);

    await setFault(null);
    await tick(base + 2 * MINUTE);
    await tick(base + 3 * MINUTE);
    const resolved = await incidents.getIncident(incidentId);
    expect([resolved!.status, resolved!.resolvedAt !== null]).toEqual(["resolved", true]);
    expect((await deliveriesFor(incidentId)).map((d) => JSON.parse(d.body).event)).toEqual(["probe.down", "probe.up"]);

    const v2 = (await (await exports.default.fetch("http://afterlife.test/api/v2/incidents.json")).json()) as {
      incidents: { name: string; status: string }[];
    };
    expect(v2.incidents).toContainEqual(
      expect.objectContaining({ name: "Checkout journey is down", status: "resolved" }),
    );
  });

  it("replaying ticks 5 times in sequence and 5 in parallel gives one incident and one notice per transition", async () => {
    const base = Date.UTC(2026, 10, 21, 11, 0);
    await setFault({ path: "/api/cart", status: 503 });
    await tick(base);
    for (let i = 0; i < 5; i++) await tick(base + MINUTE);
    await Promise.all(Array.from({ length: 5 }, () => tick(base + MINUTE)));
    const incidentId = `shop-checkout-${base + MINUTE}`;
    expect((await incidents.listIncidents({ limit: 50 })).filter((i) => i.id === incidentId)).toHaveLength(1);
    expect((await outboxOf(incidentId)).map((o) => o.id)).toEqual([`${incidentId}:down:ops`]);
    expect(await deliveriesFor(incidentId)).toHaveLength(1);
    await recover(base + 2 * MINUTE);
  });

  it("a receiver that fails then succeeds gets exactly one accepted delivery; the retry waits for its backoff", async () => {
    const base = Date.UTC(2026, 10, 21, 13, 0);
    await fetch(`${HOOK}/_control/script`, {
      method: "POST",
      body: JSON.stringify({ statuses: [500], match: `shop-checkout-${base + MINUTE}` }),
    });
    await setFault({ path: "/api/cart", status: 503 });
    await tick(base);
    await tick(base + MINUTE);
    const incidentId = `shop-checkout-${base + MINUTE}`;
    const [item] = await outboxOf(incidentId);
    expect([item!.status, item!.attempts, item!.lastError]).toEqual(["pending", 1, "HTTP 500"]);
    expect(item!.nextAttemptAt).toBeGreaterThan(Date.now());

    const deps = {
      outbox,
      channels: createChannels(
        [{ name: "ops", type: "webhook", url: `${HOOK}/hook`, secretName: "KEY" }],
        () => env.OPS_HOOK_KEY,
      ),
      fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
      random: () => 0.5,
      allowPrivateTargets: true,
    };
    expect(await deliverDue({ ...deps, now: Date.now })).toEqual({ delivered: 0, retried: 0, dead: 0 }); // not due yet
    const later = () => Date.now() + 2 * 3_600_000;
    expect(await deliverDue({ ...deps, now: later })).toEqual({ delivered: 1, retried: 0, dead: 0 });
    expect(await deliverDue({ ...deps, now: later })).toEqual({ delivered: 0, retried: 0, dead: 0 });
    const attempts = await deliveriesFor(incidentId);
    expect(attempts.map((d) => d.status)).toEqual([500, 200]);
    expect((await outboxOf(incidentId))[0]).toMatchObject({ status: "delivered", attempts: 2 });
    await recover(base + 2 * MINUTE);
  });

  it("maintenance suppresses the incident and its notices", async () => {
    const base = Date.UTC(2026, 10, 21, 15, 0);
    await maintenances.insertMaintenance({
      id: "mnt_test",
      title: "Cart migration",
      body: "Planned.",
      probeIds: ["shop-checkout"],
      schedule: { kind: "once", startsAt: base - MINUTE, endsAt: base + 10 * MINUTE },
      excludeFromSlo: true,
      createdAt: base,
      updatedAt: base,
      cancelledAt: null,
    });
    await setFault({ path: "/api/cart", status: 503 });
    for (let i = 0; i < 4; i++) await tick(base + i * MINUTE);
    expect(
      (await incidents.listIncidents({ limit: 50 })).filter(
        (i) => i.startedAt >= base - MINUTE && i.startedAt < base + 10 * MINUTE,
      ),
    ).toEqual([]);
    expect((await outbox.listOutbox({ limit: 200 })).filter((o) => o.id.startsWith(`shop-checkout-${base}`))).toEqual(
      [],
    );
    // Left out of SLOs: counted as stored (not no-data) but neither good nor bad.
    const { value } = await new D1RunStore(env.DB).rollups([
      { probeId: "shop-checkout", regions: ["weur", "enam", "apac"], grain: "hour", from: base, to: base + 3_600_000 },
    ]);
    const sum = (key: "total" | "down" | "maintenance") => value.reduce((n, r) => n + (r[key] ?? 0), 0);
    expect({ total: sum("total"), down: sum("down"), maintenance: sum("maintenance") }).toEqual({
      total: 12,
      down: 0,
      maintenance: 12,
    });
    await maintenances.cancelMaintenance("mnt_test", Date.now());
  });
});
