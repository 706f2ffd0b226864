/**
 * API tokens: `afl_<id>_<secret>`. The id (8 chars) finds the row; the secret (32 chars of
 * base62, about 190 bits) is only ever stored as its SHA-256 and compared in constant time.
 * The prefix makes a leaked token easy to recognise for secret scanners.
 */
const TOKEN_PREFIX = "afl_";
export const SCOPES = ["read", "write"] as const;
export type Scope = (typeof SCOPES)[number];

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const TOKEN_PATTERN = /^afl_([0-9A-Za-z]{8})_([0-9A-Za-z]{32})$/;

export function randomBase62(length: number): string {
  // Rejection sampling keeps every character uniform (256 is not a multiple of 62).
  let out = "";
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

interface NewToken {
  id: string;
  token: string;
  secretHash: string;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function generateToken(): Promise<NewToken> {
  const id = randomBase62(8);
  const secret = randomBase62(32);
  return { id, token: `${TOKEN_PREFIX}${id}_${secret}`, secretHash: await sha256Hex(secret) };
}

export function parseToken(token: string): { id: string; secret: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** Equal-length hex digests compared without an early exit. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export function parseScopes(text: string): Scope[] {
  return text.split(/[\s,]+/).filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
}
