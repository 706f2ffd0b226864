/** API tokens for tests: created straight in the test file's D1, as the token CLI would. */
import { env } from "cloudflare:workers";
import { generateToken } from "../../../src/auth/api-token.ts";
import { insertTokenSql } from "../../../src/storage/token-store.ts";

export async function createToken(name: string, scopes: ("read" | "write")[]): Promise<string> {
  const token = await generateToken();
  await env.DB.prepare(
    insertTokenSql({ id: token.id, name, scopes, secretHash: token.secretHash, createdAt: Date.now() }),
  ).run();
  return token.token;
}
