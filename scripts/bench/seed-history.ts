/**
 * Shared by the benchmarks that read a realistic history (api.ts, page.ts): D days of hourly
 * rollups (rollups_hourly, the closed hours) and daily rollups per (probe, region), and the raw
 * runs of the last minutes as minute entries in their run_blocks rows (down runs also as
 * run_evidence rows), written straight into the local D1's SQLite file before any workerd opens
 * it. The blocks of closed hours are marked sealed (their hours have rollups); those of the
 * current hour are not, so readers sum them from their entries, as after a real tick. The
 * rollups' counts are drawn on their own and do not follow the few seeded minute entries: the
 * benchmarks read them, nothing checks one against the other. 100 x 5 x 90 x 24 is over a million
 * hourly rows: with node:sqlite that takes seconds, where `wrangler d1 execute --file` or D1
 * batches would take minutes. The rows are the same either way.
 */
import { seededRandom } from "./prng.ts";
import { DatabaseSync } from "node:sqlite";
import { bucketIndex, BUCKET_COUNT, emptyHistogram, encodeHistogram } from "../../src/slo/latency-histogram.ts";
import { EMPTY_HOUR, encodeEntry, ENTRY_CHARS, minuteOfHour } from "../../src/storage/minute-entries.ts";
import { bucketOf } from "../../src/storage/run-blocks.ts";
import type { LoadedProbe } from "../../src/probe/registry.ts";
import { fixed, int } from "./measure.ts";
import {
  applyMigrations,
  BENCH_REGIONS,
  d1File,
  loadProjectProbes,
  makeGeneratedProject,
  probeModuleSource,
  type TempRun,
} from "./temp-project.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The one step of the probes the history is seeded for. */
export const HISTORY_STEP = "health";
export const HISTORY_SLO = { availability: 0.999, latency: { percent: 0.95, underMs: 512 }, window: "30d" } as const;

/**
 * The source of a probe the history fits: schedule 1m in BENCH_REGIONS, degraded after 1 s,
 * HISTORY_SLO, one step GET {{env:SHOP_URL}}/health expecting 200.
 */
export function historyProbeSource(fields: { id: string; name: string; description?: string; group: string }): string {
  return probeModuleSource({
    id: fields.id,
    name: fields.name,
    ...(fields.description === undefined ? {} : { description: fields.description }),
    group: fields.group,
    schedule: "1m",
    regions: BENCH_REGIONS,
    degradedAfterMs: 1000,
    slo: HISTORY_SLO,
    steps: [{ name: HISTORY_STEP, method: "GET", url: "{{env:SHOP_URL}}/health", expectStatus: 200 }],
  });
}

/** Down runs (outside maintenance) among one probe's minute entries of an hour. */
function downsIn(minutes: string): number {
  let downs = 0;
  for (let at = 0; at < minutes.length; at += ENTRY_CHARS) if (minutes[at] === "x") downs++;
  return downs;
}

interface HistoryOptions {
  probeIds: readonly string[];
  /** BENCH_REGIONS unless given. */
  regions?: readonly string[];
  /** The one step of every probe (HISTORY_STEP unless given): the key of the step_failures counts and of the raw runs' failures. */
  step?: string;
  days: number;
  /** The rollups cover the hours before this minute (the current hour up to it). */
  nowSlot: number;
  seed: number;
  /** One probe in ten (the 4th, the 14th, ...) has a day without any data. */
  gapDays?: boolean;
  raw: {
    /** How many minutes of raw runs, one a minute, ending with the minute `lastSlot`. */
    minutes: number;
    lastSlot: number;
    downChance: number;
    /** The detail column of a raw run. */
    detail: (isDown: boolean, ms: number) => string;
  };
}

interface SeedFigures {
  hourly: number;
  /** run_blocks rows holding the raw runs. */
  blocks: number;
  daily: number;
  raw: number;
  runsInRollups: number;
  downs: number;
  degraded: number;
  avgLatencyJsonBytes: number;
  ms: number;
}

