/**
 * Migration 0008 on a real local D1: a database written by the earlier schema (a row per run in
 * `runs`, hourly and daily rollups) keeps every stored run, its counts and its evidence once the
 * runs become minute entries in hour rows.
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunResult, RunStatus } from "../../../src/probe/result.ts";
import { emptyHistogram, record } from "../../../src/slo/latency-histogram.ts";
import { D1RunStore } from "../../../src/storage/d1-run-store.ts";
import { DAY_MS, HOUR_MS } from "../../../src/time.ts";

const db = env.MIGRATION_DB;
const BEFORE = env.TEST_MIGRATIONS.filter((m) => m.name < "0008");
const HOUR = Date.UTC(2026, 10, 30, 10);
const OLD_HOUR = HOUR - 20 * DAY_MS; // past raw retention: only its rollups were still kept

interface OldRun {
  probeId: string;
  region: string;
  slotAt: number;
  status: RunStatus;
  durationMs: number;
  startedAt: number;
  failureClass: string | null;
  inMaintenance: boolean;
  confirmation: boolean;
}

/** Runs of every kind: statuses, monitoring-side failures, maintenance, confirmations, long and late ones. */
function oldRuns(): OldRun[] {
  const out: OldRun[] = [];
  for (const [p, probeId] of ["m-alpha", "m-beta"].entries()) {
    for (const region of ["weur", "apac"]) {
      for (let minute = 0; minute < 120; minute += p + 1) {
        const slotAt = HOUR + minute * 60_000;
        const k = (minute * 7 + p * 3 + region.length) % 13;
        const status: RunStatus = k === 0 ? "down" : k === 1 ? "degraded" : k === 2 ? "down" : "up";
        out.push({
          probeId,
          region,
          slotAt,
          status,
          durationMs: k === 3 ? 300_000 : 20 + ((minute * 37) % 900),
          startedAt: slotAt + ((minute * 131) % 5000),
          failureClass: status !== "down" ? null : k === 2 ? "probe" : "status",
          inMaintenance: minute >= 100 && minute < 105,
          confirmation: status === "down" && minute % 2 === 0,
        });
      }
    }
  }
  return out;
}

async function writeOldSchema(runs: readonly OldRun[]): Promise<void> {
  const hourly = new Map<
    string,
    {
      total: number;
      up: number;
      degraded: number;
      down: number;
      maintenance: number;
      latency: number[];
      steps: Record<string, number>;
    }
  >();
  const statements = runs.map((r) => {
    const key = `${r.probeId}|${r.region}|${Math.floor(r.slotAt / HOUR_MS) * HOUR_MS}`;
    const h = hourly.get(key) ?? {
      total: 0,
      up: 0,
      degraded: 0,
      down: 0,
      maintenance: 0,
      latency: emptyHistogram(),
      steps: {},
    };
    h.total++;
    if (r.inMaintenance) h.maintenance++;
    else {
      h[r.status]++;
      if (r.status !== "down") h.latency = record(h.latency, r.durationMs);
      else h.steps.home = (h.steps.home ?? 0) + 1;
    }
    hourly.set(key, h);
    const detail = {
      steps: [],
      ...(r.status === "down" ? { failure: { class: r.failureClass, step: "home", message: "HTTP 500" } } : {}),
      ...(r.confirmation ? { confirmation: { region: "enam", status: "down" } } : {}),
      ...(r.inMaintenance ? { inMaintenance: true } : {}),
    };
    return db
      .prepare("INSERT INTO runs VALUES (?, ?, ?, 'v1', ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(
        r.probeId,
        r.region,
        r.slotAt,
        `${r.region.toUpperCase()}1`,
        r.status,
        r.startedAt,
        r.durationMs,
        r.status === "down" ? r.failureClass : null,
        r.status === "down" ? "home" : null,
        r.status === "down" ? "HTTP 500" : null,
        JSON.stringify(detail),
      );
  });
  hourly.set(`m-alpha|weur|${OLD_HOUR}`, {
    total: 60,
    up: 59,
    degraded: 0,
    down: 1,
    maintenance: 0,
    latency: record(emptyHistogram(), 120),
    steps: { home: 1 },
  });
  const sparse = (h: number[]) => JSON.stringify(Object.fromEntries(h.flatMap((n, i) => (n ? [[String(i), n]] : []))));
  for (const [key, h] of hourly) {
    const [probeId, region, hourAt] = key.split("|");
    statements.push(
      db
        .prepare(
          "INSERT INTO rollups_hourly (probe_id, region, hour_at, total, up, degraded, down, latency, step_failures, maintenance) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(
          probeId,
          region,
          Number(hourAt),
          h.total,
          h.up,
          h.degraded,
          h.down,
          sparse(h.latency),
          JSON.stringify(h.steps),
          h.maintenance,
        ),
    );
  }
  statements.push(
    db
      .prepare(
        "INSERT INTO rollups_daily (probe_id, region, day_at, total, up, degraded, down, latency, step_failures, maintenance) VALUES ('m-alpha', 'weur', ?, 1440, 1439, 0, 1, '{}', '{}', 0)",
      )
      .bind(OLD_HOUR - (OLD_HOUR % DAY_MS)),
  );
  for (let i = 0; i < statements.length; i += 100) await db.batch(statements.slice(i, i + 100));
}

