-- The status board: what the status page shows of each public probe that only stored runs
-- change (its state from the newest runs, its 90 day levels and totals), built by the scheduled
-- tick once a minute after it stored the minute's runs (src/page/status-board.ts). A page
-- render reads this one row instead of every probe's newest runs, day history and today's
-- rollups; incidents and maintenance are still read live. A missing, old or mismatched board
-- (another fleet, another UTC day) only makes the page build it from those rows itself.
CREATE TABLE status_board (
  id         TEXT    NOT NULL PRIMARY KEY, -- 'public': the one board of the public probes
  built_at   INTEGER NOT NULL,             -- epoch ms
  fleet_key  TEXT    NOT NULL,             -- fingerprint of what the levels and states depend on
  board      TEXT    NOT NULL              -- JSON: see encodeBoard in src/page/status-board.ts
) WITHOUT ROWID;
