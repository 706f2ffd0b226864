/** Badges: what they say (exact table), the SVG (well-formed, accessible, escaped, sized), the shields.io JSON. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latencyBadge, statusBadge, uptimeBadge, type BadgeProbeState } from "../../../src/api/badges/badge-content.ts";
import { shieldsEndpoint } from "../../../src/api/badges/badge-endpoint.ts";
import { renderBadge, resolveColor, textWidth } from "../../../src/api/badges/badge-svg.ts";
import { escapeXml } from "../../../src/xml.ts";
import { findAll, parseXml, textOf, XmlError, type XmlElement } from "../support/xml.ts";

/** Parses with DOMParser too when the runtime has one (workerd does not). */
function parseSvg(svg: string): XmlElement {
  const root = parseXml(svg);
  const Parser = (
    globalThis as {
      DOMParser?: new () => {
        parseFromString(s: string, t: string): { getElementsByTagName(n: string): { length: number } };
      };
    }
  ).DOMParser;
  if (Parser)
    expect(new Parser().parseFromString(svg, "image/svg+xml").getElementsByTagName("parsererror").length).toBe(0);
  return root;
}

const widthOf = (svg: string) => Number(parseSvg(svg).attributes.width);

describe("badge content", () => {
  it.each<[BadgeProbeState, string, string]>([
    ["up", "up", "brightgreen"],
    ["degraded", "degraded", "yellow"],
    ["regional", "regional issue", "orange"],
    ["down", "down", "red"],
    ["no-data", "no data", "lightgrey"],
  ])("status %s → %s, %s", (state, message, color) => {
    expect(statusBadge(state)).toEqual({ label: "status", message, color });
  });

  it.each<[number | null, string, string]>([
    [1, "100.00%", "brightgreen"],
    [0.99999, "99.99%", "brightgreen"], // truncated, not rounded up to 100.00%
    [0.999999999, "99.99%", "brightgreen"],
    [0.9995, "99.95%", "brightgreen"],
    [0.999, "99.90%", "brightgreen"],
    [0.99899, "99.89%", "green"],
    [0.9959, "99.59%", "green"],
    [0.99, "99.00%", "green"],
    [0.98999, "98.99%", "yellow"],
    [0.95, "95.00%", "yellow"],
    [0.9499999, "94.99%", "red"],
    [0.5, "50.00%", "red"],
    [0.0001, "0.01%", "red"],
    [0, "0.00%", "red"],
    [1.5, "100.00%", "brightgreen"], // clamped
    [-1, "0.00%", "red"],
    [null, "no data", "lightgrey"],
    [Number.NaN, "no data", "lightgrey"],
  ])("uptime %s → %s, %s", (ratio, message, color) => {
    expect(uptimeBadge(ratio, "30d")).toEqual({ label: "uptime 30d", message, color });
  });

  it("uptime label without a window", () => {
    expect(uptimeBadge(0.9, "").label).toBe("uptime");
  });

  it("uptime never rounds up and always has two decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (ppm) => {
        const { message } = uptimeBadge(ppm / 1_000_000, "7d");
        expect(message).toMatch(/^\d{1,3}\.\d{2}%$/);
        const shown = Number(message.slice(0, -1));
        expect(shown).toBeLessThanOrEqual(ppm / 10_000 + 1e-9);
        expect(ppm / 10_000 - shown).toBeLessThan(0.01 + 1e-9);
      }),
    );
  });

  it.each<[number | null, string, string]>([
    [0, "p95 0 ms", "brightgreen"],
    [123.4, "p95 123 ms", "brightgreen"],
    [300, "p95 300 ms", "brightgreen"],
    [301, "p95 301 ms", "green"],
    [800, "p95 800 ms", "green"],
    [999.4, "p95 999 ms", "yellow"],
    [999.5, "p95 1.00 s", "yellow"],
    [1_000, "p95 1.00 s", "yellow"],
    [1_230, "p95 1.23 s", "yellow"],
    [1_500, "p95 1.50 s", "yellow"],
    [2_999, "p95 3.00 s", "orange"],
    [3_000, "p95 3.00 s", "orange"],
    [3_001, "p95 3.00 s", "red"],
    [65_432, "p95 65.43 s", "red"],
    [Infinity, "p95 ∞", "red"],
    [null, "no data", "lightgrey"],
    [Number.NaN, "no data", "lightgrey"],
    [-5, "no data", "lightgrey"],
  ])("latency %s → %s, %s", (p95, message, color) => {
    expect(latencyBadge(p95)).toEqual({ label: "latency", message, color });
  });
});

