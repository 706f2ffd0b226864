/**
 * What the four state steps after a tick (apply-tick.ts, apply-metric-alerts.ts,
 * apply-burn-alerts.ts, apply-watchdog.ts) share: read their probe_states rows in one statement and check each with
 * its zod schema (a row that does not parse, such as an older or hand-edited shape, is read as
 * the initial state: a step never works on a cast), and turn the notices their transitions
 * cause into outbox statements, one row per channel, for the step's single batch.
 */
import type { z } from "zod";
import type { D1OutboxStore } from "../storage/outbox-store.ts";
import type { D1ProbeStateStore } from "../storage/probe-state-store.ts";
import type { Notice } from "./channels/notice.ts";
import { outboxEntries } from "./outbox.ts";
import type { NoticeTransition } from "./probe-state-machine.ts";

interface StoredStates {
  /** The slot the row was last advanced to; undefined when there is no row. */
  lastSlot(key: string): number | undefined;
  /** The row's state if it parses with `schema`, else `initial()`. */
  state<T>(key: string, schema: z.ZodType<T>, initial: () => T): T;
}

/** The rows of `keys`, in one statement whatever their number. */
export async function readStates(
  store: Pick<D1ProbeStateStore, "probeStates">,
  keys: readonly string[],
): Promise<StoredStates> {
  const rows = await store.probeStates(keys);
  return {
    lastSlot: (key) => rows.get(key)?.lastSlot,
    state: (key, schema, initial) => {
      const parsed = schema.safeParse(rows.get(key)?.state);
      return parsed.success ? parsed.data : initial();
    },
  };
}

/** A notice a transition causes, keyed for the outbox (see outbox.ts outboxId). */
export interface PendingNotice {
  key: string;
  transition: NoticeTransition;
  notice: Notice;
}

/** The outbox statements of the notices, to every channel, and how many rows they are. */
export function enqueueNotices(
  store: Pick<D1OutboxStore, "enqueueStatements">,
  notices: readonly PendingNotice[],
  channels: readonly string[],
  now: number,
): { statements: D1PreparedStatement[]; rows: number } {
  const entries = notices.flatMap((n) => outboxEntries(n.key, n.transition, channels, n.notice, now));
  return { statements: store.enqueueStatements(entries), rows: entries.length };
}
