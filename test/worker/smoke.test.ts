import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("smoke", () => {
  it("has D1 with migrations", async () => {
    const row = await env.DB.prepare("SELECT count(*) AS n FROM runs").first<{ n: number }>();
    expect(row?.n).toBe(0);
  });
  it("reaches the shop", async () => {
    const res = await fetch(`${env.SHOP_URL}/health`);
    expect(res.status).toBe(200);
    const res2 = await exports.default.fetch("http://x/");
    expect(await res2.text()).toBe("afterlife");
  });
});
