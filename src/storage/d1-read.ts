/**
 * Reads that several stores put into one D1 batch, so that a page costs one round trip to the
 * database whatever it shows. A read is its statements and how to decode their results; the
 * stores build them (latestRunsRead, daysRead, listIncidentsRead, ...), the loaders combine
 * them, and readTogether runs them.
 *
 * A small read may also come packed: the same rows as one SQL expression whose value is JSON.
 * When every read of a batch comes packed, readTogether asks for them all in one statement (one
 * row of one column) instead of a statement each: the status page's board and notices are one
 * statement, not four. Each statement of a batch costs D1 a result of its own, which is most of
 * what a small read costs (npm run bench:page).
 */
export interface D1Read<T> {
  statements: readonly D1PreparedStatement[];
  decode(results: readonly D1Result[]): T;
  packed?: PackedRead<T>;
}

/** A read as one SQL expression of JSON (`json_object(...)`, a scalar subquery of json_group_array, ...). */
interface PackedRead<T> {
  sql: string;
  params: readonly unknown[];
  /** The read's value from the expression's JSON, parsed (null when the expression is NULL). */
  decode(json: unknown): T;
}

/** The most parameters a packed statement binds (D1 allows 100 per statement). */
const MAX_PACKED_PARAMS = 100;

/** `json_object('a', alias.a, ...)` of these columns: a row as JSON, its keys the column names. */
export function jsonObjectSql(columns: readonly string[], alias: string): string {
  return `json_object(${columns.map((c) => `'${c}', ${alias}.${c}`).join(", ")})`;
}

export type ReadValues<R extends readonly D1Read<unknown>[]> = {
  -readonly [K in keyof R]: R[K] extends D1Read<infer T> ? T : never;
};

/** A read of no statements: its value is known already. */
export function knownRead<T>(value: T): D1Read<T> {
  return { statements: [], decode: () => value, packed: { sql: "NULL", params: [], decode: () => value } };
}

/** `reads` packed as one JSON array expression, when each of them comes packed. */
function packAll(reads: readonly D1Read<unknown>[]): PackedRead<unknown[]> | undefined {
  const packed = reads.map((r) => r.packed);
  if (!packed.every((p): p is PackedRead<unknown> => p !== undefined)) return undefined;
  return {
    sql: `json_array(${packed.map((p) => `json(${p.sql})`).join(", ")})`,
    params: packed.flatMap((p) => p.params),
    decode: (json) => packed.map((p, i) => p.decode((json as unknown[])[i] ?? null)),
  };
}

/** Several reads as one, whose value `combine` makes of theirs. */
export function combineReads<const R extends readonly D1Read<unknown>[], T>(
  reads: R,
  combine: (values: ReadValues<R>) => T,
): D1Read<T> {
  const packed = packAll(reads);
  return {
    statements: reads.flatMap((r) => r.statements),
    decode: (results) => combine(decodeAll(reads, results)),
    ...(packed ? { packed: { ...packed, decode: (json) => combine(packed.decode(json) as ReadValues<R>) } } : {}),
  };
}

export function mapRead<T, U>(read: D1Read<T>, f: (value: T) => U): D1Read<U> {
  const packed = read.packed;
  return {
    statements: read.statements,
    decode: (results) => f(read.decode(results)),
    ...(packed ? { packed: { ...packed, decode: (json) => f(packed.decode(json)) } } : {}),
  };
}

/**
 * Runs the reads in one batch (one transaction, one round trip) and decodes each: as one
 * statement when they all come packed and would take more than one, else a statement each.
 */
export async function readTogether<const R extends readonly D1Read<unknown>[]>(
  db: D1Database,
  reads: R,
): Promise<ReadValues<R>> {
  const statements = reads.flatMap((r) => r.statements);
  const packed = statements.length > 1 ? packAll(reads) : undefined;
  if (packed && packed.params.length <= MAX_PACKED_PARAMS) {
    const { results } = await db
      .prepare(`SELECT ${packed.sql} AS packed`)
      .bind(...packed.params)
      .all<{ packed: string }>();
    return packed.decode(JSON.parse(results[0]!.packed)) as ReadValues<R>;
  }
  // One statement needs no batch: D1 runs a batch as a transaction of its own.
  if (statements.length === 1) return decodeAll(reads, [await statements[0]!.all()]);
  return decodeAll(reads, statements.length ? await db.batch(statements) : []);
}

function decodeAll<R extends readonly D1Read<unknown>[]>(reads: R, results: readonly D1Result[]): ReadValues<R> {
  let at = 0;
  return reads.map((r) => {
    const part = results.slice(at, at + r.statements.length);
    at += r.statements.length;
    return r.decode(part);
  }) as ReadValues<R>;
}
