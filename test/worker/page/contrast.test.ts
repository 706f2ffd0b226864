/**
 * WCAG 2.2 AA contrast of the stylesheet's colours, in the light and the dark scheme: text at
 * least 4.5:1 against every background it sits on (1.4.3), bar segments, chart lines, budget
 * bars, state borders and the focus ring at least 3:1 (1.4.11).
 */
import { describe, expect, it } from "vitest";
import { STYLESHEET } from "../../../src/page/styles.ts";

function palette(block: string): Record<string, string> {
  return Object.fromEntries([...block.matchAll(/--([a-z0-9-]+):(#[0-9a-f]{6})/g)].map((m) => [m[1]!, m[2]!]));
}

const light = palette(STYLESHEET.slice(0, STYLESHEET.indexOf("@media (prefers-color-scheme:dark)")));
const dark = {
  ...light,
  ...palette(STYLESHEET.slice(STYLESHEET.indexOf("@media (prefers-color-scheme:dark)"), STYLESHEET.indexOf("}}") + 2)),
};

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const TEXT: [string, string][] = [
  ...["fg", "muted", "link", "up", "minor", "major", "maint"].flatMap((fg): [string, string][] => [
    [fg, "bg"],
    [fg, "card"],
  ]),
  ["tip-fg", "tip-bg"],
  ["bg", "fg"], // the selected range tab
];

const GRAPHICS: [string, string][] = [
  ...["up", "minor", "major", "nodata", "p50", "p95", "link", "muted"].flatMap((fg): [string, string][] => [
    [fg, "bg"],
    [fg, "card"],
  ]),
  ["maint", "card"],
];

describe.each([
  ["light", light],
  ["dark", dark],
])("the %s scheme", (_, colours) => {
  it("defines every colour the checks need", () => {
    for (const [a, b] of [...TEXT, ...GRAPHICS]) {
      expect(colours[a], a).toMatch(/^#[0-9a-f]{6}$/);
      expect(colours[b], b).toMatch(/^#[0-9a-f]{6}$/);
    }
  });

  it.each(TEXT)("text %s on %s is at least 4.5:1", (fg, bg) => {
    expect(contrast(colours[fg]!, colours[bg]!)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(GRAPHICS)("graphics %s on %s are at least 3:1", (fg, bg) => {
    expect(contrast(colours[fg]!, colours[bg]!)).toBeGreaterThanOrEqual(3);
  });

  it("keeps the day levels apart from each other, not by colour alone but also by height", () => {
    expect(STYLESHEET).toMatch(/\.d-ok::before\{height:100%/);
    expect(STYLESHEET).toMatch(/\.d-minor::before\{height:70%/);
    expect(STYLESHEET).toMatch(/\.d-major::before\{height:45%/);
    expect(STYLESHEET).toMatch(/\.d-none::before\{height:22%/);
  });
});
