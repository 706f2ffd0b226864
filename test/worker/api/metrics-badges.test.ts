/** /metrics and badges through the Worker, after a real tick against the demo shop. */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { setFault, tick } from "../support/network.ts";
import { parseExposition } from "./exposition-parser.ts";
import { parseXml } from "../support/xml.ts";

const get = (path: string) => exports.default.fetch(`http://afterlife.test${path}`);

beforeAll(async () => {
  await setFault({ path: "/api/cart", status: 503 }); // checkout down everywhere, storefront up
  await tick(Date.now());
  await setFault(null);
});

describe("GET /metrics", () => {
  it("is valid Prometheus exposition with the state of every probe and region", async () => {
    const res = await get("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parseExposition(await res.text());
    const sample = (family: string, labels: Record<string, string>) =>
      families
        .find((f) => f.name === family)
        ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(sample("afterlife_probe_up", { probe: "shop-home", region: "weur" })).toBe(1);
    expect(sample("afterlife_probe_up", { probe: "shop-checkout", region: "apac" })).toBe(0);
    expect(sample("afterlife_probe_state", { probe: "shop-checkout", region: "enam", state: "down" })).toBe(1);
    expect(sample("afterlife_probe_objective", { probe: "shop-home", sli: "availability" })).toBe(0.995);
    expect(sample("afterlife_probe_sli", { probe: "shop-home", sli: "availability" })).toBe(1);
    expect(sample("afterlife_probe_sli", { probe: "shop-checkout", sli: "availability" })).toBe(0);
    expect(sample("afterlife_build_info", {})).toBe(1);
  });
});

describe("badges", () => {
  it("draws a status badge per probe and per group as SVG", async () => {
    const res = await get("/api/v1/badges/probes/shop-home/status");
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    const svg = parseXml(await res.text());
    expect(svg.attributes["aria-label"]).toBe("status: up");
    const group = parseXml(await (await get("/api/v1/badges/groups/Checkout/status")).text());
    expect(group.attributes["aria-label"]).toBe("status: down");
  });

  it("serves shields.io endpoint JSON for uptime and latency", async () => {
    const uptime = await (await get("/api/v1/badges/probes/shop-home/uptime?format=json&window=24h")).json();
    expect(uptime).toEqual({ schemaVersion: 1, label: "uptime 24h", message: "100.00%", color: "brightgreen" });
    const down = await (await get("/api/v1/badges/probes/shop-checkout/uptime?format=json&window=24h")).json();
    expect(down).toMatchObject({ message: "0.00%", color: "red" });
    const latency = (await (await get("/api/v1/badges/probes/shop-home/latency?format=json")).json()) as {
      message: string;
    };
    expect(latency.message).toMatch(/^p95 \d+ ms$/);
  });

  it("answers unknown probes, groups and metrics with problems", async () => {
    expect((await get("/api/v1/badges/probes/nope/status")).status).toBe(404);
    expect((await get("/api/v1/badges/groups/Nope/status")).status).toBe(404);
    const bad = await get("/api/v1/badges/probes/shop-home/colour");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("groups and regions", () => {
  it("lists groups with the worst state of their probes, and regions with their counts", async () => {
    const groups = (await (await get("/api/v1/groups")).json()) as {
      groups: { name: string; state: string; probes: { id: string }[] }[];
    };
    expect(groups.groups.map((g) => [g.name, g.state, g.probes.map((p) => p.id)])).toEqual([
      ["Checkout", "down", ["shop-checkout"]],
      ["Storefront", "up", ["shop-home"]],
    ]);
    const regions = (await (await get("/api/v1/regions")).json()) as {
      regions: { region: string; probes: number; up: number; down: number; noData: number }[];
    };
    expect(regions.regions.map((r) => [r.region, r.probes, r.up, r.down, r.noData])).toEqual([
      ["enam", 2, 1, 1, 0],
      ["weur", 2, 1, 1, 0],
      ["apac", 2, 1, 1, 0],
    ]);
  });
});
