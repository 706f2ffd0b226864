/**
 * The CSP source that allows the pages' one inline script: `'sha256-<base64>'` of its exact
 * text. A hash instead of a per-response nonce keeps every page's bytes the same for every
 * reader, so one copy in the edge cache serves them all (README "Content-Security-Policy").
 * Computed once per isolate: crypto.subtle is asynchronous, and the text never changes.
 */
import { ENHANCE } from "./layout.tsx";

let source: Promise<string> | undefined;

/** `'sha256-...'` of `script`'s UTF-8 bytes, as CSP level 2 writes a hash source. */
async function hashSource(script: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return `'sha256-${btoa(binary)}'`;
}

/** The hash source of the pages' inline script (ENHANCE). */
export function pageScriptSource(): Promise<string> {
  source ??= hashSource(ENHANCE);
  return source;
}
