/**
 * An SVG status badge in the flat shields.io style. Pure: returns the SVG text; the route sets
 * `Content-Type: image/svg+xml` and caching.
 *
 * Accessibility: the root has role="img" and aria-label="label: message" and the first child is a
 * <title> with the same text; the drop-shadow copies of the text are aria-hidden.
 *
 * Text width: no font is available in a Worker, so widths are estimated from a table of advance
 * widths of Verdana Regular (the first font shields.io asks for) at 11px, per printable ASCII
 * character, in font units of 1/2048 em. Other characters are estimated generously: East Asian wide
 * characters and emoji 1 em, combining marks 0, anything else 0.7 em (wider than
 * most Latin capitals, so accented Latin, Greek and Cyrillic are over- rather than under-estimated).
 * Each segment is the estimate rounded up to a whole pixel plus 5 px padding on each side. The
 * estimate only decides the box: every <text> also carries textLength (the estimate), so a viewer
 * that falls back to another font (Geneva, DejaVu Sans, a sans-serif) squeezes or stretches the
 * glyphs into the box instead of overflowing it: text is never clipped, at worst slightly spaced.
 * Like shields.io, text is drawn at font-size 110 under scale(.1) for 0.1 px precision.
 *
 * Escaping: all text and attribute values are XML-escaped (& < > " '), and characters XML 1.0
 * forbids (C0 controls other than tab/LF/CR, lone surrogates, U+FFFE/U+FFFF) become U+FFFD, so any
 * label or message yields well-formed XML. The color is never copied through as-is: it must be a
 * shields.io named color or a 3/6-digit hex (with or without '#'), anything else renders lightgrey.
 *
 * The gradient and clip path use fixed ids ("s", "r"), as shields.io does: fine for <img> and
 * CSS backgrounds, but two badges inlined into one HTML document would share them.
 */
import { escapeXml, xmlSafe } from "../../xml.ts";

interface BadgeInput {
  /** Left, grey part; "" for a message-only badge. */
  label: string;
  message: string;
  /** A shields.io named color (brightgreen, green, yellowgreen, yellow, orange, red, blue, grey, lightgrey, …) or hex. */
  color: string;
}

const BADGE_HEIGHT = 20;
/** Padding on each side of a text, in px. */
const BADGE_PADDING = 5;
const LABEL_COLOR = "#555";
const FALLBACK_COLOR = "#9f9f9f";
const FONT_SIZE_PX = 11;
const UNITS_PER_EM = 2048;

/** shields.io named colors and their aliases. */
const NAMED_COLORS: Readonly<Record<string, string>> = Object.freeze({
  brightgreen: "#4c1",
  green: "#97ca00",
  yellowgreen: "#a4a61d",
  yellow: "#dfb317",
  orange: "#fe7d37",
  red: "#e05d44",
  blue: "#007ec6",
  grey: "#555",
  gray: "#555",
  lightgrey: "#9f9f9f",
  lightgray: "#9f9f9f",
  success: "#4c1",
  important: "#fe7d37",
  critical: "#e05d44",
  informational: "#007ec6",
  inactive: "#9f9f9f",
});

/** Verdana Regular advance widths (units of 1/2048 em) for U+0020 " " through U+007E "~", in order. */
// prettier-ignore
const ASCII_WIDTHS: readonly number[] = [
  720,
  824,
  1038,
  1876,
  1303,
  2217,
  1483,
  553,
  1067,
  1067,
  1303,
  1876,
  745,
  879,
  745,
  1303, // space ! " # $ % & ' ( ) * + , - . /
  1303,
  1303,
  1303,
  1303,
  1303,
  1303,
  1303,
  1303,
  1303,
  1303, // 0-9
  879,
  879,
  1876,
  1876,
  1876,
  1110,
  2048, // : ; < = > ? @
  1401,
  1405,
  1430,
  1577,
  1294,
  1178,
  1587,
  1540,
  866,
  895,
  1423,
  1145,
  1722, // A-M
  1532,
  1638,
  1270,
  1638,
  1452,
  1401,
  1235,
  1499,
  1401,
  2025,
  1404,
  1231,
  1403, // N-Z
  1067,
  1303,
  1067,
  1876,
  1303,
  1303, // [ \ ] ^ _ `
  1229,
  1276,
  1067,
  1276,
  1208,
  720,
  1276,
  1296,
  562,
  705,
  1183,
  562,
  1992, // a-m
  1296,
  1227,
  1276,
  1276,
  874,
  1067,
  807,
  1296,
  1183,
  1675,
  1183,
  1183,
  1051, // n-z
  1303,
  1067,
  1303,
  1876, // { | } ~
];
const WIDE_UNITS = 2048;
const OTHER_UNITS = 1434; // 0.7 em

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f000 && cp <= 0x1faff) ||
    cp >= 0x20000
  );
}

