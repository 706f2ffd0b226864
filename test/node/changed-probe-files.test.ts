/** `probe test --changed`: the probe files changed since git HEAD, drafts included, in a real git repository. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { changedProbeFiles } from "../../scripts/cli/probe-files.ts";

describe("changedProbeFiles", () => {
  const root = mkdtempSync(join(tmpdir(), "afterlife-changed-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("lists modified and untracked probe files anywhere in the repository, nothing else", () => {
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.email=qa@afterlife.test", "-c", "user.name=QA", ...args], {
        cwd: root,
        encoding: "utf8",
      });
    const probe = (id: string) =>
      `import { defineProbe } from "../src/probe/define-probe.ts";\nexport default defineProbe({ id: "${id}", name: "${id}", steps: [{ name: "a", url: "https://example.com/" }] });\n`;
    mkdirSync(join(root, "probes"));
    mkdirSync(join(root, "drafts"));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "probes", "kept.ts"), probe("kept"));
    writeFileSync(join(root, "probes", "edited.ts"), probe("edited"));
    writeFileSync(join(root, "src", "util.ts"), "export const x = 1;\n");
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "probes");
    expect(changedProbeFiles(root)).toEqual([]);

    writeFileSync(join(root, "probes", "edited.ts"), probe("edited-2"));
    writeFileSync(join(root, "drafts", "variant.ts"), probe("variant"));
    writeFileSync(join(root, "src", "util.ts"), "export const x = 2;\n");
    writeFileSync(join(root, "drafts", "notes.ts"), "export const notAProbe = true;\n");
    expect(changedProbeFiles(root)).toEqual([join(root, "drafts", "variant.ts"), join(root, "probes", "edited.ts")]);
  });
});
