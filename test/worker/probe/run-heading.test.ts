/** The heading every run's result starts with, whichever runner made it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runHeading } from "../../../src/probe/result.ts";

const loaded = { probe: { id: "shop-storefront" }, version: "v1" };
const where = { region: "weur", colo: "weur", slotAt: Date.UTC(2026, 11, 6, 13, 30) };

describe("runHeading", () => {
  it("gives whole milliseconds whatever the runner's clock (the local browser service times with performance.now())", () => {
    fc.assert(
      fc.property(
        fc.double({ min: where.slotAt, max: where.slotAt + 60_000, noNaN: true }),
        fc.double({ min: 0, max: 120_000, noNaN: true }),
        (startedAt, durationMs) => {
          const heading = runHeading(loaded, where, { startedAt, durationMs }, undefined, undefined);
          expect(Number.isInteger(heading.startedAt)).toBe(true);
          expect(Number.isInteger(heading.durationMs)).toBe(true);
          expect(Math.abs(heading.startedAt - startedAt)).toBeLessThanOrEqual(0.5);
          expect(Math.abs(heading.durationMs - durationMs)).toBeLessThanOrEqual(0.5);
        },
      ),
    );
  });

  it("judges slowness on the duration it reports", () => {
    const at = where.slotAt + 40.6;
    expect(runHeading(loaded, where, { startedAt: at, durationMs: 1000.4 }, undefined, 1000).status).toBe("up");
    expect(runHeading(loaded, where, { startedAt: at, durationMs: 1000.6 }, undefined, 1000).status).toBe("degraded");
    expect(runHeading(loaded, where, { startedAt: at, durationMs: 5 }, undefined, 1000)).toMatchObject({
      runId: "shop-storefront.weur.1796563800000",
      startedAt: Math.round(at),
      status: "up",
    });
  });
});