function isZeroWidth(cp: number): boolean {
  return (
    (cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0xfeff
  );
}

function unitsOf(cp: number): number {
  if (cp >= 0x20 && cp <= 0x7e) return ASCII_WIDTHS[cp - 0x20] ?? OTHER_UNITS;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0; // controls (already replaced when rendering)
  if (isZeroWidth(cp)) return 0;
  return isWide(cp) ? WIDE_UNITS : OTHER_UNITS;
}

/** Estimated width in px of `text` in Verdana 11px (unrounded). */
export function textWidth(text: string): number {
  let units = 0;
  for (const ch of text) units += unitsOf(ch.codePointAt(0) ?? 0);
  return (units * FONT_SIZE_PX) / UNITS_PER_EM;
}

/** Replaces characters XML cannot carry with U+FFFD; the result is what the badge shows and measures. */
const sanitizeText = (text: string): string => xmlSafe(text, "\ufffd");

/** The fill for a badge color: named colors and hex only; anything else is lightgrey. */
export function resolveColor(color: string): string {
  const key = color.trim().toLowerCase();
  const named = Object.hasOwn(NAMED_COLORS, key) ? NAMED_COLORS[key] : undefined;
  if (named !== undefined) return named;
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/.exec(key);
  return hex ? `#${hex[1]}` : FALLBACK_COLOR;
}

/** Text colors for a background, like shields.io: dark text on light backgrounds. */
function textColors(hex: string): { fill: string; shadow: string } {
  const digits = hex.slice(1);
  const full = digits.length === 3 ? [...digits].map((d) => d + d).join("") : digits;
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
  const brightness = (r * 299 + g * 587 + b * 114) / 255_000;
  return brightness > 0.69 ? { fill: "#333", shadow: "#ccc" } : { fill: "#fff", shadow: "#010101" };
}

interface Segment {
  text: string;
  /** Estimated text width rounded up to whole px. */
  textWidth: number;
  /** Segment box width: text plus padding. */
  width: number;
}

function segment(text: string): Segment {
  const w = Math.ceil(textWidth(text));
  return { text, textWidth: w, width: w + 2 * BADGE_PADDING };
}

function texts(s: Segment, x: number, colors: { fill: string; shadow: string }): string {
  const cx = Math.round((x + s.width / 2) * 10);
  const len = s.textWidth * 10;
  const body = escapeXml(s.text, "\ufffd");
  return (
    `<text aria-hidden="true" x="${cx}" y="150" fill="${colors.shadow}" fill-opacity=".3" transform="scale(.1)" textLength="${len}">${body}</text>` +
    `<text x="${cx}" y="140" transform="scale(.1)" fill="${colors.fill}" textLength="${len}">${body}</text>`
  );
}

export function renderBadge({ label, message, color }: BadgeInput): string {
  const labelText = sanitizeText(label);
  const messageText = sanitizeText(message);
  const fill = resolveColor(color);
  const left = labelText === "" ? null : segment(labelText);
  const right = segment(messageText);
  const leftWidth = left?.width ?? 0;
  const width = leftWidth + right.width;
  const title = escapeXml(left ? `${labelText}: ${messageText}` : messageText, "\ufffd");

  const rects = left
    ? `<rect width="${leftWidth}" height="${BADGE_HEIGHT}" fill="${LABEL_COLOR}"/><rect x="${leftWidth}" width="${right.width}" height="${BADGE_HEIGHT}" fill="${fill}"/>`
    : `<rect width="${width}" height="${BADGE_HEIGHT}" fill="${fill}"/>`;
  const labelTexts = left ? texts(left, 0, textColors(LABEL_COLOR)) : "";
  const messageTexts = texts(right, leftWidth, textColors(fill));

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${BADGE_HEIGHT}" role="img" aria-label="${title}">` +
    `<title>${title}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${width}" height="${BADGE_HEIGHT}" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)">${rects}<rect width="${width}" height="${BADGE_HEIGHT}" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">` +
    `${labelTexts}${messageTexts}</g>` +
    `</svg>`
  );
}