describe("renderBadge", () => {
  it("is well-formed, accessible SVG in the flat style", () => {
    const svg = renderBadge({ label: "checkout", message: "up", color: "brightgreen" });
    const root = parseSvg(svg);
    expect(root.name).toBe("svg");
    expect(root.attributes).toMatchObject({
      xmlns: "http://www.w3.org/2000/svg",
      role: "img",
      "aria-label": "checkout: up",
      height: "20",
    });
    const first = root.children[0] as XmlElement;
    expect(first.name).toBe("title");
    expect(textOf(first)).toBe("checkout: up");
    const rects = findAll(root, "rect").map((r) => r.attributes.fill);
    expect(rects).toEqual(["#fff", "#555", "#4c1", "url(#s)"]);
    const texts = findAll(root, "text");
    expect(texts.map(textOf)).toEqual(["checkout", "checkout", "up", "up"]);
    expect(texts.filter((t) => t.attributes["aria-hidden"] === "true")).toHaveLength(2);
    // segments add up to the badge and each text is centered in its segment
    const [, label, message] = findAll(root, "rect");
    const lw = Number(label!.attributes.width);
    const mw = Number(message!.attributes.width);
    expect(Number(message!.attributes.x)).toBe(lw);
    expect(lw + mw).toBe(Number(root.attributes.width));
    expect(Number(texts[0]!.attributes.x)).toBe(lw * 5);
    expect(Number(texts[2]!.attributes.x)).toBe(lw * 10 + mw * 5);
    // the box holds the text plus 5 px padding each side; textLength keeps any font inside it
    expect(Number(texts[0]!.attributes.textLength)).toBe((lw - 10) * 10);
    expect(lw - 10).toBeGreaterThanOrEqual(textWidth("checkout"));
  });

  it("renders the same layout as shields.io for a known badge", () => {
    // shields.io draws "build | passing" as 37 + 51 px; the estimate may differ by a pixel
    const root = parseSvg(renderBadge({ label: "build", message: "passing", color: "brightgreen" }));
    const [, label, message] = findAll(root, "rect");
    expect(Math.abs(Number(label!.attributes.width) - 37)).toBeLessThanOrEqual(1);
    expect(Math.abs(Number(message!.attributes.width) - 51)).toBeLessThanOrEqual(1);
  });

  it("escapes a malicious label and message", () => {
    const evil = `<script>&"'</script>`;
    const svg = renderBadge({ label: evil, message: `a&b<c>"`, color: `red"/><script>` });
    const root = parseSvg(svg);
    expect(findAll(root, "script")).toEqual([]);
    expect(root.attributes["aria-label"]).toBe(`${evil}: a&b<c>"`);
    expect(textOf(findAll(root, "title")[0]!)).toBe(`${evil}: a&b<c>"`);
    expect(findAll(root, "text").map(textOf)).toEqual([evil, evil, `a&b<c>"`, `a&b<c>"`]);
    // no raw < except tag starts, no & except references
    expect(svg).not.toContain("<script");
    expect(svg.match(/&(?!(?:amp|lt|gt|quot|apos);)/g)).toBeNull();
    expect(svg).not.toMatch(/<(?![a-zA-Z/])/);
    // an unknown color is not copied into the SVG
    expect(findAll(root, "rect")[2]!.attributes.fill).toBe("#9f9f9f");
  });

  it("replaces characters XML cannot carry", () => {
    const root = parseSvg(renderBadge({ label: "a\u0000b\u0007", message: "x\ud800y", color: "blue" }));
    expect(root.attributes["aria-label"]).toBe("a\ufffdb\ufffd: x\ufffdy");
  });

  it("any label and message give well-formed XML that round-trips", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary", minLength: 1 }), (label, message) => {
        const root = parseSvg(renderBadge({ label, message, color: "green" }));
        const clean = (s: string) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd");
        expect(root.attributes["aria-label"]).toBe(
          label === "" ? clean(message) : `${clean(label)}: ${clean(message)}`,
        );
      }),
    );
  });

  it("grows with the text", () => {
    const short = widthOf(renderBadge({ label: "api", message: "up", color: "green" }));
    const longer = widthOf(renderBadge({ label: "api", message: "regional issue", color: "green" }));
    const longest = widthOf(renderBadge({ label: "checkout journey", message: "regional issue", color: "green" }));
    expect(short).toBeLessThan(longer);
    expect(longer).toBeLessThan(longest);
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (a, b) => {
        const base = widthOf(renderBadge({ label: "x", message: a || "m", color: "red" }));
        expect(widthOf(renderBadge({ label: "x", message: (a || "m") + b, color: "red" }))).toBeGreaterThanOrEqual(
          base,
        );
      }),
    );
    // wide letters take more room than narrow ones
    expect(textWidth("WWWW")).toBeGreaterThan(textWidth("iiii"));
    expect(textWidth("日本")).toBeGreaterThan(textWidth("ab"));
  });

  it("draws a message-only badge when the label is empty", () => {
    const root = parseSvg(renderBadge({ label: "", message: "up", color: "#abc" }));
    expect(root.attributes["aria-label"]).toBe("up");
    expect(findAll(root, "text").map(textOf)).toEqual(["up", "up"]);
    expect(findAll(root, "rect").map((r) => r.attributes.fill)).toEqual(["#fff", "#abc", "url(#s)"]);
  });

  it("resolves colors: named, hex, and nothing else", () => {
    expect(resolveColor("brightgreen")).toBe("#4c1");
    expect(resolveColor("LightGrey")).toBe("#9f9f9f");
    expect(resolveColor("ff0000")).toBe("#ff0000");
    expect(resolveColor("#ABC")).toBe("#abc");
    expect(resolveColor("url(#x)")).toBe("#9f9f9f");
    expect(resolveColor("constructor")).toBe("#9f9f9f");
    expect(escapeXml(`<&>"'`, "\ufffd")).toBe("&lt;&amp;&gt;&quot;&apos;");
  });

  it("uses dark text on light backgrounds", () => {
    const light = findAll(parseSvg(renderBadge({ label: "a", message: "b", color: "#fff" })), "text");
    expect(light[3]!.attributes.fill).toBe("#333");
    const dark = findAll(parseSvg(renderBadge({ label: "a", message: "b", color: "red" })), "text");
    expect(dark[3]!.attributes.fill).toBe("#fff");
  });
});

