/**
 * The Worker's own fetch handler (src/index.ts) with the test bindings, some replaced: how a test
 * turns the edge cache off with its config var, or counts D1 statements through the real entry.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../src/index.ts";

/** For tests that read the same URL again after changing what it shows: every GET renders. */
const UNCACHED: Partial<Cloudflare.Env> = { PUBLIC_CACHE_SECONDS: "0" };

export async function fetchWorker(
  url: string,
  init: RequestInit = {},
  bindings: Partial<Cloudflare.Env> = UNCACHED,
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(url, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}
