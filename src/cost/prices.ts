/**
 * Cloudflare's public prices and limits per plan, as the cost planner uses them (checked against
 * the Workers, D1 and Durable Objects pricing pages; update here when they change). Paid: $5 a
 * month with 10M Worker requests, 1M Durable Object requests, 400,000 GB-s of DO duration,
 * 25B D1 rows read, 50M rows written and 5 GB of storage included; beyond that $0.30 per million
 * requests, $0.15 per million DO requests, $12.50 per million GB-s, $0.001 per million rows read,
 * $1 per million rows written and $0.75 per GB-month. Free has hard daily caps instead of bills.
 * Browser Rendering (Workers binding), from its pricing and limits pages: Paid includes 10
 * browser hours a month, then $0.09 an hour, and 10 concurrent browsers (the monthly average of
 * each day's peak), then $2.00 a browser; at most 30 at once and 30 new a minute. Free: 10
 * minutes a day, 3 at once, 3 new a minute, nothing billed.
 */
import { FREE_LIMITS, PAID_LIMITS, type InvocationLimits } from "../schedule/shard-plan.ts";

export type PlanName = "free" | "paid";

interface PlanTerms {
  name: PlanName;
  limits: InvocationLimits;
  baseUsd: number;
  included: {
    workerRequests: number;
    doRequests: number;
    doGbSeconds: number;
    rowsWritten: number;
    rowsRead: number;
    storageGb: number;
  };
  /** Hard daily caps on Free (no overage billing there). */
  perDay?: { workerRequests: number; doRequests: number; rowsWritten: number; rowsRead: number };
  /** Most one D1 database may hold. */
  storageCapGb: number;
  browsers: {
    /** Browser hours included a month (Free: 10 minutes a day, a hard cap). */
    includedHours: number;
    /** Concurrent browsers included (the monthly average of each day's peak). */
    includedConcurrent: number;
    /** Most browsers open at once, and newly launched in a minute, per account. */
    maxConcurrent: number;
    maxNewPerMinute: number;
    usdPerHour: number;
    usdPerConcurrent: number;
  };
  overageUsd: {
    perMillionRequests: number;
    perMillionDoRequests: number;
    perMillionGbSeconds: number;
    perMillionRowsWritten: number;
    perMillionRowsRead: number;
    perGbMonth: number;
  };
}

export const PLANS: Record<PlanName, PlanTerms> = {
  free: {
    name: "free",
    limits: FREE_LIMITS,
    baseUsd: 0,
    included: {
      workerRequests: 3_000_000,
      doRequests: 3_000_000,
      doGbSeconds: 13_000 * 30,
      rowsWritten: 3_000_000,
      rowsRead: 150_000_000,
      storageGb: 5,
    },
    perDay: { workerRequests: 100_000, doRequests: 100_000, rowsWritten: 100_000, rowsRead: 5_000_000 },
    storageCapGb: 0.5,
    browsers: {
      includedHours: (10 / 60) * 30,
      includedConcurrent: 3,
      maxConcurrent: 3,
      maxNewPerMinute: 3,
      usdPerHour: 0,
      usdPerConcurrent: 0,
    },
    overageUsd: {
      perMillionRequests: 0,
      perMillionDoRequests: 0,
      perMillionGbSeconds: 0,
      perMillionRowsWritten: 0,
      perMillionRowsRead: 0,
      perGbMonth: 0,
    },
  },
  paid: {
    name: "paid",
    limits: PAID_LIMITS,
    baseUsd: 5,
    included: {
      workerRequests: 10_000_000,
      doRequests: 1_000_000,
      doGbSeconds: 400_000,
      rowsWritten: 50_000_000,
      rowsRead: 25_000_000_000,
      storageGb: 5,
    },
    storageCapGb: 10,
    browsers: {
      includedHours: 10,
      includedConcurrent: 10,
      maxConcurrent: 30,
      maxNewPerMinute: 30,
      usdPerHour: 0.09,
      usdPerConcurrent: 2,
    },
    overageUsd: {
      perMillionRequests: 0.3,
      perMillionDoRequests: 0.15,
      perMillionGbSeconds: 12.5,
      perMillionRowsWritten: 1,
      perMillionRowsRead: 0.001,
      perGbMonth: 0.75,
    },
  },
};
