/**
 * A fingerprint of a view model: what a page shows, without rendering it. Two views with the
 * same fingerprint render the same page (but for the CSP nonce), so it makes the page's ETag:
 * a conditional request whose ETag still matches is answered 304 before anything is rendered,
 * and the 780 KB of a big status page are never hashed.
 *
 * Pure: a walk over the view's values (strings, numbers, booleans, null, and each object's
 * number of keys, in order) mixed into two 32-bit FNV-1a lanes with different offsets, i.e. a
 * 64-bit hash. Key names are not hashed: views are built by the same code, so a key is known
 * by its place. Keys named in `skip` are left out (the clock: the page never prints `now`
 * itself, only what the view derived from it).
 */

const PRIME = 0x01000193;
const float = new Float64Array(1);
const halves = new Int32Array(float.buffer);

export function viewFingerprint(view: unknown, skip: ReadonlySet<string> = new Set()): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  const mixCode = (code: number) => {
    a = Math.imul(a ^ code, PRIME);
    b = Math.imul(b ^ code, PRIME) ^ (b >>> 15);
  };
  const mixString = (text: string) => {
    for (let i = 0; i < text.length; i++) mixCode(text.charCodeAt(i));
    mixCode(0xffff); // the end: "ab","c" differs from "a","bc"
  };
  const walk = (value: unknown): void => {
    switch (typeof value) {
      case "number":
        if ((value | 0) === value) return mixCode(value);
        float[0] = value;
        mixCode(halves[0]!);
        return mixCode(halves[1]!);
      case "string":
        return mixString(value);
      case "boolean":
        return mixCode(value ? 0xfffd : 0xfffc);
      case "undefined":
        return mixCode(0xfffb);
      case "object":
        if (value === null) return mixCode(0xfffa);
        if (Array.isArray(value)) {
          mixCode(0xfff9);
          for (const item of value) walk(item);
          return mixCode(0xfff8);
        }
        let keys = 0;
        for (const key in value) {
          if (skip.has(key)) continue;
          walk((value as Record<string, unknown>)[key]);
          keys++;
        }
        return mixCode(0xfff0 ^ keys);
      default:
        throw new TypeError(`viewFingerprint: a view holds data only, not a ${typeof value}`);
    }
  };
  walk(view);
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
