-- Each probe's closed UTC days with every region merged: what the status page's 90-day bars
-- show. A page render reads one row per probe here, plus the daily rollups of the days after
-- `through_day` (today, and yesterday during its first hour), instead of a daily rollup per
-- (probe, region, day). The scheduled tick rebuilds a probe's row once a day, after the day
-- has settled (src/status/day-totals.ts). A missing or outdated row (other regions, or behind
-- the settled day) only makes the page read those days from the rollups. A run stored after its
-- day settled shows on the bars from the next day's rebuild.
CREATE TABLE day_history (
  probe_id    TEXT    NOT NULL PRIMARY KEY,
  regions     TEXT    NOT NULL, -- the regions merged, sorted and comma-joined
  through_day INTEGER NOT NULL, -- epoch ms of 00:00 UTC of the newest day covered
  built_at    INTEGER NOT NULL, -- epoch ms
  days        TEXT    NOT NULL  -- JSON [[UTC day number, total, up, degraded, down, maintenance, median: latency bucket index | null], ...]
) WITHOUT ROWID;
