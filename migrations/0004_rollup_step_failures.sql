-- Failures per step in each rollup, as a JSON object {"<step name>": failed runs}, bumped in
-- the same upsert as the counts. With the definition's step order this gives per-step
-- availability: a step ran in every run that did not fail at an earlier step.
ALTER TABLE rollups_hourly ADD COLUMN step_failures TEXT NOT NULL DEFAULT '{}';
ALTER TABLE rollups_daily ADD COLUMN step_failures TEXT NOT NULL DEFAULT '{}';