/**
 * Per hour: 60 expected runs (fewer in the current hour); about 1 hour in 500 misses a run (no
 * data); about 2% of hours have one down run, 0.2% an incident of 2-10; 0.5% one degraded run
 * (1.0-2.5 s). Up runs take base x exp(0.25 N(0,1)) ms, base 100-250 ms per (probe, region),
 * i.e. mostly 70-400 ms. The daily rows are the sums of that day's hourly rows. The
 * step_failures column is written when the table has it (migrations/0004).
 */
export function seedHistory(file: string, o: HistoryOptions): SeedFigures {
  const t0 = performance.now();
  const random = seededRandom(o.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const firstDay = Math.floor(o.nowSlot / DAY_MS) * DAY_MS - (o.days - 1) * DAY_MS;
  const lastHour = Math.floor(o.nowSlot / HOUR_MS) * HOUR_MS;
  const step = o.step ?? HISTORY_STEP;
  const regions = o.regions ?? BENCH_REGIONS;
  const failures = (down: number) => (down > 0 ? JSON.stringify({ [step]: down }) : "{}");

  const db = new DatabaseSync(file);
  try {
    const insertHourly = db.prepare(
      `INSERT INTO rollups_hourly (probe_id, region, hour_at, total, up, degraded, down, maintenance, latency, step_failures) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
    );
    const insertDaily = db.prepare(
      `INSERT INTO rollups_daily (probe_id, region, day_at, total, up, degraded, down, latency, step_failures) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // A closed hour's block is sealed (its hour has a rollup row); the current hour's is not.
    const insertBlock = db.prepare(
      `INSERT INTO run_blocks (region, bucket, hour_at, revision, sealed_revision, probes, versions, steps, colo, minutes) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
    );
    const blocks = new Map<
      string,
      {
        region: string;
        bucket: number;
        hourAt: number;
        probes: string[];
        steps: Record<string, number>[];
        minutes: string[];
      }
    >();
    const insertEvidence =
      db.prepare(`INSERT INTO run_evidence (probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms,
      failure_class, failure_step, failure_message, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const figures: SeedFigures = {
      hourly: 0,
      blocks: 0,
      daily: 0,
      raw: 0,
      runsInRollups: 0,
      downs: 0,
      degraded: 0,
      avgLatencyJsonBytes: 0,
      ms: 0,
    };
    let latencyJsonBytes = 0;

    db.exec("BEGIN");
    o.probeIds.forEach((id, p) => {
      const gapDay = o.gapDays && p % 10 === 3 ? firstDay + Math.floor(random() * (o.days - 2)) * DAY_MS : -1;
      for (const region of regions) {
        const base = 100 + 150 * random();
        const sample = () => Math.max(20, base * Math.exp(0.25 * normal()));
        for (let day = firstDay; day <= lastHour; day += DAY_MS) {
          if (day === gapDay) continue;
          const dayHistogram = emptyHistogram();
          const dayCounts = { total: 0, up: 0, degraded: 0, down: 0 };
          for (let hour = day; hour < day + DAY_MS && hour < lastHour; hour += HOUR_MS) {
            const expected = 60;
            const total = expected - (random() < 0.002 ? 1 : 0);
            const r = random();
            const down = Math.min(total, r < 0.002 ? 2 + Math.floor(random() * 9) : r < 0.022 ? 1 : 0);
            const degraded = down < total && random() < 0.005 ? 1 : 0;
            const up = total - down - degraded;
            const histogram = emptyHistogram();
            for (let k = 0; k < up; k++) histogram[bucketIndex(sample())]! += 1;
            for (let k = 0; k < degraded; k++) histogram[bucketIndex(1000 + 1500 * random())]! += 1;
            const latency = encodeHistogram(histogram);
            latencyJsonBytes += latency.length;
            insertHourly.run(id, region, hour, total, up, degraded, down, latency, failures(down));
            figures.hourly++;
            figures.runsInRollups += total;
            figures.downs += down;
            figures.degraded += degraded;
            for (let b = 0; b < BUCKET_COUNT; b++) dayHistogram[b]! += histogram[b]!;
            dayCounts.total += total;
            dayCounts.up += up;
            dayCounts.degraded += degraded;
            dayCounts.down += down;
          }
          if (dayCounts.total === 0) continue;
          insertDaily.run(
            id,
            region,
            day,
            dayCounts.total,
            dayCounts.up,
            dayCounts.degraded,
            dayCounts.down,
            encodeHistogram(dayHistogram),
            failures(dayCounts.down),
          );
          figures.daily++;
        }
        const hours = new Map<number, string>();
        for (let m = o.raw.minutes - 1; m >= 0; m--) {
          const slot = o.raw.lastSlot - m * MINUTE_MS;
          const isDown = random() < o.raw.downChance;
          const ms = Math.round(isDown ? 10_000 : sample());
          const hourAt = Math.floor(slot / HOUR_MS) * HOUR_MS;
          const at = minuteOfHour(slot) * ENTRY_CHARS;
          const minutes = hours.get(hourAt) ?? EMPTY_HOUR;
          const entry = encodeEntry({
            status: isDown ? "down" : "up",
            failureClass: isDown ? "timeout" : undefined,
            durationMs: ms,
            slotAt: slot,
            startedAt: slot + 150,
          });
          hours.set(hourAt, minutes.slice(0, at) + entry + minutes.slice(at + ENTRY_CHARS));
          if (isDown)
            insertEvidence.run(
              id,
              region,
              slot,
              "seed",
              region,
              "down",
              slot + 150,
              ms,
              "timeout",
              step,
              "step timed out after 10000 ms",
              o.raw.detail(isDown, ms),
            );
          figures.raw++;
        }
        for (const [hourAt, minutes] of hours) {
          const key = `${region}|${bucketOf(id)}|${hourAt}`;
          const block = blocks.get(key) ?? { region, bucket: bucketOf(id), hourAt, probes: [], steps: [], minutes: [] };
          blocks.set(key, block);
          block.probes.push(id);
          block.steps.push(downsIn(minutes) > 0 ? { [step]: downsIn(minutes) } : {});
          block.minutes.push(minutes);
        }
      }
    });
    for (const b of blocks.values()) {
      insertBlock.run(
        b.region,
        b.bucket,
        b.hourAt,
        b.hourAt < lastHour ? 1 : 0,
        JSON.stringify(b.probes),
        JSON.stringify(b.probes.map(() => "seed")),
        JSON.stringify(b.steps),
        b.region,
        b.minutes.join(""),
      );
      figures.blocks++;
    }
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    figures.avgLatencyJsonBytes = latencyJsonBytes / Math.max(1, figures.hourly);
    figures.ms = performance.now() - t0;
    return figures;
  } finally {
    db.close();
  }
}

/**
 * The run's project with `count` generated probes, its local D1 migrated, then seeded by `seed`
 * up to the current minute (returned as nowSlot); each step reported through `progress`.
 */
export async function prepareSeededProject(
  run: TempRun,
  progress: (text: string) => void,
  generated: { count: number; probeId: (i: number) => string; probeSource: (i: number) => string },
  seedWhat: string,
  seed: (file: string, probeIds: readonly string[], nowSlot: number) => SeedFigures,
): Promise<{ probes: LoadedProbe[]; nowSlot: number; seed: SeedFigures }> {
  progress(`copying the project and writing ${generated.count} probes to ${run.root}`);
  makeGeneratedProject(run.root, generated.count, generated.probeId, generated.probeSource);
  const probes = await loadProjectProbes(run.root);

  progress("applying the D1 migrations to the temporary local database");
  await applyMigrations(run.root, run.persistTo);

  const nowSlot = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  progress(`seeding ${seedWhat}`);
  const figures = seed(
    d1File(run.persistTo),
    probes.map((p) => p.probe.id),
    nowSlot,
  );
  progress(
    `  ${int(figures.hourly)} hourly + ${int(figures.daily)} daily rollups, ${int(figures.raw)} raw runs in ${fixed(figures.ms / 1000, 1)} s`,
  );
  return { probes, nowSlot, seed: figures };
}
