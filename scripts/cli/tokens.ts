/**
 * `npm run probe -- token create|list|revoke`: API tokens in the Worker's D1, local by default,
 * `--remote` for the deployed database. The token is printed once; only its hash is stored.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateToken, parseScopes, SCOPES } from "../../src/auth/api-token.ts";
import { insertTokenSql } from "../../src/storage/token-store.ts";
import { OFFLINE_ENV, ROOT } from "../local/local-network.ts";
import { runToCompletion } from "../local/processes.ts";

export class TokenUsageError extends Error {}

export async function d1(
  sql: string,
  options: { remote: boolean; persistTo?: string | undefined },
): Promise<unknown[]> {
  const target = options.remote
    ? ["--remote"]
    : ["--local", ...(options.persistTo ? ["--persist-to", options.persistTo] : [])];
  const output = await runToCompletion(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["d1", "execute", "DB", ...target, "--json", "--command", sql],
    {
      cwd: ROOT,
      env: { ...OFFLINE_ENV, CI: "true" },
    },
  );
  const json = output.slice(output.indexOf("["));
  return (JSON.parse(json) as { results: unknown[] }[]).flatMap((r) => r.results);
}

export async function tokenCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      scope: { type: "string", multiple: true, default: [] },
      remote: { type: "boolean", default: false },
      "persist-to": { type: "string" },
    },
  });
  const where = { remote: values.remote, persistTo: values["persist-to"] };
  switch (action) {
    case "create": {
      const name = values.name ?? "";
      if (!/^[\w .-]{1,60}$/.test(name))
        throw new TokenUsageError(
          "token create needs --name (1-60 letters, digits, space, dot, dash, underscore), e.g. --name ci-deploy",
        );
      const scopes = parseScopes(values.scope.join(" "));
      if (scopes.length === 0 || scopes.length !== values.scope.length)
        throw new TokenUsageError(`--scope must be ${SCOPES.join(" or ")} (repeatable), e.g. --scope write`);
      const token = await generateToken();
      await d1(
        insertTokenSql({ id: token.id, name, scopes, secretHash: token.secretHash, createdAt: Date.now() }),
        where,
      );
      console.log(
        `Created token ${token.id} (${name}, scopes: ${scopes.join(" ")}). Store it now; it is not shown again:\n\n  ${token.token}\n`,
      );
      return 0;
    }
    case "list": {
      const rows = (await d1(
        "SELECT id, name, scopes, created_at, revoked_at FROM api_tokens ORDER BY created_at",
        where,
      )) as {
        id: string;
        name: string;
        scopes: string;
        created_at: number;
        revoked_at: number | null;
      }[];
      for (const r of rows)
        console.log(
          `${r.id}  ${r.name.padEnd(24)}  ${r.scopes.padEnd(10)}  created ${new Date(r.created_at).toISOString()}${r.revoked_at ? `  REVOKED ${new Date(r.revoked_at).toISOString()}` : ""}`,
        );
      if (rows.length === 0) console.log("no tokens");
      return 0;
    }
    case "revoke": {
      const id = positionals[0] ?? "";
      if (!/^[A-Za-z0-9]{8}$/.test(id))
        throw new TokenUsageError(
          "token revoke needs the token id (the 8 characters after afl_), e.g. token revoke Ab12Cd34",
        );
      const rows = await d1(
        `UPDATE api_tokens SET revoked_at = ${Date.now()} WHERE id = '${id}' AND revoked_at IS NULL RETURNING id`,
        where,
      );
      if (rows.length === 0) throw new TokenUsageError(`no active token with id ${id}`);
      console.log(`Revoked token ${id}.`);
      return 0;
    }
    default:
      throw new TokenUsageError(
        "usage: token create --name NAME --scope read|write [--remote] | token list | token revoke ID",
      );
  }
}
