-- Releases (src/releases/, src/storage/release-store.ts): one row per release marked through the
-- API or `npm run probe -- release`. For watch_minutes after released_at its probes run every
-- minute, and the tick's release-watch stage stores its latest judgement here.
CREATE TABLE releases (
  id               TEXT    NOT NULL PRIMARY KEY,
  version          TEXT    NOT NULL,
  probe_ids        TEXT    NOT NULL, -- JSON array of probe ids
  url              TEXT,
  description      TEXT,
  released_at      INTEGER NOT NULL, -- epoch ms
  created_at       INTEGER NOT NULL,
  watch_minutes    INTEGER NOT NULL,
  baseline_minutes INTEGER NOT NULL,
  watch_until      INTEGER NOT NULL, -- epoch ms: the end of the watch (exclusive)
  final            INTEGER NOT NULL DEFAULT 0, -- 1 once the verdict cannot change
  judgement        TEXT    NOT NULL, -- JSON (src/releases/model.ts JudgementSchema)
  judged_slot      INTEGER NOT NULL DEFAULT 0 -- the newest tick slot that judged it: a replayed or late tick never overwrites a newer judgement
) WITHOUT ROWID;
-- Lists newest first, and the watches of a time range (the dispatcher's and the watch stage's reads).
CREATE INDEX releases_by_time ON releases (released_at);
