-- The status board's entries carry their own key (src/page/status-board.ts, probeKeyOf): a page
-- uses the board when every probe it shows has an entry of the same key, so a STATUS_PAGE that
-- hides some public probes no longer makes every render build its own board. The board-wide
-- fleet key goes; a board of the older format is simply not used (the next tick rewrites it).
DELETE FROM status_board;
ALTER TABLE status_board DROP COLUMN fleet_key;
