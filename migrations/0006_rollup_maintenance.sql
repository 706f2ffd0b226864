-- Runs made during a maintenance window that is excluded from SLOs: counted in `total` (so the
-- slot is not "no data") but neither good nor bad, and without a latency sample.
ALTER TABLE rollups_hourly ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_daily ADD COLUMN maintenance INTEGER NOT NULL DEFAULT 0;