describe("the XML checker used above", () => {
  it.each([
    ["unbalanced tags", "<a><b></a>"],
    ["an unclosed element", "<a><b/>"],
    ["a raw < in text", "<a>x < y</a>"],
    ["a raw & in text", "<a>x & y</a>"],
    ["a raw < in an attribute", '<a t="<"/>'],
    ["an unknown entity", "<a>&nbsp;</a>"],
    ["two roots", "<a/><b/>"],
    ["a duplicate attribute", '<a x="1" x="2"/>'],
    ["an unquoted attribute", "<a x=1/>"],
    ["text outside the root", "x<a/>"],
    ["a control character", "<a>\u0001</a>"],
  ])("rejects %s", (_, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
  });
});

describe("shieldsEndpoint", () => {
  it("follows the shields.io endpoint schema", () => {
    expect(shieldsEndpoint({ label: "status", message: "up", color: "brightgreen" })).toEqual({
      schemaVersion: 1,
      label: "status",
      message: "up",
      color: "brightgreen",
    });
    expect(JSON.stringify(shieldsEndpoint({ ...statusBadge("no-data"), isError: true }))).toBe(
      '{"schemaVersion":1,"label":"status","message":"no data","color":"lightgrey","isError":true}',
    );
    expect("isError" in shieldsEndpoint(latencyBadge(100))).toBe(false);
  });
});
