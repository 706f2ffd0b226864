-- Runs packed: one row per (region, bucket of probes, hour) holds the minute entries of every probe
-- of the bucket (src/storage/run-blocks.ts, src/storage/minute-entries.ts), and the full evidence
-- only of the runs that need it. A shard writes a row per bucket it touched per tick, instead of
-- three rows per run; closed hours are sealed into rollups_hourly by the tick.

CREATE TABLE run_blocks (
  region          TEXT    NOT NULL,
  bucket          INTEGER NOT NULL, -- bucketOf(probe id), 0-63
  hour_at         INTEGER NOT NULL, -- epoch ms, multiple of 3 600 000
  revision        INTEGER NOT NULL, -- bumped by every write; a writer replaces only the revision it read
  sealed_revision INTEGER NOT NULL, -- the revision whose hourly rollups are written
  probes          TEXT    NOT NULL, -- JSON array of probe ids, in block order
  versions        TEXT    NOT NULL, -- JSON array: each probe's newest version written
  steps           TEXT    NOT NULL, -- JSON array: each probe's {step name: failed runs}
  colo            TEXT    NOT NULL, -- where the newest write ran
  minutes         TEXT    NOT NULL, -- per probe, 60 entries of 7 characters, `.` for no run
  PRIMARY KEY (region, bucket, hour_at) -- a (region, bucket)'s hours are one range of the key
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

-- Daily rollups are built from the hourly ones once a day has settled (src/storage/day-rollup.ts).
ALTER TABLE rollups_daily ADD COLUMN built INTEGER NOT NULL DEFAULT 1;

-- The bucket of every probe with runs: run-blocks.ts bucketOf, FNV-1a of the id folded to 6 bits
-- (SQLite has no xor: a ^ b is (a | b) - (a & b)).
CREATE TABLE migration_buckets (probe_id TEXT NOT NULL PRIMARY KEY, bucket INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO migration_buckets
WITH RECURSIVE
  ids(probe_id) AS (SELECT DISTINCT probe_id FROM runs),
  h(probe_id, i, acc) AS (
    SELECT probe_id, 0, 2166136261 FROM ids
    UNION ALL SELECT probe_id, i + 1,
      (((acc | unicode(substr(probe_id, i + 1, 1))) - (acc & unicode(substr(probe_id, i + 1, 1)))) * 16777619) & 4294967295
    FROM h WHERE i < length(probe_id)
  ),
  folded(probe_id, f) AS (SELECT probe_id, (acc | (acc >> 16)) - (acc & (acc >> 16)) FROM h WHERE i = length(probe_id))
SELECT probe_id, ((f | (f >> 8)) - (f & (f >> 8))) & 63 FROM folded;

-- Each (probe, region, hour)'s block: its 60 entries, newest version and colo, failures per step.
CREATE TABLE migration_blocks (
  probe_id TEXT NOT NULL, region TEXT NOT NULL, hour_at INTEGER NOT NULL,
  minutes TEXT, version TEXT, colo TEXT, steps TEXT,
  PRIMARY KEY (probe_id, region, hour_at)
) WITHOUT ROWID;
INSERT INTO migration_blocks (probe_id, region, hour_at) SELECT DISTINCT probe_id, region, (slot_at / 3600000) * 3600000 FROM runs;
UPDATE migration_blocks AS b SET
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
        WHERE r.probe_id = b.probe_id AND r.region = b.region AND r.slot_at = b.hour_at + m.i * 60000
      ), '.......'),
      '' ORDER BY m.i)
    FROM m
  ),
  version = (SELECT r.probe_version FROM runs r WHERE r.probe_id = b.probe_id AND r.region = b.region
    AND r.slot_at >= b.hour_at AND r.slot_at < b.hour_at + 3600000 ORDER BY r.slot_at DESC LIMIT 1),
  colo = (SELECT r.colo FROM runs r WHERE r.probe_id = b.probe_id AND r.region = b.region
    AND r.slot_at >= b.hour_at AND r.slot_at < b.hour_at + 3600000 ORDER BY r.slot_at DESC LIMIT 1),
  steps = coalesce((SELECT json_group_object(step, n) FROM (SELECT r.failure_step AS step, count(*) AS n FROM runs r
    WHERE r.probe_id = b.probe_id AND r.region = b.region AND r.slot_at >= b.hour_at AND r.slot_at < b.hour_at + 3600000
      AND r.status = 'down' AND r.failure_step IS NOT NULL AND coalesce(json_extract(r.detail, '$.inMaintenance'), 0) = 0
    GROUP BY r.failure_step)), '{}');

-- The rows: probes of a bucket in id order. Their hourly rollups are in rollups_hourly already.
INSERT INTO run_blocks (region, hour_at, bucket, revision, sealed_revision, probes, versions, steps, colo, minutes)
SELECT b.region, b.hour_at, k.bucket, 1, 1,
  json_group_array(b.probe_id ORDER BY b.probe_id), json_group_array(b.version ORDER BY b.probe_id),
  json_group_array(json(b.steps) ORDER BY b.probe_id), max(b.colo), group_concat(b.minutes, '' ORDER BY b.probe_id)
FROM migration_blocks b JOIN migration_buckets k USING (probe_id)
GROUP BY b.region, b.hour_at, k.bucket;

-- Evidence of the runs that need it; passing runs live on as minute entries.
INSERT INTO run_evidence SELECT probe_id, region, slot_at, probe_version, colo, status, started_at, duration_ms, failure_class, failure_step, failure_message, detail
FROM runs WHERE status <> 'up' OR json_extract(detail, '$.confirmation') IS NOT NULL;

DROP TABLE migration_blocks;
DROP TABLE migration_buckets;
DROP TABLE runs;
