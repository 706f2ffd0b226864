-- Heartbeats (push monitors): one row per heartbeat probe, created when its secret is.
-- The secret is stored only as its SHA-256 (hex). The ping columns are written by /hb/{id}; the
-- tick's heartbeat stage writes judged_through alone, so a ping and a tick never overwrite each
-- other's columns. No ping body is ever stored.
CREATE TABLE heartbeats (
  probe_id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  secret_set_at INTEGER NOT NULL,
  -- The newest ping of each kind (epoch ms, the Worker's clock); NULL until there is one.
  last_success_at INTEGER,
  last_start_at INTEGER,
  last_fail_at INTEGER,
  -- Pings and deadlines before this instant (epoch ms) have been judged by a tick.
  judged_through INTEGER
) WITHOUT ROWID;
