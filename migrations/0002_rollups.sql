-- Rollups per (probe, region, hour) and per (probe, region, day): counts and a latency
-- histogram (sparse JSON object {bucket index: count} over the fixed logarithmic buckets of
-- src/slo/latency-histogram.ts),
-- so SLIs, percentiles and "share under T ms" over any window are read from rollups alone.
-- They are updated in the same D1 batch as the run insert, and only when that insert added a
-- row, so a replayed tick changes nothing. "No data" is not stored: it is the expected slots
-- minus `total`, computed when read.
CREATE TABLE rollups_hourly (
  probe_id TEXT    NOT NULL,
  region   TEXT    NOT NULL,
  hour_at  INTEGER NOT NULL, -- epoch ms, multiple of 3 600 000
  total    INTEGER NOT NULL,
  up       INTEGER NOT NULL,
  degraded INTEGER NOT NULL,
  down     INTEGER NOT NULL,
  latency  TEXT    NOT NULL, -- durations of up and degraded runs
  PRIMARY KEY (probe_id, region, hour_at)
) WITHOUT ROWID;

CREATE TABLE rollups_daily (
  probe_id TEXT    NOT NULL,
  region   TEXT    NOT NULL,
  day_at   INTEGER NOT NULL, -- epoch ms of 00:00 UTC
  total    INTEGER NOT NULL,
  up       INTEGER NOT NULL,
  degraded INTEGER NOT NULL,
  down     INTEGER NOT NULL,
  latency  TEXT    NOT NULL,
  PRIMARY KEY (probe_id, region, day_at)
) WITHOUT ROWID;
