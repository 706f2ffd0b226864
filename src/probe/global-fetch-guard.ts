/**
 * While probes run, the global `fetch` obeys the SSRF guard too. A script step is code, and it
 * can call `fetch` directly instead of `ctx.http`; without this, such a call would reach
 * loopback, private and metadata addresses in production. The guarded `fetch` checks the target
 * exactly as ctx.http does (checkTarget) and never follows redirects itself (a redirect could
 * lead anywhere): it answers them as they are, like ctx.http with maxRedirects 0.
 *
 * The replacement is counted: the first run to start installs it and the last to finish
 * restores the platform's fetch, so runs that overlap in one isolate share it. If any running
 * probe refuses private targets, the guard refuses them for all (the strictest wins). Other code
 * that fetches while probes run (webhook delivery) already checks the same policy, so it is
 * not changed by this.
 */
import { checkTarget } from "./target-guard.ts";

let running = 0;
let strictRuns = 0;
/** Above 0 only during the synchronous call of the runner's own fetch, which checked its target itself. */
let checkedCall = 0;
let platformFetch: typeof fetch | undefined;

function guardedFetch(original: typeof fetch): typeof fetch {
  return (input, init) => {
    if (checkedCall > 0) return original(input, init);
    const request = new Request(input, init);
    const target = checkTarget(request.url, { allowPrivate: strictRuns === 0 });
    if (!target.ok)
      return Promise.reject(
        new TypeError(`fetch refused by the SSRF guard: ${target.reason}; script steps should use ctx.http`),
      );
    return original(new Request(request, { redirect: "manual" }));
  };
}

/**
 * The runner's own request (http-exchange.ts), whose target and every redirect hop it checks
 * itself: passed through unchanged when `f` calls the global fetch synchronously, as the runners'
 * fetch dependency does. Nothing else runs during a synchronous call, so a script cannot use it.
 */
export function callChecked(f: typeof fetch, input: string, init: RequestInit): Promise<Response> {
  checkedCall++;
  try {
    return f(input, init);
  } finally {
    checkedCall--;
  }
}

/** Runs `run` with the global fetch guarded; `allowPrivate` as the probe's own targets. */
export async function withGuardedGlobalFetch<T>(allowPrivate: boolean, run: () => Promise<T>): Promise<T> {
  if (running === 0) {
    platformFetch = globalThis.fetch;
    globalThis.fetch = guardedFetch(platformFetch);
  }
  running++;
  if (!allowPrivate) strictRuns++;
  try {
    return await run();
  } finally {
    running--;
    if (!allowPrivate) strictRuns--;
    if (running === 0 && platformFetch) {
      globalThis.fetch = platformFetch;
      platformFetch = undefined;
    }
  }
}
