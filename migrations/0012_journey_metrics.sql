-- Journey metrics (src/probe/journey-metrics.ts, src/storage/metric-values.ts): numbers a run
-- records, kept with the runs at no extra row per run. A block holds each probe's values of the
-- hour as JSON next to its minute entries, in `probes` order: {"cart_total": [[minute, value], ...]}.
ALTER TABLE run_blocks ADD COLUMN metrics TEXT NOT NULL DEFAULT '[]';

-- Sealing an hour writes each metric's {count, sum, min, max, last, lastAt} into the hour's rollup
-- row (NULL when the hour recorded none), so trends outlive the blocks' raw retention.
ALTER TABLE rollups_hourly ADD COLUMN metrics TEXT;
