-- One row per probe run, keyed by its natural key (probe, region, scheduled minute).
-- WITHOUT ROWID + the natural PRIMARY KEY means one written row per insert, and a replayed
-- tick hits the key and is ignored (INSERT ... ON CONFLICT DO NOTHING).
CREATE TABLE runs (
  probe_id        TEXT    NOT NULL,
  region          TEXT    NOT NULL,
  slot_at         INTEGER NOT NULL, -- scheduled minute, epoch ms (multiple of 60000)
  probe_version   TEXT    NOT NULL, -- hash of the probe definition that ran
  colo            TEXT    NOT NULL, -- where it really ran (region label locally)
  status          TEXT    NOT NULL CHECK (status IN ('up', 'degraded', 'down')),
  started_at      INTEGER NOT NULL, -- epoch ms
  duration_ms     INTEGER NOT NULL,
  failure_class   TEXT,
  failure_step    TEXT,
  failure_message TEXT,
  detail          TEXT    NOT NULL, -- JSON: step results and redacted evidence
  PRIMARY KEY (probe_id, region, slot_at)
) WITHOUT ROWID;
