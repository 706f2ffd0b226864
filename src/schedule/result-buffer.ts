/**
 * Where a region runner keeps results that D1 refused, until they are written. The Durable
 * Object's own storage implements it (durable, local to the object, survives restarts).
 */
import type { RunResult } from "../probe/result.ts";

export interface ResultBuffer {
  put(results: readonly RunResult[]): Promise<void>;
  list(): Promise<RunResult[]>;
  remove(runIds: readonly string[]): Promise<void>;
}

/** ResultBuffer over a Durable Object's storage (or anything with its get/put/list/delete). */
export class DurableObjectResultBuffer implements ResultBuffer {
  private readonly storage: DurableObjectStorage;
  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
  }

  async put(results: readonly RunResult[]): Promise<void> {
    // put() takes at most 128 entries at once.
    for (let i = 0; i < results.length; i += 128) {
      await this.storage.put(Object.fromEntries(results.slice(i, i + 128).map((r) => [`pending:${r.runId}`, r])));
    }
  }

  async list(): Promise<RunResult[]> {
    return [...(await this.storage.list<RunResult>({ prefix: "pending:" })).values()];
  }

  async remove(runIds: readonly string[]): Promise<void> {
    for (let i = 0; i < runIds.length; i += 128) await this.storage.delete(runIds.slice(i, i + 128).map((id) => `pending:${id}`));
  }
}
