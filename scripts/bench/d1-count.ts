/**
 * Shared by the benchmarks that replay route or loader code on the local D1 (api.ts, page.ts),
 * and copied into the fleet benchmark's temporary Worker (counting-entry.ts): a D1Database
 * wrapper that adds up the batches, statements, rows and `meta` of what it runs, and the most
 * values any statement bound. It observes the real binding; it never answers in its place.
 * Plain TypeScript with no imports, so it runs in Node and in workerd alike.
 */

export interface Tally {
  batches: number;
  statements: number;
  rowsRead: number;
  rowsReturned: number;
  /** The rows returned as JSON, in characters (counted only with `measureBytes`). */
  bytesReturned: number;
  rowsWritten: number;
  sqlMs: number;
  /** The most values one bind() call was given. */
  maxBindArity: number;
  /** Statement calls whose meta D1 does not return (first, raw): not in rowsRead. */
  uncounted: number;
}

export const newTally = (): Tally => ({
  batches: 0,
  statements: 0,
  rowsRead: 0,
  rowsReturned: 0,
  bytesReturned: 0,
  rowsWritten: 0,
  sqlMs: 0,
  maxBindArity: 0,
  uncounted: 0,
});

function addResult(tally: Tally, result: D1Result, options: CountingOptions): void {
  tally.statements++;
  if (options.measureBytes) tally.bytesReturned += JSON.stringify(result.results ?? []).length;
  tally.rowsRead += result.meta.rows_read ?? 0;
  tally.rowsWritten += result.meta.rows_written ?? 0;
  tally.rowsReturned += result.results?.length ?? 0;
  tally.sqlMs += result.meta.duration ?? 0;
}

interface CountingOptions {
  /** Count a statement run on its own (all/run) as a batch too: a round trip each. */
  statementIsBatch?: boolean;
  /** first/raw return no meta: count them in `uncounted` (the default), or refuse them. */
  firstOrRaw?: "count" | "throw";
  /** Also add up the size of the rows returned (JSON characters): what a read moves from D1 to the Worker. */
  measureBytes?: boolean;
}

/** A D1Database that adds up the meta of every statement it runs (batched or not) into `tally`. */
export function countingDb(db: D1Database, tally: Tally, options: CountingOptions = {}): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        if (prop === "bind") {
          return (...values: unknown[]) => {
            tally.maxBindArity = Math.max(tally.maxBindArity, values.length);
            return wrap(target.bind(...values));
          };
        }
        if (prop === "all" || prop === "run") {
          return async () => {
            const result = await target[prop]();
            if (options.statementIsBatch) tally.batches++;
            addResult(tally, result as D1Result, options);
            return result;
          };
        }
        if (prop === "first" || prop === "raw") {
          if (options.firstOrRaw === "throw") throw new Error(`the replay counts only all/run/batch, not ${prop}`);
          // Still a statement against the per-invocation limit; only its meta is unknown.
          tally.statements++;
          if (options.statementIsBatch) tally.batches++;
          tally.uncounted++;
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    real.set(proxy, statement);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql));
      if (prop === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const outcomes = await target.batch(statements.map((s) => real.get(s) ?? s));
          tally.batches++;
          for (const o of outcomes) addResult(tally, o, options);
          return outcomes;
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
