/** API token rows: looked up by id, never by secret. */
import { parseScopes, type Scope } from "../auth/api-token.ts";

interface StoredToken {
  id: string;
  name: string;
  scopes: Scope[];
  secretHash: string;
  createdAt: number;
  revokedAt: number | null;
}

export interface TokenStore {
  find(id: string): Promise<StoredToken | null>;
}

export class D1TokenStore implements TokenStore {
  private readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  async find(id: string): Promise<StoredToken | null> {
    const row = await this.db
      .prepare("SELECT id, name, scopes, secret_hash, created_at, revoked_at FROM api_tokens WHERE id = ?")
      .bind(id)
      .first<{
        id: string;
        name: string;
        scopes: string;
        secret_hash: string;
        created_at: number;
        revoked_at: number | null;
      }>();
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      scopes: parseScopes(row.scopes),
      secretHash: row.secret_hash,
      createdAt: row.created_at,
      revokedAt: row.revoked_at,
    };
  }
}

/** SQL for the CLI (run through `wrangler d1 execute`); values are generated or validated, never raw user text. */
export function insertTokenSql(token: {
  id: string;
  name: string;
  scopes: Scope[];
  secretHash: string;
  createdAt: number;
}): string {
  if (
    !/^[A-Za-z0-9]{8}$/.test(token.id) ||
    !/^[0-9a-f]{64}$/.test(token.secretHash) ||
    !/^[\w .-]{1,60}$/.test(token.name)
  )
    throw new Error("invalid token fields");
  return `INSERT INTO api_tokens (id, name, scopes, secret_hash, created_at) VALUES ('${token.id}', '${token.name}', '${token.scopes.join(" ")}', '${token.secretHash}', ${Math.floor(token.createdAt)})`;
}
