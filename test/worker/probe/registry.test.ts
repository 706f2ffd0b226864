/** Probe validation: every broken probe gets a message naming the file, the id and the field path. */
import { describe, expect, it } from "vitest";
import { check, defineProbe, script } from "../../../src/probe/define-probe.ts";
import { loadRegistry, ProbeRegistryError, probeVersion } from "../../../src/probe/registry.ts";

const good = defineProbe({ id: "good", name: "Good", baseUrl: "https://example.com", steps: [{ name: "home", url: "/" }] });

function problemsOf(definition: unknown, file = "probes/bad.ts"): string[] {
  try {
    loadRegistry([{ file, definition }]);
  } catch (error) {
    if (error instanceof ProbeRegistryError) return error.problems.map((p) => `${p.file} (${p.probeId}) ${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("probe validation", () => {
  it("accepts a valid probe and fills defaults", () => {
    const [loaded] = loadRegistry([{ file: "probes/good.ts", definition: good }]);
    expect(loaded!.probe).toMatchObject({ schedule: "1m", regions: ["weur"], group: "General", retries: 1, stepTimeoutMs: 10_000 });
    expect(loaded!.probe.steps[0]).toMatchObject({ method: "GET", maxRedirects: 0, expectStatus: { min: 200, max: 299 } });
    expect(loaded!.version).toMatch(/^[0-9a-z]{11}$/);
  });

  it("rejects unknown keys (typos) with the key's path", () => {
    expect(problemsOf({ ...good, timout: 5 })).toEqual(["probes/bad.ts (good) : unknown key 'timout' (check the spelling)"]);
    expect(problemsOf({ ...good, steps: [{ name: "home", url: "/", expectedStatus: 200 }] })).toEqual([
      "probes/bad.ts (good) steps[0]: unknown key 'expectedStatus' (check the spelling)",
    ]);
  });

  it("names the field path and what is expected", () => {
    const problems = problemsOf({ ...good, id: "Bad Id", schedule: "3m", steps: [{ name: "x", url: "/", assert: [{ source: "json", path: "items", op: "gt", value: 1 }] }] });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^probes\/bad.ts \(Bad Id\) id: .*lowercase slug/);
    expect(problems[1]).toMatch(/schedule: .*"1m"/);
    expect(problems[2]).toMatch(/steps\[0\]\.assert\[0\]\.path: .*JSONPath starting with '\$'/);
  });

  it("checks JSONPath syntax and regular expressions at load time", () => {
    const problems = problemsOf({ ...good, steps: [{ name: "x", url: "/", assert: [check.json("$.items[").exists(), check.body().matches("(unclosed")] }] });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("steps[0].assert[0].path");
    expect(problems[1]).toContain("steps[0].assert[1].value: not a valid regular expression");
  });

  it("refuses an availability objective of 100%", () => {
    expect(problemsOf({ ...good, slo: { availability: 1 } })).toEqual([expect.stringContaining("slo.availability: below 1")]);
  });

  it("refuses duplicate ids across files and duplicate step names", () => {
    expect(() => loadRegistry([{ file: "probes/a.ts", definition: good }, { file: "probes/b.ts", definition: good }])).toThrow(/probes\/b.ts \(good\): id: duplicate id 'good', already used by probes\/a.ts/);
    expect(problemsOf({ ...good, steps: [{ name: "a", url: "/" }, { name: "a", url: "/" }] })).toEqual([expect.stringContaining("steps[1].name: duplicate step name 'a'")]);
  });

  it("explains a file without a default export", () => {
    expect(problemsOf(undefined)).toEqual(["probes/bad.ts (undefined) : the file must `export default defineProbe({...})`"]);
  });

  it("accepts script steps and versions them by their source", () => {
    const a = loadRegistry([{ file: "a.ts", definition: { ...good, steps: [script("s", async () => {})] } }])[0]!;
    const b = loadRegistry([{ file: "a.ts", definition: { ...good, steps: [script("s", async () => void 0)] } }])[0]!;
    expect(a.version).not.toBe(b.version);
    expect(probeVersion(a.probe)).toBe(a.version);
  });
});
