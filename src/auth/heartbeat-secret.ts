/**
 * Heartbeat secrets: `hb_<32 base62>` (about 190 bits), one per heartbeat, printed once by the
 * CLI and stored only as its SHA-256. It can do one thing: report that heartbeat's job.
 */
import { randomBase62, sha256Hex } from "./api-token.ts";

export const HEARTBEAT_SECRET_PATTERN = /^hb_[0-9A-Za-z]{32}$/;

export async function generateHeartbeatSecret(): Promise<{ secret: string; secretHash: string }> {
  const secret = `hb_${randomBase62(32)}`;
  return { secret, secretHash: await sha256Hex(secret) };
}
