/**
 * Releases as the API, the tick and the CLI see them. Schemas first; the types come from them.
 * A release names the probes it may affect; for `watchMinutes` after it those probes run every
 * minute from all their regions, and the watch (watch-verdict.ts) compares after with before.
 */
import { z } from "zod";

const VERDICTS = ["healthy", "regressed", "inconclusive"] as const;
export const MAX_WATCH_MINUTES = 24 * 60;
export const DEFAULT_BASELINE_MINUTES = 120;
const MAX_BASELINE_MINUTES = 24 * 60;
/** A release may be marked at most this long after it went live (CI marks it when the deploy ends). */
export const MAX_BACKDATE_MS = 24 * 60 * 60_000;

const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      (s) => !/[\u0000-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(s),
      "plain text without control or bidirectional characters",
    );

/** Body of POST /api/v1/releases. */
export const NewReleaseSchema = z
  .object({
    version: plainText(100).describe('What was released, as your pipeline names it: "v2.14.0", a commit sha.'),
    probeIds: z
      .array(z.string().min(1).max(100))
      .min(1)
      .max(100)
      .optional()
      .describe("The probes this release may affect. Give probeIds or group."),
    group: z.string().min(1).max(100).optional().describe("Or: every probe of this group."),
    url: z
      .url({ protocol: /^https?$/, error: "an http(s) URL, e.g. the pipeline run or the changelog" })
      .max(2000)
      .optional()
      .describe("A link for people: the pipeline run, the changelog."),
    description: plainText(2000).optional(),
    at: z.iso
      .datetime({ offset: true, error: "an ISO 8601 time such as 2026-11-26T10:00:00Z" })
      .optional()
      .describe("When the release went live (default now; at most 24 h ago, not in the future)."),
    watchMinutes: z
      .number()
      .int()
      .min(5, "at least 5 minutes")
      .max(MAX_WATCH_MINUTES, "at most 1440 minutes (24 h)")
      .optional()
      .describe("How long the watch lasts (default RELEASE_WATCH_MINUTES, 60)."),
    baselineMinutes: z
      .number()
      .int()
      .min(10, "at least 10 minutes")
      .max(MAX_BASELINE_MINUTES, "at most 1440 minutes (24 h)")
      .optional()
      .describe("How far before the release the baseline reaches (default 120)."),
  })
  .strict();

/** One comparison of the watch: a measure of one probe in one region, before and after. */
const FindingSchema = z.object({
  probeId: z.string(),
  region: z.string(),
  measure: z.enum(["availability", "latency"]),
  /** Availability: the share of runs that passed. Latency: the median, as the bounds of its histogram bucket (ms). */
  before: z.object({
    runs: z.number().int(),
    value: z.number().nullable(),
    bucketMs: z.tuple([z.number(), z.number()]).optional(),
  }),
  after: z.object({
    runs: z.number().int(),
    value: z.number().nullable(),
    bucketMs: z.tuple([z.number(), z.number()]).optional(),
  }),
  /** One-sided p-value of "worse after the release" (1 when it cannot be computed). */
  p: z.number(),
  /** The p-value under which this comparison counts as a regression (the false-alarm rate split over the comparisons and looks). */
  threshold: z.number(),
  regressed: z.boolean(),
  /** Why a significant difference was not called a regression, or why the comparison could not be made. */
  note: z.string().optional(),
  /** Runs after the release that show it (failed, or slower than the baseline's median bucket). */
  evidence: z.array(z.string()),
});
export type Finding = z.infer<typeof FindingSchema>;

export const JudgementSchema = z.object({
  verdict: z.enum(VERDICTS),
  /** The watch is over: the verdict will not change. */
  final: z.boolean(),
  /** The look (minutes after the release) the verdict comes from; null before the first. */
  atMinute: z.number().int().nullable(),
  /** The comparisons of that look; the regressed ones first. */
  findings: z.array(FindingSchema),
  reason: z.string(),
});
export type Judgement = z.infer<typeof JudgementSchema>;

export const ReleaseSchema = z.object({
  id: z.string(),
  version: z.string(),
  probeIds: z.array(z.string()),
  url: z.string().nullable(),
  description: z.string().nullable(),
  /** When it went live (epoch ms). */
  releasedAt: z.number(),
  createdAt: z.number(),
  watchMinutes: z.number().int(),
  baselineMinutes: z.number().int(),
  /** The first minute of the watch (the minute after releasedAt) and the end of it (epoch ms). */
  watchFrom: z.number(),
  watchUntil: z.number(),
  /** The latest judgement of the watch (verdict inconclusive and final false while it runs). */
  judgement: JudgementSchema,
});
export type Release = z.infer<typeof ReleaseSchema>;
