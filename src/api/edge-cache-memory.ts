/**
 * The edge cache's first layer: the copies this isolate last took from, or put into, the
 * location's Cache API, held as bytes in memory until their copy would turn stale there too.
 * A copy in the Cache API costs a lookup and a body stream per reader; one in memory costs what a
 * static answer does, so an outage's crowd on one isolate is served as fast as a static file.
 *
 * It holds nothing the Cache API would not: the same anonymous copies, under the same keys, for
 * no longer than their freshness plus their stale window. A purge (edge-cache-purge.ts) clears
 * this isolate's copies as well as the location's; other isolates keep theirs at most to the end
 * of the minute, as other locations do. Bounded in entries and bytes; the oldest go first.
 */

/** A copy as readers get it (the cache's own headers already taken off), and its lifetime. */
export interface HeldCopy {
  status: number;
  statusText: string;
  headers: readonly [string, string][];
  body: ArrayBuffer;
  /** Epoch ms: fresh before, then stale (served while a new copy renders) until staleUntil. */
  freshUntil: number;
  staleUntil: number;
}

const MAX_HELD_COPIES = 256;
const MAX_HELD_BYTES = 8 * 1024 * 1024;
/** A copy larger than this is left to the Cache API alone. */
export const MAX_HELD_COPY_BYTES = 1024 * 1024;

export class IsolateCopies {
  private readonly copies = new Map<string, HeldCopy>();
  private bytes = 0;
  /** Purges so far: a render that began before one may show what the purge removed, so it is not kept. */
  purges = 0;
  private readonly maxCopies: number;
  private readonly maxBytes: number;

  constructor(maxCopies = MAX_HELD_COPIES, maxBytes = MAX_HELD_BYTES) {
    this.maxCopies = maxCopies;
    this.maxBytes = maxBytes;
  }

  /** The copy of `key`, unless it is past its stale window at `now` (it is then dropped). */
  get(key: string, now: number): HeldCopy | undefined {
    const copy = this.copies.get(key);
    if (copy && now >= copy.staleUntil) {
      this.delete(key);
      return undefined;
    }
    return copy;
  }

  set(key: string, copy: HeldCopy): void {
    this.delete(key);
    if (copy.body.byteLength > MAX_HELD_COPY_BYTES) return;
    this.copies.set(key, copy);
    this.bytes += copy.body.byteLength;
    for (const [oldest, held] of this.copies) {
      if (this.copies.size <= this.maxCopies && this.bytes <= this.maxBytes) break;
      this.copies.delete(oldest);
      this.bytes -= held.body.byteLength;
    }
  }

  /** Deletes `key` because what it shows changed: renders already under way are not kept (see `purges`). */
  purge(key: string): void {
    this.purges++;
    this.delete(key);
  }

  delete(key: string): void {
    const copy = this.copies.get(key);
    if (!copy) return;
    this.copies.delete(key);
    this.bytes -= copy.body.byteLength;
  }

  get size(): number {
    return this.copies.size;
  }
}

/** A Response of its own for one reader of a held copy. */
export function responseOf(copy: HeldCopy): Response {
  return new Response(copy.body, {
    status: copy.status,
    statusText: copy.statusText,
    headers: copy.headers as [string, string][],
  });
}

/** This isolate's copies, shared by every app instance and the purge. */
export const isolateCopies = new IsolateCopies();
