/**
 * The status board (page/status-board.ts): after the minute's runs are stored and the day
 * histories are up to date, the states and day levels of every public probe, read once and kept
 * as one row, so that a status page render reads one row instead of them. One D1 batch (two for
 * probes whose day history is missing or behind) and one write, whatever the fleet's size.
 */
import { readStatusBoard } from "../queries/page.ts";
import { boardRow } from "../page/status-board.ts";
import type { TickStage } from "./stage.ts";

export const statusBoardStage: TickStage = {
  name: "status-board",
  async run(tick, deps) {
    // As of the tick's minute, as a page renders as of the start of its minute.
    const board = await readStatusBoard(
      { probes: deps.probes, runs: deps.runs, dayHistory: deps.dayHistories },
      tick.slotAt,
    );
    await deps.dayHistories.saveBoard(boardRow(board));
    return { probes: board.probes.length };
  },
};
