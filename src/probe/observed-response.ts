/**
 * A response as the runner saw it, with the body already read: assertions and extractors are
 * pure functions of this, so they can be tested without a network.
 */
export interface ObservedResponse {
  status: number;
  headers: Headers;
  /** The body decoded as text (possibly truncated by the runner). */
  bodyText: string;
  /** Size of the body as received, in bytes. */
  bodyBytes: number;
  /** From just before fetch() to the end of the body, in ms. */
  totalMs: number;
  /** True when the runner stopped reading before the end, so bodyText is only the start of the body. */
  truncated?: boolean;
}

/** Parses the body as JSON; failures are data so a bad body fails an assertion instead of the run. */
export function parseJsonBody(r: ObservedResponse): { ok: true; value: unknown } | { ok: false; error: string } {
  if (r.bodyText.trim() === "") return { ok: false, error: "the body is empty, not JSON" };
  try {
    return { ok: true, value: JSON.parse(r.bodyText) as unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, error: `the body is not valid JSON (${reason})` };
  }
}
