/**
 * The shields.io endpoint badge JSON (https://shields.io/badges/endpoint-badge): shields.io fetches
 * this document and draws the badge itself, so users can get any shields.io style from Afterlife
 * data. Pure: the route serves it as JSON (shields.io caches it for at least 300 s).
 *
 * Schema notes: `schemaVersion` is always 1; `label` may be "" (message-only badge); `message` must
 * not be empty (the badge-content functions never produce an empty one); `color` is a shields.io
 * named color or hex; `isError` only changes how shields.io treats the badge (e.g. for caching)
 * and is left out unless given.
 */

interface ShieldsEndpointInput {
  label: string;
  message: string;
  color: string;
  isError?: boolean;
}

interface ShieldsEndpoint {
  schemaVersion: 1;
  label: string;
  message: string;
  color: string;
  isError?: boolean;
}

export function shieldsEndpoint({ label, message, color, isError }: ShieldsEndpointInput): ShieldsEndpoint {
  const body: ShieldsEndpoint = { schemaVersion: 1, label, message, color };
  if (isError !== undefined) body.isError = isError;
  return body;
}
