-- One row per (probe, region, hour) that is both the raw runs and the hourly rollup, and the full
-- evidence only for the runs that need it. A run costs one written row (was 3 plus a share of
-- state and retention): see src/storage/minute-entries.ts and src/storage/run-write.ts.

-- `minutes`: 60 fixed-width entries (outcome, duration, start delay), `.` for no run; NULL once
-- the hour is older than raw retention (the counts and the histogram stay: the hour rollup).
-- The counts and the latency histogram are bumped by the same UPSERT that splices a minute in,
-- and only when that minute was still empty, so a replay writes nothing.
CREATE TABLE run_hours (
  probe_id      TEXT    NOT NULL,
  region        TEXT    NOT NULL,
  hour_at       INTEGER NOT NULL, -- epoch ms, multiple of 3 600 000
  minutes       TEXT,             -- 420 characters, or NULL after raw retention
  probe_version TEXT    NOT NULL, -- of the newest run written
  colo          TEXT    NOT NULL, -- where the newest run written ran
  total         INTEGER NOT NULL,
  up            INTEGER NOT NULL,
  degraded      INTEGER NOT NULL,
  down          INTEGER NOT NULL,
  maintenance   INTEGER NOT NULL,
  latency       TEXT    NOT NULL, -- sparse JSON {bucket index: count} of up and degraded runs
  step_failures TEXT    NOT NULL, -- JSON {step name: failed runs}
  PRIMARY KEY (probe_id, region, hour_at)
) WITHOUT ROWID;

-- Runs that were down or degraded, or confirmed from another region: the whole redacted result.
CREATE TABLE run_evidence (
  probe_id        TEXT    NOT NULL,
  region          TEXT    NOT NULL,
  slot_at         INTEGER NOT NULL,
  probe_version   TEXT    NOT NULL,
  colo            TEXT    NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('up', 'degraded', 'down')),
  started_at      INTEGER NOT NULL,
  duration_ms     INTEGER NOT NULL,
  failure_class   TEXT,
  failure_step    TEXT,
  failure_message TEXT,
  detail          TEXT    NOT NULL,
  PRIMARY KEY (probe_id, region, slot_at)
) WITHOUT ROWID;

-- Daily rollups are now built from the hour rows once a day has settled (src/storage/day-rollup.ts).
-- `built` = 1 for a day built that way (or kept from before); a run stored days late adds itself
-- to its day directly and leaves a day not built yet at 0, so the builder redoes it from the hours.
ALTER TABLE rollups_daily ADD COLUMN built INTEGER NOT NULL DEFAULT 1;

-- Every hourly rollup becomes an hour row (counts and histogram as they are) ...
INSERT INTO run_hours (probe_id, region, hour_at, minutes, probe_version, colo, total, up, degraded, down, maintenance, latency, step_failures)
SELECT probe_id, region, hour_at, NULL, '', '', total, up, degraded, down, maintenance, latency, step_failures FROM rollups_hourly;

-- ... an hour that has a run with no rollup (none should) gets an empty one ...
INSERT INTO run_hours (probe_id, region, hour_at, minutes, probe_version, colo, total, up, degraded, down, maintenance, latency, step_failures)
SELECT DISTINCT probe_id, region, (slot_at / 3600000) * 3600000, NULL, '', '', 0, 0, 0, 0, 0, '{}', '{}' FROM runs WHERE true
ON CONFLICT (probe_id, region, hour_at) DO NOTHING;

-- ... and the raw runs still kept become its minute entries (the encoding of minute-entries.ts).
UPDATE run_hours SET
  minutes = (
    WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < 59)
    SELECT group_concat(
      coalesce((
        SELECT
          (CASE WHEN json_extract(r.detail, '$.inMaintenance') THEN upper(
            CASE WHEN r.status = 'up' THEN 'u' WHEN r.status = 'degraded' THEN 'd' WHEN r.failure_class = 'probe' THEN 'p' ELSE 'x' END)
          ELSE CASE WHEN r.status = 'up' THEN 'u' WHEN r.status = 'degraded' THEN 'd' WHEN r.failure_class = 'probe' THEN 'p' ELSE 'x' END END)
          || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_', ((min(max(CAST(r.duration_ms AS INTEGER), 0), 262143) / 4096) % 64) + 1, 1)
          || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_', ((min(max(CAST(r.duration_ms AS INTEGER), 0), 262143) / 64) % 64) + 1, 1)
          || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_', (min(max(CAST(r.duration_ms AS INTEGER), 0), 262143) % 64) + 1, 1)
          || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_', ((min(max(CAST(round(r.started_at - r.slot_at) AS INTEGER), 0), 262143) / 4096) % 64) + 1, 1)
          || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_', ((min(max(CAST(round(r.started_at - r.slot_at) AS INTEGER), 0), 262143) / 64) % 64) + 1, 1)
          || substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_', (min(max(CAST(round(r.started_at - r.slot_at) AS INTEGER), 0), 262143) % 64) + 1, 1)
        FROM runs r
        WHERE r.probe_id = run_hours.probe_id AND r.region = run_hours.region AND r.slot_at = run_hours.hour_at + m.i * 60000
      ), '.......'),
      '' ORDER BY m.i)
    FROM m
  ),
  probe_version = coalesce((SELECT r.probe_version FROM runs r WHERE r.probe_id = run_hours.probe_id AND r.region = run_hours.region
    AND r.slot_at >= run_hours.hour_at AND r.slot_at < run_hours.hour_at + 3600000 ORDER BY r.slot_at DESC LIMIT 1), ''),
  colo = coalesce((SELECT r.colo FROM runs r WHERE r.probe_id = run_hours.probe_id AND r.region = run_hours.region
    AND r.slot_at >= run_hours.hour_at AND r.slot_at < run_hours.hour_at + 3600000 ORDER BY r.slot_at DESC LIMIT 1), '')
WHERE EXISTS (SELECT 1 FROM runs r WHERE r.probe_id = run_hours.probe_id AND r.region = run_hours.region
  AND r.slot_at >= run_hours.hour_at AND r.slot_at < run_hours.hour_at + 3600000);

-- Evidence of the runs that need it; passing runs live on as minute entries.
INSERT INTO run_evidence SELECT probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms, failure_class, failure_step, failure_message, detail
FROM runs WHERE status <> 'up' OR json_extract(detail, '$.confirmation') IS NOT NULL;

DROP TABLE runs;
DROP TABLE rollups_hourly;
