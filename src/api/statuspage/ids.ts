/**
 * Statuspage-shaped ids: stable, derived from Afterlife's own keys, so the same page, probe,
 * group or incident always has the same id and nothing is stored for them.
 */
import { fnv1a64 } from "../../hash.ts";
const ID_SPACE = 36n ** 12n;

/** A stable 12-character [0-9a-z] id (FNV-1a 64 of the UTF-8 key), shaped like Statuspage's. */
export function statuspageId(key: string): string {
  return (fnv1a64(key) % ID_SPACE).toString(36).padStart(12, "0");
}

export const pageId = (name: string): string => statuspageId(`page:${name}`);
export const probeComponentId = (probeId: string): string => statuspageId(`probe:${probeId}`);
export const groupComponentId = (group: string): string => statuspageId(`group:${group}`);
export const incidentId = (id: string): string => statuspageId(`incident:${id}`);
