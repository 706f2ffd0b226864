/**
 * The cron tick end to end inside workerd: real scheduled handler, real local D1, the demo shop
 * over real HTTP on 127.0.0.1.
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { D1RunStore } from "../../src/storage/d1-run-store.ts";
import { fetchWorker } from "./support/fetch-worker.ts";
import { setFault, storedRuns, tick } from "./support/network.ts";

const CANARY = "canary-secret-7f3a9c";
const BASE = Date.UTC(2026, 10, 26, 10, 0); // a whole minute

const rows = () => storedRuns();

afterEach(() => setFault(null));

describe("cron tick", () => {
  it("runs every probe in every region and stores one row per run", async () => {
    await tick(BASE + 1234); // delivered 1.2 s late: still the 10:00 slot
    const stored = await rows();
    expect(stored.map((r) => `${r.probe_id}/${r.region}/${r.status}`)).toEqual([
      "shop-checkout/apac/up",
      "shop-checkout/enam/up",
      "shop-checkout/weur/up",
      "shop-home/apac/up",
      "shop-home/enam/up",
      "shop-home/weur/up",
    ]);
    expect(new Set(stored.map((r) => r.slot_at))).toEqual(new Set([BASE]));
  });

  it("serves a pass's detail from its minute entry: status, timings, and every step passed", async () => {
    const res = await exports.default.fetch(`http://afterlife.test/api/v1/runs/shop-checkout.weur.${BASE}`);
    expect(res.status).toBe(200);
    const run = (await res.json()) as {
      status: string;
      slotAt: number;
      startedAt: number;
      durationMs: number;
      steps: unknown[];
      stepOutcomes: { name: string; status: string }[];
    };
    expect([run.status, run.slotAt, run.steps]).toEqual(["up", BASE, []]);
    expect(run.startedAt).toBeGreaterThanOrEqual(BASE);
    expect(run.durationMs).toBeGreaterThan(0);
    expect(run.stepOutcomes.slice(0, 3)).toEqual(
      ["open shop", "log in", "read cart"].map((name) => ({ name, status: "passed" })),
    );
    expect(run.stepOutcomes.every((s) => s.status === "passed")).toBe(true);
  });

  it("ignores a replayed tick (one row per probe, region and slot)", async () => {
    await tick(BASE);
    await Promise.all([tick(BASE), tick(BASE + 59_000)]);
    const stored = await rows();
    expect(stored.filter((r) => r.slot_at === BASE)).toHaveLength(6);
  });

  it("stores a failing target as a down run with its class, and never the secret", async () => {
    await setFault({ path: "/api/cart", status: 503 });
    await tick(BASE + 60_000);
    const failed = (await rows()).filter((r) => r.slot_at === BASE + 60_000 && r.probe_id === "shop-checkout");
    expect(failed.map((r) => [r.status, r.failure_class])).toEqual([
      ["down", "status"],
      ["down", "status"],
      ["down", "status"],
    ]);
    const everything = JSON.stringify([
      await env.DB.prepare("SELECT * FROM run_blocks").all(),
      await env.DB.prepare("SELECT * FROM run_evidence").all(),
    ]);
    expect(everything).not.toContain(CANARY);
  });

  it("keeps the secret out of the API, the page and the logs, even for a failing login", async () => {
    // The failing login keeps its request as evidence, and that request carries the password.
    await setFault({ path: "/api/login", status: 500 });
    const logged: string[] = [];
    const capture = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
    const spies = [
      vi.spyOn(console, "log").mockImplementation(capture),
      vi.spyOn(console, "error").mockImplementation(capture),
      vi.spyOn(console, "warn").mockImplementation(capture),
    ];
    const slot = BASE + 120_000;
    await tick(slot);
    spies.forEach((s) => s.mockRestore());
    const res = await exports.default.fetch(`http://afterlife.test/api/v1/runs/shop-checkout.weur.${slot}`);
    expect(res.status).toBe(200);
    const run = (await res.json()) as {
      status: string;
      failure: { class: string; step: string };
      steps: { evidence?: { curl: string } }[];
    };
    expect([run.status, run.failure.class, run.failure.step]).toEqual(["down", "status", "log in"]);
    // Without a token the evidence stays out of the API; the stored curl has the secret as a placeholder.
    expect(run.steps[1]!.evidence).toBeUndefined();
    const stored = await new D1RunStore(env.DB).getRun(`shop-checkout.weur.${slot}`);
    expect(stored!.steps[1]!.evidence!.curl).toContain("${SHOP_PASSWORD}");
    expect(JSON.stringify(stored)).not.toContain(CANARY);
    const page = await (await fetchWorker("http://afterlife.test/")).text();
    const status = await (await fetchWorker("http://afterlife.test/api/v1/status")).text();
    expect(logged.join("\n")).toContain('"event":"tick"');
    for (const text of [JSON.stringify(run), page, status, logged.join("\n")]) expect(text).not.toContain(CANARY);
  });

  it("answers bad and unknown run ids with problem+json", async () => {
    const bad = await exports.default.fetch("http://afterlife.test/api/v1/runs/not-a-run");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect(await bad.json()).toMatchObject({
      status: 400,
      invalidParams: [{ name: "param.id", reason: expect.stringContaining("probe.region.slot") }],
    });
    const missing = await exports.default.fetch("http://afterlife.test/api/v1/runs/shop-home.weur.60000");
    expect(missing.status).toBe(404);
    const route = await exports.default.fetch("http://afterlife.test/api/v1/nothing-here");
    expect([route.status, route.headers.get("content-type")]).toEqual([404, "application/problem+json"]);
  });

  it("serves the state on /api/v1/status and on the page", async () => {
    await tick(Date.now());
    // The edge cache off: an earlier test read these URLs before this tick.
    const res = await fetchWorker("http://afterlife.test/api/v1/status");
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      state: string;
      probes: { id: string; state: string; regions: { state: string }[] }[];
    };
    expect(body.state).toBe("operational");
    expect(body.probes.map((p) => [p.id, p.state])).toEqual([
      ["shop-checkout", "up"],
      ["shop-home", "up"],
    ]);
    const page = await fetchWorker("http://afterlife.test/");
    const html = await page.text();
    expect(page.headers.get("content-security-policy")).toContain("script-src 'sha256-");
    expect(html).toContain("Checkout journey");
    expect(html).toContain("All systems operational");
  });
});
