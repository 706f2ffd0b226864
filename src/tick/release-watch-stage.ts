/**
 * The release watch (src/releases/): every tick, each unfinished release is judged on the runs
 * of its probes, from its baseline to the end of this minute, and the judgement stored. A watch
 * that reaches its final verdict sends release.regressed or release.healthy through the outbox
 * in the same D1 batch. Constant D1 work whatever the number of releases: one read of the
 * releases, one batch of the runs of every pair, one batch of writes.
 */
import { releaseOutboxEntries } from "../releases/release-notice.ts";
import type { Judgement, Release } from "../releases/model.ts";
import { baselineWindow } from "../releases/watch-looks.ts";
import { judgeWatch, type WatchSubject } from "../releases/watch-verdict.ts";
import type { OutboxEntry } from "../incidents/outbox.ts";
import { MINUTE_MS } from "../time.ts";
import type { TickStage } from "./stage.ts";

export const releaseWatchStage: TickStage = {
  name: "release-watch",
  async run(tick, deps) {
    // Judged as of the end of the tick's minute: its own runs are stored by now, and a replay judges the same data.
    const asOf = tick.slotAt + MINUTE_MS;
    const releases = await deps.releases.unfinished(asOf);
    if (releases.length === 0) return { judged: 0 };
    const probes = new Map(deps.probes.map((p) => [p.probe.id, p]));
    const subjects = new Map<string, WatchSubject>();
    const pairs = new Map<string, { probeId: string; region: string }>();
    let from = asOf;
    for (const release of releases) {
      const releasePairs = release.probeIds.flatMap((probeId) =>
        (probes.get(probeId)?.probe.regions ?? []).map((region) => ({ probeId, region })),
      );
      subjects.set(release.id, {
        releasedAt: release.releasedAt,
        watchMinutes: release.watchMinutes,
        baselineMinutes: release.baselineMinutes,
        pairs: releasePairs,
      });
      for (const pair of releasePairs) pairs.set(`${pair.probeId}|${pair.region}`, pair);
      from = Math.min(from, baselineWindow(release.releasedAt, release.baselineMinutes).from);
    }
    const [runs] = await deps.runs.read([deps.runs.recentRunsRead([...pairs.values()], from, asOf)] as const);
    const judged: { release: Release; judgement: Judgement }[] = releases.map((release) => ({
      release,
      judgement: judgeWatch(subjects.get(release.id)!, runs, asOf),
    }));
    const now = deps.now();
    const notices: OutboxEntry[] = judged.flatMap(({ release, judgement }) =>
      releaseOutboxEntries(release, judgement, probes, deps.channelNames, now),
    );
    await deps.outbox.run([
      deps.releases.saveJudgementsStatement(
        judged.map(({ release, judgement }) => ({ id: release.id, judgement })),
        tick.slotAt,
      ),
      ...deps.outbox.enqueueStatements(notices),
    ]);
    const verdicts = judged.filter((j) => j.judgement.final).map((j) => `${j.release.id}:${j.judgement.verdict}`);
    return { judged: judged.length, final: verdicts, notices: notices.length };
  },
};
