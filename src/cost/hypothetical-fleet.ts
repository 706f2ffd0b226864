/**
 * A fleet described by its size instead of probes/ files (`cost --probes 200 --regions 5
 * --schedule 1m`): N one-step probes, validated by the same registry, so an operator can price
 * the fleet they plan before writing it. Pure.
 */
import type { Region, Schedule } from "../probe/schema.ts";
import { loadRegistry, type LoadedProbe } from "../probe/registry.ts";

/** Regions in the order a hypothetical fleet takes them. */
export const ALL_REGIONS: readonly Region[] = ["weur", "enam", "apac", "wnam", "eeur", "sam", "oc", "afr", "me"];

/** A journey that stands in for a browser probe's: the planner never runs it. */
const journey = async () => {};

/** `kind: "browser"` gives browser probes (a journey each) instead of one-step HTTP probes. */
export function hypotheticalFleet(
  probes: number,
  regions: number,
  schedule: Schedule,
  kind: "http" | "browser" = "http",
): LoadedProbe[] {
  if (!Number.isInteger(probes) || probes < 1) throw new RangeError(`probes: a positive integer, got ${probes}`);
  if (!Number.isInteger(regions) || regions < 1 || regions > ALL_REGIONS.length)
    throw new RangeError(`regions: 1 to ${ALL_REGIONS.length}, got ${regions}`);
  return loadRegistry(
    Array.from({ length: probes }, (_, i) => ({
      file: `probes/fleet-${i + 1}.ts`,
      definition: {
        id: `fleet-${String(i + 1).padStart(5, "0")}`,
        name: `Fleet probe ${i + 1}`,
        baseUrl: "https://example.com",
        schedule,
        regions: ALL_REGIONS.slice(0, regions),
        ...(kind === "browser" ? { kind, journey } : { steps: [{ name: "health", url: "/health" }] }),
      },
    })),
  );
}
