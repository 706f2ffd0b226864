/** Probe validation: every broken probe gets a message naming the file, the id and the field path. */
import { describe, expect, it } from "vitest";
import { check, defineProbe, script } from "../../../src/probe/define-probe.ts";
import { loadRegistry, ProbeRegistryError, probeVersion } from "../../../src/probe/registry.ts";

const good = defineProbe({
  id: "good",
  name: "Good",
  baseUrl: "https://example.com",
  steps: [{ name: "home", url: "/" }],
});

function problemsOf(definition: unknown, file = "probes/bad.ts"): string[] {
  try {
    loadRegistry([{ file, definition }]);
  } catch (error) {
    if (error instanceof ProbeRegistryError)
      return error.problems.map((p) => `${p.file} (${p.probeId}) ${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("probe validation", () => {
  it("accepts a valid probe and fills defaults", () => {
    const [loaded] = loadRegistry([{ file: "probes/good.ts", definition: good }]);
    expect(loaded!.probe).toMatchObject({
      schedule: "1m",
      regions: ["weur"],
      group: "General",
      retries: 1,
      stepTimeoutMs: 10_000,
    });
    expect(loaded!.probe.kind === "http" && loaded!.probe.steps[0]).toMatchObject({
      method: "GET",
      maxRedirects: 0,
      expectStatus: { min: 200, max: 299 },
    });
    expect(loaded!.version).toMatch(/^[0-9a-z]{11}$/);
  });

  it("rejects unknown keys (typos) with the key's path", () => {
    expect(problemsOf({ ...good, timout: 5 })).toEqual([
      expect.stringMatching(/^probes\/bad.ts \(good\) : unknown key 'timout' \(known keys: kind, id, name, .*steps\)$/),
    ]);
    expect(problemsOf({ ...good, steps: [{ name: "home", url: "/", expectedStatus: 200 }] })).toEqual([
      "probes/bad.ts (good) steps[0]: unknown key 'expectedStatus'; did you mean 'expectStatus'?",
    ]);
    expect(problemsOf({ ...good, retires: 2 })).toEqual([
      "probes/bad.ts (good) : unknown key 'retires'; did you mean 'retries'?",
    ]);
  });

  it("names the field path and what is expected", () => {
    const problems = problemsOf({
      ...good,
      id: "Bad Id",
      schedule: "3m",
      steps: [{ name: "x", url: "/", assert: [{ source: "json", path: "items", op: "gt", value: 1 }] }],
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^probes\/bad.ts \(Bad Id\) id: .*lowercase slug/);
    expect(problems[1]).toBe(
      'probes/bad.ts (Bad Id) schedule: got "3m"; expected one of 1m, 2m, 5m, 10m, 15m, 30m, 1h',
    );
    expect(problems[2]).toMatch(/steps\[0\]\.assert\[0\]\.path: .*JSONPath starting with '\$'/);
  });

  it("shows the bad value and guesses what was meant", () => {
    expect(
      problemsOf({
        ...good,
        regions: ["weur", "wnma"],
        steps: [
          {
            name: "x",
            url: "/",
            expectStatus: "200",
            assert: [{ source: "json", path: "$.a", op: "eqals", value: 1 }],
          },
        ],
      }),
    ).toEqual([
      'probes/bad.ts (good) regions[1]: got "wnma"; expected one of wnam, enam, sam, weur, eeur, apac, oc, afr, me (did you mean "wnam"?)',
      'probes/bad.ts (good) steps[0].expectStatus: got "200"; expected a status code (200), a list of codes ([200, 204]) or a range ({ min: 200, max: 299 })',
      'probes/bad.ts (good) steps[0].assert[0].op: got "eqals"; expected one of equals, notEquals, exists, notExists, lt, gt, lte, gte, contains, length, matches (did you mean "equals"?)',
    ]);
  });

  it("reports schema and JSONPath problems of one file in the same pass", () => {
    const problems = problemsOf({
      ...good,
      schedule: "3m",
      steps: [{ name: "x", url: "/", assert: [check.json("$.items[?@.sku==]").exists()] }],
    });
    expect(problems).toEqual([
      expect.stringContaining('schedule: got "3m"'),
      expect.stringContaining('steps[0].assert[0].path: invalid JSONPath "$.items[?@.sku==]" at position 16'),
    ]);
  });

  it("accepts RFC 9535 filters", () => {
    expect(
      problemsOf({
        ...good,
        steps: [{ name: "x", url: "/", assert: [check.json('$.items[?@.sku=="B"].qty').equals(2)] }],
      }),
    ).toEqual([]);
  });

  it("checks JSONPath syntax and regular expressions at load time", () => {
    const problems = problemsOf({
      ...good,
      steps: [{ name: "x", url: "/", assert: [check.json("$.items[").exists(), check.body().matches("(unclosed")] }],
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("steps[0].assert[0].path");
    expect(problems[1]).toContain("steps[0].assert[1].value: not a valid regular expression");
  });

  it("refuses an availability objective of 100%", () => {
    expect(problemsOf({ ...good, slo: { availability: 1 } })).toEqual([
      expect.stringContaining("slo.availability: below 1"),
    ]);
  });

  it("refuses duplicate ids across files and duplicate step names", () => {
    expect(() =>
      loadRegistry([
        { file: "probes/a.ts", definition: good },
        { file: "probes/b.ts", definition: good },
      ]),
    ).toThrow(/probes\/b.ts \(good\): id: duplicate id 'good': probes\/a.ts already has it/);
    expect(
      problemsOf({
        ...good,
        steps: [
          { name: "a", url: "/" },
          { name: "a", url: "/" },
        ],
      }),
    ).toEqual([expect.stringContaining("steps[1].name: duplicate step name 'a'")]);
  });

  it("explains a file without a default export", () => {
    expect(problemsOf(undefined)).toEqual([
      "probes/bad.ts (undefined) : the file must `export default defineProbe({...})`",
    ]);
  });

  it("accepts script steps and versions them by their source", () => {
    const a = loadRegistry([{ file: "a.ts", definition: { ...good, steps: [script("s", async () => {})] } }])[0]!;
    const b = loadRegistry([{ file: "a.ts", definition: { ...good, steps: [script("s", async () => void 0)] } }])[0]!;
    expect(a.version).not.toBe(b.version);
    expect(probeVersion(a.probe)).toBe(a.version);
  });
});
