/** SLO windows: exact rolling spans, calendar months, whole days and slices. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  lookbackSpan,
  resolveWindow,
  slicesOf,
  type SloWindow,
  wholeDays,
  windowLengthMs,
} from "../../../src/slo/windows.ts";

const at = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("resolveWindow", () => {
  it("is exactly [now − 1h, now) at a non-round time", () => {
    expect(resolveWindow("1h", at("2026-01-15T10:37:20.500Z"))).toEqual({
      from: at("2026-01-15T09:37:20.500Z"),
      to: at("2026-01-15T10:37:20.500Z"),
    });
  });

  it.each<[SloWindow, string]>([
    ["24h", "2026-01-14T10:37:20Z"],
    ["7d", "2026-01-08T10:37:20Z"],
    ["30d", "2025-12-16T10:37:20Z"],
    ["90d", "2025-10-17T10:37:20Z"],
    ["month", "2026-01-01T00:00:00Z"],
  ])("%s at 2026-01-15T10:37:20Z starts at %s", (window, from) => {
    expect(resolveWindow(window, at("2026-01-15T10:37:20Z"))).toEqual({
      from: at(from),
      to: at("2026-01-15T10:37:20Z"),
    });
  });

  it("a calendar month of 31 days: from its first instant to now, 31 days long", () => {
    const now = at("2026-03-31T23:59:59.999Z");
    expect(resolveWindow("month", now)).toEqual({ from: at("2026-03-01T00:00:00Z"), to: now });
    expect(windowLengthMs("month", now)).toBe(31 * DAY);
    expect(resolveWindow("month", at("2026-04-01T00:00:00Z"))).toEqual({
      from: at("2026-04-01T00:00:00Z"),
      to: at("2026-04-01T00:00:00Z"),
    });
  });

  it("month lengths follow the calendar (30, 28, leap 29)", () => {
    expect(windowLengthMs("month", at("2026-04-10T00:00:00Z"))).toBe(30 * DAY);
    expect(windowLengthMs("month", at("2026-02-10T00:00:00Z"))).toBe(28 * DAY);
    expect(windowLengthMs("month", at("2028-02-29T12:00:00Z"))).toBe(29 * DAY);
    expect(windowLengthMs("30d", at("2026-02-10T00:00:00Z"))).toBe(30 * DAY);
  });

  it("refuses a time that is not a number, and a lookback that is not positive", () => {
    expect(() => resolveWindow("1h", Number.NaN)).toThrow(RangeError);
    expect(() => lookbackSpan(0, 0)).toThrow(RangeError);
  });

  it("a rolling window is exactly its length at any time", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SloWindow>("1h", "24h", "7d", "30d", "90d"),
        fc.integer({ min: 1.6e12, max: 2e12 }),
        (window, now) => {
          const { from, to } = resolveWindow(window, now);
          expect(to).toBe(now);
          expect(to - from).toBe(windowLengthMs(window, now));
        },
      ),
    );
  });
});

describe("wholeDays and slicesOf", () => {
  it("the whole UTC days inside a span, or null", () => {
    expect(wholeDays({ from: at("2026-01-01T10:00:00Z"), to: at("2026-01-04T03:00:00Z") })).toEqual({
      from: at("2026-01-02T00:00:00Z"),
      to: at("2026-01-04T00:00:00Z"),
    });
    expect(wholeDays({ from: at("2026-01-01T10:00:00Z"), to: at("2026-01-02T09:00:00Z") })).toBeNull();
  });

  it("slices line up with multiples of their length, the first and last clipped, and cover the span once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1.6e12, max: 2e12 }),
        fc.integer({ min: 1, max: 10 * DAY }),
        fc.constantFrom(HOUR, 6 * HOUR, DAY),
        (from, length, sliceMs) => {
          const slices = slicesOf({ from, to: from + length }, sliceMs);
          expect(slices[0]!.from).toBe(from);
          expect(slices[slices.length - 1]!.to).toBe(from + length);
          for (let i = 1; i < slices.length; i++) {
            expect(slices[i]!.from).toBe(slices[i - 1]!.to);
            expect(slices[i]!.from % sliceMs).toBe(0);
          }
          expect(slices.every((s) => s.to - s.from <= sliceMs && s.to > s.from)).toBe(true);
        },
      ),
    );
  });
});