describe("migration 0008 (runs as minute entries)", () => {
  const runs = oldRuns();
  let hourlyBefore: unknown[] = [];

  beforeAll(async () => {
    await applyD1Migrations(db, BEFORE);
    await writeOldSchema(runs);
    hourlyBefore = (
      await db
        .prepare(
          "SELECT probe_id, region, hour_at, total, up, degraded, down, maintenance, latency, step_failures FROM rollups_hourly ORDER BY probe_id, region, hour_at",
        )
        .all()
    ).results;
    await applyD1Migrations(db, env.TEST_MIGRATIONS);
  });

  it("keeps every hour's counts, histogram and step failures, old hours included", async () => {
    // Read back through the store: sealed blocks' hours come from rollups_hourly, so compare them
    // with the hours recomputed from the blocks' minute entries too.
    const store = new D1RunStore(db, () => HOUR + 3 * HOUR_MS);
    const read = await store.rollups(
      ["m-alpha", "m-beta"].map((probeId) => ({
        probeId,
        regions: ["weur", "apac"],
        grain: "hour" as const,
        from: 0,
        to: Number.MAX_SAFE_INTEGER,
      })),
    );
    const sparse = (h: number[]) => Object.fromEntries(h.flatMap((n, i) => (n ? [[String(i), n]] : [])));
    const asRows = read.value
      .map((r) => ({
        probe_id: r.probeId,
        region: r.region,
        hour_at: r.bucketAt,
        total: r.total,
        up: r.up,
        degraded: r.degraded,
        down: r.down,
        maintenance: r.maintenance,
        latency: sparse(r.latency),
        step_failures: JSON.stringify(r.stepFailures),
      }))
      .sort((a, b) => (`${a.probe_id}|${a.region}|${a.hour_at}` < `${b.probe_id}|${b.region}|${b.hour_at}` ? -1 : 1));
    expect(asRows).toEqual(
      hourlyBefore.map((row) => ({
        ...(row as object),
        latency: JSON.parse(String((row as { latency: string }).latency)),
      })),
    );
    const blocks = (
      await db
        .prepare("SELECT region, hour_at, bucket, revision, sealed_revision FROM run_blocks")
        .all<{ hour_at: number; revision: number; sealed_revision: number }>()
    ).results;
    expect(blocks.some((b) => b.hour_at === OLD_HOUR)).toBe(false); // past raw retention: its rollup only
    // Sealed by 0008, then marked by 0009 to be sealed again with its monitoring-side and exact latency counts.
    expect(blocks.every((b) => b.revision === 2 && b.sealed_revision === 1)).toBe(true);
    expect((await db.prepare("SELECT total FROM rollups_daily").first<{ total: number }>())?.total).toBe(1440);
  });

  it("keeps every stored run: status, duration, start and failure, read through the store", async () => {
    const store = new D1RunStore(db, () => HOUR + 3 * HOUR_MS);
    for (const r of runs) {
      const run = (await store.getRun(`${r.probeId}.${r.region}.${r.slotAt}`)) as RunResult;
      expect(run, `${r.probeId}.${r.region}.${r.slotAt}`).not.toBeNull();
      expect([run.status, run.durationMs, run.startedAt, run.inMaintenance ?? false]).toEqual([
        r.status,
        Math.min(r.durationMs, 262_143),
        r.startedAt,
        r.inMaintenance,
      ]);
      expect(run.failure?.class ?? null).toBe(r.status === "down" ? r.failureClass : null);
      expect(run.confirmation !== undefined).toBe(r.confirmation);
    }
    const listed = await store.listRuns({ pairs: [{ probeId: "m-alpha", region: "weur" }], limit: 200 });
    expect(listed.runs.map((r) => r.slotAt)).toEqual(
      runs
        .filter((r) => r.probeId === "m-alpha" && r.region === "weur")
        .map((r) => r.slotAt)
        .reverse(),
    );
  });

  it("keeps the whole result only of runs that need it, and drops the old tables", async () => {
    const evidence = (await db.prepare("SELECT count(*) AS n FROM run_evidence").first<{ n: number }>())?.n;
    expect(evidence).toBe(runs.filter((r) => r.status !== "up" || r.confirmation).length);
    const tables = (
      await db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'migration_blocks', 'migration_buckets')",
        )
        .all()
    ).results;
    expect(tables).toEqual([]);
  });

  it("migration 0009 records each pair's first run at the hour of its earliest stored run, rollups past raw retention included", async () => {
    const want = new Map<string, number>([["m-alpha|weur", OLD_HOUR]]);
    for (const r of runs) {
      const key = `${r.probeId}|${r.region}`;
      want.set(key, Math.min(want.get(key) ?? Infinity, Math.floor(r.slotAt / HOUR_MS) * HOUR_MS));
    }
    const { results } = await db
      .prepare("SELECT probe_id, region, first_slot_at FROM probe_first_runs")
      .all<{ probe_id: string; region: string; first_slot_at: number }>();
    expect(new Map(results.map((r) => [`${r.probe_id}|${r.region}`, r.first_slot_at]))).toEqual(want);
    // Rollups written before it have no exact latency counts: readers fall back to the histogram and say so.
    const hour = await db
      .prepare(
        "SELECT count(*) AS n, count(latency_under_ms) AS exact, sum(monitoring) AS monitoring FROM rollups_hourly",
      )
      .first<{ n: number; exact: number; monitoring: number }>();
    expect(hour!.n).toBeGreaterThan(0);
    expect([hour!.exact, hour!.monitoring]).toEqual([0, 0]);
    // The seal stage's next pass writes them from the minute entries, with the probes' thresholds.
    const store = new D1RunStore(db, () => HOUR + 3 * HOUR_MS, { latencyThresholdOf: () => 250 });
    const { sealed } = await store.sealHours(["weur", "apac"], 1000, 0);
    expect(sealed).toBeGreaterThan(0);
    const resealed = await db
      .prepare("SELECT count(*) AS n, count(latency_under_ms) AS exact FROM rollups_hourly WHERE hour_at > ?")
      .bind(OLD_HOUR)
      .first<{ n: number; exact: number }>();
    expect(resealed!.exact).toBe(resealed!.n);
  });
});
