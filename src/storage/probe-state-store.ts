/**
 * The state of the steps after a tick on D1 (the probe_states table): each probe's incident and
 * burn state, the watchdog's rows and the tick guards, as JSON under a key, advanced only to a
 * newer slot.
 */
import { D1Store } from "./d1-store.ts";
import { jsonChunks } from "./json-chunks.ts";

export class D1ProbeStateStore extends D1Store {
  /** The states of these keys, in one statement whatever their number (the ids are one JSON parameter). */
  async probeStates(probeIds: readonly string[]): Promise<Map<string, { lastSlot: number; state: unknown }>> {
    if (probeIds.length === 0) return new Map();
    const rows = (
      await this.db
        .prepare(
          "SELECT probe_id, last_slot, state FROM probe_states WHERE probe_id IN (SELECT value FROM json_each(?1))",
        )
        .bind(JSON.stringify(probeIds))
        .all<{ probe_id: string; last_slot: number; state: string }>()
    ).results;
    return new Map(rows.map((r) => [r.probe_id, { lastSlot: r.last_slot, state: JSON.parse(r.state) as unknown }]));
  }

  /** saveProbeStateStatement for many keys, with the same guard on last_slot for each. */
  saveProbeStatesStatements(
    states: readonly { key: string; slotAt: number; state: unknown }[],
    at: number,
  ): D1PreparedStatement[] {
    const rows = states.map((s) => ({ key: s.key, slotAt: s.slotAt, state: JSON.stringify(s.state) }));
    return jsonChunks(rows).map((chunk) =>
      this.db
        .prepare(
          `INSERT INTO probe_states (probe_id, last_slot, state, updated_at)
           SELECT json_extract(value, '$.key'), json_extract(value, '$.slotAt'), json_extract(value, '$.state'), ?2 FROM json_each(?1) WHERE true
           ON CONFLICT (probe_id) DO UPDATE SET last_slot = excluded.last_slot, state = excluded.state, updated_at = excluded.updated_at
           WHERE probe_states.last_slot < excluded.last_slot`,
        )
        .bind(chunk, at),
    );
  }

  /**
   * Advances a probe's state only if no later tick did already: replays and late duplicates
   * change nothing, and of two parallel replays exactly one wins.
   */
  saveProbeStateStatement(probeId: string, slotAt: number, state: unknown, at: number): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO probe_states (probe_id, last_slot, state, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (probe_id) DO UPDATE SET last_slot = excluded.last_slot, state = excluded.state, updated_at = excluded.updated_at
         WHERE probe_states.last_slot < excluded.last_slot`,
      )
      .bind(probeId, slotAt, JSON.stringify(state), at);
  }
}
