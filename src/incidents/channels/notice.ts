/**
 * A notice as channels see it, and the plain-text wording they share. Every channel escapes
 * this text for its own format: probe names, groups and failure messages are user data.
 */
import type { ExhaustionForecast } from "../../slo/forecast.ts";
import type { AlertSeverity } from "../../slo/burn-rate.ts";
import type { FailureEvidence, NoticeTransition } from "../probe-state-machine.ts";

export interface Notice {
  transition: NoticeTransition;
  probe: { id: string; name: string; group: string };
  incident: { id: string; title: string; startedAt: number; resolvedAt?: number | null | undefined };
  failure?: FailureEvidence | undefined;
  /** Failing regions. */
  regions: readonly string[];
  /** Error-budget context, when an SLO burn alert is firing for the probe. */
  burn?: { severity: AlertSeverity; budgetRemaining: number; forecast: ExhaustionForecast } | undefined;
  /** When the transition happened (epoch ms). */
  at: number;
}

/** The longest failure message a notice repeats; the full evidence is one click away. */
export const MAX_MESSAGE_CHARS = 500;

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const LABEL = { down: "DOWN", up: "UP", flapping: "FLAPPING", stable: "STABLE" } as const;

/** "DOWN: Checkout journey". */
export function headline(notice: Notice): string {
  return `${LABEL[notice.transition]}: ${notice.probe.name}`;
}

/** One or two sentences on what happened. */
export function summary(notice: Notice): string {
  const who = `${notice.probe.name} (${notice.probe.group})`;
  const where = notice.regions.length ? ` Failing regions: ${notice.regions.join(", ")}.` : "";
  switch (notice.transition) {
    case "down":
      return `${who} is down since ${isoTime(notice.incident.startedAt)}.${where}`;
    case "up": {
      const end = notice.incident.resolvedAt ?? notice.at;
      return `${who} is up again after ${formatDuration(end - notice.incident.startedAt)} down.`;
    }
    case "flapping":
      return `${who} keeps changing between up and down. Down and up notices pause until it is stable.${where}`;
    case "stable":
      return `${who} is stable again. Down and up notices resume.`;
  }
}

/** `Step "log in" failed (assertion): expected 200, got 503`, or null. */
export function failureLine(notice: Notice): string | null {
  const f = notice.failure;
  if (!f) return null;
  return `Step "${f.step}" failed (${f.class}): ${truncate(f.message, MAX_MESSAGE_CHARS)}`;
}

/** "Error budget: 42.5% left (page); runs out in about 7.5 h", or null. */
export function burnLine(notice: Notice): string | null {
  const b = notice.burn;
  if (!b) return null;
  const left = `${Math.round(b.budgetRemaining * 1000) / 10}% left`;
  const forecast =
    b.forecast.exhaustsAt !== null
      ? `runs out in about ${formatDuration(b.forecast.hoursLeft * 3_600_000)}`
      : b.forecast.reason === "exhausted"
        ? "already exhausted"
        : "not burning";
  return `Error budget: ${left} (${b.severity}); ${forecast}`;
}
