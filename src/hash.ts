/**
 * Every hash Afterlife computes for an identifier or a fingerprint (none is cryptographic: the
 * API tokens and webhook signatures use Web Crypto). Each one's output is stored or published
 * (a probe's phase and bucket, a version, a Statuspage id, an ETag), so each is fixed forever:
 * the tests pin published vectors and known values.
 */

/** 32-bit FNV-1a of the UTF-16 code units of text. Stable, but weak in its low bits (see stableHash). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A stable, well-spread 32-bit hash of a probe id: FNV-1a followed by the murmur3 `fmix32`
 * finalizer.
 *
 * Why the finalizer: callers take the hash modulo a small number (an interval in minutes, 60 for
 * retention), so its low bits decide. FNV-1a alone mixes upwards only (multiplication carries go
 * from low bits to high, never back), so its low bits see little of the input: bit 0 is just the
 * parity of the number of odd character codes, bit 1 depends only on the low two bits of each
 * code, and so on. With an even interval (2m, 10m, 30m, 1h) phases then cluster on ids that
 * differ in few characters. fmix32 folds the high bits back down (xor-shift, multiply,
 * xor-shift), so every output bit depends on every input bit. It is a bijection on 32 bits, so
 * it adds no collisions, and it is fixed forever: changing it would move every probe's phase.
 */
export function stableHash(text: string): number {
  let h = fnv1a(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** 64-bit FNV-1a of the UTF-8 bytes of text. */
export function fnv1a64(text: string): bigint {
  let hash = FNV64_OFFSET;
  for (const byte of new TextEncoder().encode(text)) hash = ((hash ^ BigInt(byte)) * FNV64_PRIME) & MASK_64;
  return hash;
}

/** cyrb53 of the UTF-16 code units of text, in base 36 (11 characters): fast and well spread. */
export function cyrb53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).padStart(11, "0");
}

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
const MARK = {
  string: 0x7fff_0001,
  float: 0x7fff_0002,
  true: 0x7fff_0003,
  false: 0x7fff_0004,
  null: 0x7fff_0005,
  undefined: 0x7fff_0006,
  array: 0x7fff_0100,
  object: 0x7fff_0200,
} as const;

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
