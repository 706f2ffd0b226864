/**
 * The real local D1, wrapped to record every statement prepared through it and how many
 * parameters it bound: how the tests check that a path's D1 work does not grow with the fleet.
 */
import { env } from "cloudflare:workers";

interface PreparedRecord {
  sql: string;
  params: number;
}

export function countingDb(db: D1Database = env.DB): { db: D1Database; prepared: PreparedRecord[] } {
  const prepared: PreparedRecord[] = [];
  const wrapped = Object.create(db) as D1Database;
  wrapped.prepare = (sql: string) => {
    const record: PreparedRecord = { sql, params: 0 };
    prepared.push(record);
    const statement = db.prepare(sql);
    const bind = statement.bind.bind(statement);
    statement.bind = (...values: unknown[]) => {
      record.params = values.length;
      return bind(...values);
    };
    return statement;
  };
  wrapped.batch = (statements) => db.batch(statements);
  return { db: wrapped, prepared };
}
