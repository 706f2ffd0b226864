/**
 * Which probes the public page shows. Pure: built from what the loaders read (src/queries/page.ts),
 * with `now` passed in.
 */
import type { LoadedProbe } from "../probe/registry.ts";
import type { PageConfig } from "./page-config.ts";

/** Shown on the public page: the definition says public, the config does not hide it, and its group is public. */
export function isVisible(loaded: LoadedProbe, config: PageConfig): boolean {
  const p = loaded.probe;
  if (!p.public || config.hiddenProbes.includes(p.id)) return false;
  return config.publicGroups === undefined || config.publicGroups.includes(p.group);
}

export function visibleProbes(probes: readonly LoadedProbe[], config: PageConfig): LoadedProbe[] {
  return probes.filter((p) => isVisible(p, config));
}
