/**
 * The notice of a release watch's final verdict (release.regressed, release.healthy), as outbox
 * rows. Keyed by the release id, so a replayed tick cannot send it twice. An inconclusive watch
 * sends nothing: the CLI and the API say so, and nobody is paged for a lack of data.
 */
import type { Notice } from "../incidents/channels/notice.ts";
import { outboxEntries, type OutboxEntry } from "../incidents/outbox.ts";
import type { LoadedProbe } from "../probe/registry.ts";
import type { Judgement, Release } from "./model.ts";

function releaseNotice(
  release: Release,
  judgement: Judgement,
  probes: ReadonlyMap<string, LoadedProbe>,
  at: number,
): Notice | null {
  if (!judgement.final || judgement.verdict === "inconclusive") return null;
  const regressed = judgement.findings.filter((f) => f.regressed);
  const subjectId = regressed[0]?.probeId ?? release.probeIds[0] ?? "";
  const subject = probes.get(subjectId)?.probe;
  return {
    transition: judgement.verdict === "regressed" ? "release-regressed" : "release-healthy",
    probe: { id: subjectId, name: subject?.name ?? subjectId, group: subject?.group ?? "" },
    incident: { id: release.id, title: `Release ${release.version}`, startedAt: release.releasedAt, resolvedAt: null },
    regions: [...new Set(regressed.map((f) => f.region))],
    release: {
      id: release.id,
      version: release.version,
      url: release.url,
      releasedAt: release.releasedAt,
      watchMinutes: release.watchMinutes,
      atMinute: judgement.atMinute,
      reason: judgement.reason,
      regressions: regressed.map((f) => ({
        probeId: f.probeId,
        region: f.region,
        measure: f.measure,
        before: f.before.value,
        after: f.after.value,
        p: f.p,
        evidence: f.evidence,
      })),
    },
    at,
  };
}

/** The outbox rows of the notice, one per channel; none when there is no notice. */
export function releaseOutboxEntries(
  release: Release,
  judgement: Judgement,
  probes: ReadonlyMap<string, LoadedProbe>,
  channels: readonly string[],
  at: number,
): OutboxEntry[] {
  const notice = releaseNotice(release, judgement, probes, at);
  return notice ? outboxEntries(release.id, notice.transition, channels, notice, at) : [];
}
