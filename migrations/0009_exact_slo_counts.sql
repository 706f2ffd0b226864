-- Exact SLO counts (src/slo/ledger.ts):
-- * `monitoring`: runs that failed on the monitoring side (failure class `probe`, letter `p` in the
--   minute entries). They are part of `down` and `total`, and SLIs count them as no data.
-- * `latency_under_ms` / `latency_good`: the latency threshold of the probe's `slo.latency` when
--   the hour was sealed, and how many up or degraded runs took at most that long, counted from
--   the exact durations of the minute entries. NULL where no threshold applied (no latency
--   objective, an hour sealed before this migration, or a day whose hours used several
--   thresholds): readers then fall back to the histogram and say so.
ALTER TABLE rollups_hourly ADD COLUMN monitoring INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_hourly ADD COLUMN latency_under_ms INTEGER;
ALTER TABLE rollups_hourly ADD COLUMN latency_good INTEGER;
ALTER TABLE rollups_daily ADD COLUMN monitoring INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_daily ADD COLUMN latency_under_ms INTEGER;
ALTER TABLE rollups_daily ADD COLUMN latency_good INTEGER;

-- The first stored run of each (probe, region): expected runs count from the later of a window's
-- start and this, so a probe added an hour ago is not charged for the month before it existed.
-- Written with every save (only when a run is earlier than the one known, so almost never).
CREATE TABLE probe_first_runs (
  probe_id      TEXT    NOT NULL,
  region        TEXT    NOT NULL,
  first_slot_at INTEGER NOT NULL, -- epoch ms of the run's slot
  PRIMARY KEY (probe_id, region)
) WITHOUT ROWID;

-- From the history already stored: the earliest hour (hourly rollup or block), unless a daily
-- rollup is older than that hour's day (hourly rows are pruned sooner), then that day's start.
INSERT INTO probe_first_runs (probe_id, region, first_slot_at)
SELECT probe_id, region, CASE WHEN h IS NOT NULL AND (d IS NULL OR d >= h - h % 86400000) THEN h ELSE d END FROM (
  SELECT probe_id, region, min(d) AS d, min(h) AS h FROM (
    SELECT probe_id, region, min(day_at) AS d, NULL AS h FROM rollups_daily GROUP BY probe_id, region
    UNION ALL SELECT probe_id, region, NULL, min(hour_at) FROM rollups_hourly GROUP BY probe_id, region
    UNION ALL SELECT p.value, b.region, NULL, min(b.hour_at) FROM run_blocks b, json_each(b.probes) p GROUP BY p.value, b.region
  ) GROUP BY probe_id, region
);

-- Hours sealed before this migration have no monitoring-side or exact latency counts. Every block
-- still kept (raw retention) is marked changed since its seal, so the tick's seal stage seals it
-- again, oldest first and a bounded number a tick, writing those counts from its minute entries
-- (and rebuilding its days). Until then readers take those hours as sealed, histograms and all,
-- and say so (`estimated`). Blocks never sealed are left as they are: readers add them already.
UPDATE run_blocks SET revision = revision + 1 WHERE sealed_revision > 0 AND sealed_revision = revision;
