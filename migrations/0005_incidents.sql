-- Incidents, their updates, per-probe alert state, the notification outbox, maintenance windows.

-- One row per probe: the state machine's state (src/incidents/probe-state-machine.ts), advanced
-- once per tick; `last_slot` makes a replayed or late tick a no-op.
CREATE TABLE probe_states (
  probe_id   TEXT    NOT NULL PRIMARY KEY,
  last_slot  INTEGER NOT NULL,
  state      TEXT    NOT NULL, -- JSON of the machine state
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE incidents (
  id          TEXT    NOT NULL PRIMARY KEY, -- automatic: <probe>-<slot it opened>; manual: random
  kind        TEXT    NOT NULL CHECK (kind IN ('automatic', 'manual')),
  title       TEXT    NOT NULL,
  impact      TEXT    NOT NULL CHECK (impact IN ('none', 'minor', 'major', 'critical')),
  status      TEXT    NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
  probe_ids   TEXT    NOT NULL, -- JSON array
  regions     TEXT    NOT NULL, -- JSON array
  started_at  INTEGER NOT NULL,
  resolved_at INTEGER,
  failure     TEXT,             -- JSON: step, class, message, runId (evidence)
  public      INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
-- The page and the feeds list recent incidents: one more row per incident, not per run.
CREATE INDEX incidents_by_start ON incidents (started_at);

CREATE TABLE incident_updates (
  incident_id TEXT    NOT NULL,
  id          TEXT    NOT NULL,
  status      TEXT    NOT NULL,
  body        TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (incident_id, id)
) WITHOUT ROWID;

-- Notifications to deliver, written in the same batch as the transition that causes them.
-- The id is (incident, transition, channel): a replay cannot enqueue twice.
CREATE TABLE outbox (
  id              TEXT    NOT NULL PRIMARY KEY,
  channel         TEXT    NOT NULL,
  payload         TEXT    NOT NULL, -- JSON notice
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  created_at      INTEGER NOT NULL,
  delivered_at    INTEGER
) WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE maintenances (
  id              TEXT    NOT NULL PRIMARY KEY,
  title           TEXT    NOT NULL,
  body            TEXT    NOT NULL,
  probe_ids       TEXT    NOT NULL, -- JSON array
  schedule        TEXT    NOT NULL, -- JSON: once {startsAt, endsAt} or recurring {cron, durationMinutes, timeZone}
  exclude_from_slo INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  cancelled_at    INTEGER
) WITHOUT ROWID;
