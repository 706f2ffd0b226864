/**
 * A fingerprint of a view model: what a page shows, without rendering it. Two views with the
 * same fingerprint render the same page (but for the CSP nonce), so it makes the page's ETag:
 * a conditional request whose ETag still matches is answered 304 before anything is rendered,
 * and the 780 KB of a big status page are never hashed.
 *
 * Pure: every value of the view (strings, numbers, booleans, null; each array's length and each
 * object's number of keys before their contents) is mixed into two 32-bit multiplicative lanes
 * (FNV-1a's prime and MurmurHash's), i.e. a 64-bit hash. Key names are not hashed: views are
 * built by the same code, so a key is known by its place. Keys named in `skip` are left out
 * (the clock: the pages never print `now` itself, only what the view derived from it).
 * Iterative, with the state in two locals: it walks 50,000 values of a 50-probe status page.
 */

const PRIME_A = 0x01000193;
const PRIME_B = 0x5bd1e995;
const NO_KEYS: ReadonlySet<string> = new Set();
const float = new Float64Array(1);
const halves = new Int32Array(float.buffer);

/** Codes that mark what is not a character or an integer. */
const MARK = { string: 0x7fff_0001, float: 0x7fff_0002, true: 0x7fff_0003, false: 0x7fff_0004, null: 0x7fff_0005, undefined: 0x7fff_0006, array: 0x7fff_0100, object: 0x7fff_0200 } as const;

export function viewFingerprint(view: unknown, skip: ReadonlySet<string> = NO_KEYS): string {
  let a = 0x811c9dc5 | 0;
  let b = 0x050c5d1f | 0;
  const stack: unknown[] = [view];
  while (stack.length > 0) {
    const value = stack.pop();
    switch (typeof value) {
      case "number": {
        if ((value | 0) === value) {
          a = Math.imul(a ^ value, PRIME_A);
          b = Math.imul(b ^ value, PRIME_B);
        } else {
          float[0] = value;
          a = Math.imul(Math.imul(Math.imul(a ^ MARK.float, PRIME_A) ^ halves[0]!, PRIME_A) ^ halves[1]!, PRIME_A);
          b = Math.imul(Math.imul(b ^ halves[1]!, PRIME_B) ^ halves[0]!, PRIME_B);
        }
        break;
      }
      case "string": {
        a = Math.imul(a ^ MARK.string ^ value.length, PRIME_A);
        b = Math.imul(b ^ MARK.string ^ value.length, PRIME_B);
        for (let i = 0; i < value.length; i++) {
          const c = value.charCodeAt(i);
          a = Math.imul(a ^ c, PRIME_A);
          b = Math.imul(b ^ c, PRIME_B);
        }
        break;
      }
      case "boolean":
        a = Math.imul(a ^ (value ? MARK.true : MARK.false), PRIME_A);
        b = Math.imul(b ^ (value ? MARK.true : MARK.false), PRIME_B);
        break;
      case "undefined":
        a = Math.imul(a ^ MARK.undefined, PRIME_A);
        b = Math.imul(b ^ MARK.undefined, PRIME_B);
        break;
      case "object": {
        if (value === null) {
          a = Math.imul(a ^ MARK.null, PRIME_A);
          b = Math.imul(b ^ MARK.null, PRIME_B);
          break;
        }
        let mark: number = MARK.array;
        let count = 0;
        if (Array.isArray(value)) {
          for (let i = value.length - 1; i >= 0; i--) stack.push(value[i]);
          count = value.length;
        } else {
          mark = MARK.object;
          const keys = Object.keys(value);
          for (let i = keys.length - 1; i >= 0; i--) {
            if (skip.has(keys[i]!)) continue;
            stack.push((value as Record<string, unknown>)[keys[i]!]);
            count++;
          }
        }
        a = Math.imul(Math.imul(a ^ mark, PRIME_A) ^ count, PRIME_A);
        b = Math.imul(Math.imul(b ^ mark, PRIME_B) ^ count, PRIME_B);
        break;
      }
      default:
        throw new TypeError(`viewFingerprint: a view holds data only, not a ${typeof value}`);
    }
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
