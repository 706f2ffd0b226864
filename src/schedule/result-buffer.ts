/**
 * Where a region runner keeps results that D1 refused, until they are written. The Durable
 * Object's own storage implements it (durable, local to the object, survives restarts).
 *
 * Bounded: at most `capacity` results (MAX_BUFFERED) per runner object. A D1 outage long
 * enough to fill it drops the oldest results, and says how many, so the loss is counted and
 * logged (the shard's report, the tick's summary line), never silent. Read oldest first, so a
 * flush after an outage writes the backlog in the order it was measured.
 */
import type { RunResult } from "../probe/result.ts";

/** Results one runner object keeps at most: about a week of one probe per minute, or a 2-hour outage of an 80-run shard. */
export const MAX_BUFFERED = 10_000;

export interface ResultBuffer {
  /** Keeps the results; past the capacity the oldest are dropped, and counted. */
  put(results: readonly RunResult[]): Promise<{ dropped: number }>;
  /** Up to `limit` results, oldest slot first. */
  oldest(limit: number): Promise<RunResult[]>;
  remove(results: readonly RunResult[]): Promise<void>;
  count(): Promise<number>;
}

/** Durable Object storage takes at most 128 keys per get, put or delete. */
const KEYS_PER_CALL = 128;
const PREFIX = "buffer:";
/** Keys of results buffered before the buffer was ordered by slot: read first, they are the oldest. */
const LEGACY_PREFIX = "pending:";
const COUNT_KEY = "buffer-count";

/** Sorted by slot, then run id: the storage lists keys in order, so the oldest come first. */
function keyOf(result: Pick<RunResult, "slotAt" | "runId">): string {
  return `${PREFIX}${String(result.slotAt).padStart(15, "0")}:${result.runId}`;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += KEYS_PER_CALL) out.push(items.slice(i, i + KEYS_PER_CALL));
  return out;
}

/** ResultBuffer over a Durable Object's storage (or anything with its get/put/list/delete). */
export class DurableObjectResultBuffer implements ResultBuffer {
  private readonly storage: DurableObjectStorage;
  private readonly capacity: number;
  constructor(storage: DurableObjectStorage, options: { capacity?: number } = {}) {
    this.storage = storage;
    this.capacity = options.capacity ?? MAX_BUFFERED;
    if (!(Number.isInteger(this.capacity) && this.capacity >= 1))
      throw new RangeError(`capacity must be an integer ≥ 1, got ${this.capacity}`);
  }

  async put(results: readonly RunResult[]): Promise<{ dropped: number }> {
    let count = await this.count();
    for (const part of chunks(results)) {
      const entries = Object.fromEntries(part.map((r) => [keyOf(r), r]));
      const existing = await this.storage.get(Object.keys(entries));
      await this.storage.put(entries);
      count += Object.keys(entries).length - existing.size;
    }
    let dropped = 0;
    if (count > this.capacity) {
      const oldest = await this.oldestEntries(count - this.capacity);
      dropped = await this.deleteKeys(oldest.map(([key]) => key));
      count -= dropped;
    }
    await this.storage.put(COUNT_KEY, count);
    return { dropped };
  }

  async oldest(limit: number): Promise<RunResult[]> {
    return (await this.oldestEntries(limit)).map(([, result]) => result);
  }

  async remove(results: readonly RunResult[]): Promise<void> {
    const deleted = await this.deleteKeys(results.flatMap((r) => [keyOf(r), `${LEGACY_PREFIX}${r.runId}`]));
    await this.storage.put(COUNT_KEY, Math.max(0, (await this.count()) - deleted));
  }

  /** Kept in a key of its own, so counting never lists the whole buffer (but once, for a buffer older than the count). */
  async count(): Promise<number> {
    const stored = await this.storage.get<number>(COUNT_KEY);
    if (stored !== undefined) return stored;
    const counted =
      (await this.storage.list({ prefix: LEGACY_PREFIX })).size + (await this.storage.list({ prefix: PREFIX })).size;
    await this.storage.put(COUNT_KEY, counted);
    return counted;
  }

  private async oldestEntries(limit: number): Promise<[string, RunResult][]> {
    if (limit <= 0) return [];
    const legacy = [...(await this.storage.list<RunResult>({ prefix: LEGACY_PREFIX, limit }))];
    if (legacy.length >= limit) return legacy;
    return [...legacy, ...(await this.storage.list<RunResult>({ prefix: PREFIX, limit: limit - legacy.length }))];
  }

  private async deleteKeys(keys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const part of chunks(keys)) deleted += await this.storage.delete(part);
    return deleted;
  }
}
