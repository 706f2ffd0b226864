/**
 * `npm run probe -- heartbeat secret <id>`: creates a heartbeat's secret, or rotates it (the old
 * one stops working at once; the pings so far are kept), in the Worker's D1, local by default,
 * `--remote` for the deployed database. The secret is printed once; only its hash is stored.
 */
import { parseArgs } from "node:util";
import { generateHeartbeatSecret } from "../../src/auth/heartbeat-secret.ts";
import { setSecretSql } from "../../src/storage/heartbeat-store.ts";
import { d1, TokenUsageError } from "./tokens.ts";

export async function heartbeatCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { remote: { type: "boolean", default: false }, "persist-to": { type: "string" } },
  });
  if (action !== "secret" || positionals.length !== 1)
    throw new TokenUsageError(
      "usage: heartbeat secret <heartbeat-id> [--remote] (creates or rotates the secret and prints it once)",
    );
  const id = positionals[0]!;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id))
    throw new TokenUsageError(`'${id}' is not a probe id (a lowercase slug such as 'nightly-backup')`);
  const { secret, secretHash } = await generateHeartbeatSecret();
  await d1(setSecretSql(id, secretHash, Date.now()), { remote: values.remote, persistTo: values["persist-to"] });
  console.log(
    `Heartbeat ${id} has a new secret (any older one no longer works). Store it now; it is not shown again:\n\n  ${secret}\n`,
  );
  console.log(
    `Ping it when the job ends:\n\n  curl -fsS -m 10 --retry 3 -X POST -H "Authorization: Bearer ${secret}" https://<your-afterlife>/hb/${id}\n`,
  );
  return 0;
}
