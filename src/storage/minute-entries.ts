/**
 * The runs of one probe in one region's hour packed into one string: 60 fixed-width entries, one
 * per minute of the hour, `.` where no run was stored. A run_blocks row (run-blocks.ts) holds
 * one such string per probe of its bucket, so a run costs about 7 bytes on disk and a share of a
 * written row, and a replayed run changes nothing (its minute is no longer `.`).
 *
 * An entry is 7 characters: the outcome, the duration in ms as 3 base-64 digits (capped at
 * 262,143 ms), and the start's delay after the slot in ms as 3 more (capped the same way).
 * Pure: the write statements, the reads and the migration all agree with this file.
 */
import type { FailureClass, RunStatus } from "../probe/result.ts";

export const MINUTES_PER_HOUR = 60;
export const ENTRY_CHARS = 7;
const EMPTY_ENTRY = ".".repeat(ENTRY_CHARS);
/** An hour with no run stored yet. */
export const EMPTY_HOUR = EMPTY_ENTRY.repeat(MINUTES_PER_HOUR);
const MAX_ENTRY_DURATION_MS = 64 ** 3 - 1;
const MAX_ENTRY_DELAY_MS = 64 ** 3 - 1;

/** Base-64 digits in ascending order (the migration's SQL uses the same alphabet). */
const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/**
 * The outcome letter. Lower case counts towards SLOs; upper case is the same outcome during a
 * maintenance window excluded from SLOs. `p` is a failure on the monitoring side (class
 * `probe`: a refused target, a missing secret), kept apart so SLIs can leave it out.
 */
const OUTCOME_LETTERS = { up: "u", degraded: "d", down: "x", probe: "p" } as const;
type Outcome = keyof typeof OUTCOME_LETTERS;

export interface MinuteEntry {
  /** Minute of the hour, 0-59. */
  minute: number;
  status: RunStatus;
  /** A down run whose failure is on the monitoring side (failure class `probe`). */
  monitoringSide: boolean;
  inMaintenance: boolean;
  durationMs: number;
  /** Milliseconds from the scheduled slot to the start of the run. */
  delayMs: number;
}

interface EntrySource {
  status: RunStatus;
  failureClass?: FailureClass | undefined;
  inMaintenance?: boolean | undefined;
  durationMs: number;
  slotAt: number;
  startedAt: number;
}

function digits(value: number, width: number): string {
  let out = "";
  for (let i = width - 1; i >= 0; i--) out += DIGITS[Math.floor(value / 64 ** i) % 64];
  return out;
}

function fromDigits(text: string): number {
  let value = 0;
  for (const c of text) {
    const d = DIGITS.indexOf(c);
    if (d < 0) throw new TypeError(`not a base-64 digit: '${c}'`);
    value = value * 64 + d;
  }
  return value;
}

/** The 7-character entry of a run. */
export function encodeEntry(run: EntrySource): string {
  const outcome: Outcome = run.status === "down" && run.failureClass === "probe" ? "probe" : run.status;
  const letter = OUTCOME_LETTERS[outcome];
  const duration = Math.min(MAX_ENTRY_DURATION_MS, Math.max(0, Math.round(run.durationMs)));
  const delay = Math.min(MAX_ENTRY_DELAY_MS, Math.max(0, Math.round(run.startedAt - run.slotAt)));
  return (run.inMaintenance ? letter.toUpperCase() : letter) + digits(duration, 3) + digits(delay, 3);
}

/** Minute of the hour of a slot (epoch ms). */
export function minuteOfHour(slotAt: number): number {
  return Math.floor(slotAt / 60_000) % MINUTES_PER_HOUR;
}

const STATUS_OF_LETTER: Record<string, { status: RunStatus; monitoringSide: boolean }> = {
  u: { status: "up", monitoringSide: false },
  d: { status: "degraded", monitoringSide: false },
  x: { status: "down", monitoringSide: false },
  p: { status: "down", monitoringSide: true },
};

/** The entry at one minute, or null when no run is stored there. */
export function entryAt(minutes: string, minute: number): MinuteEntry | null {
  return parseEntry(minutes.slice(minute * ENTRY_CHARS, (minute + 1) * ENTRY_CHARS), minute);
}

/** One 7-character entry, at its minute of the hour; null for an empty one. */
export function parseEntry(text: string, minute: number): MinuteEntry | null {
  if (text.length !== ENTRY_CHARS || text === EMPTY_ENTRY) return null;
  const letter = text[0]!;
  const known = STATUS_OF_LETTER[letter.toLowerCase()];
  if (!known) throw new TypeError(`unknown run outcome '${letter}' at minute ${minute}`);
  return {
    minute,
    ...known,
    inMaintenance: letter !== letter.toLowerCase(),
    durationMs: fromDigits(text.slice(1, 4)),
    delayMs: fromDigits(text.slice(4, 7)),
  };
}

/** Every stored entry of an hour, in minute order. */
export function decodeEntries(minutes: string): MinuteEntry[] {
  if (minutes.length !== EMPTY_HOUR.length)
    throw new TypeError(`an hour's runs are ${EMPTY_HOUR.length} characters, got ${minutes.length}`);
  const out: MinuteEntry[] = [];
  for (let m = 0; m < MINUTES_PER_HOUR; m++) {
    const entry = entryAt(minutes, m);
    if (entry) out.push(entry);
  }
  return out;
}
