/**
 * Reads that several stores put into one D1 batch, so that a page costs one round trip to the
 * database whatever it shows. A read is its statements and how to decode their results; the
 * stores build them (latestRunsRead, daysRead, listIncidentsRead, ...), the loaders combine
 * them, and readTogether runs them.
 */
export interface D1Read<T> {
  statements: readonly D1PreparedStatement[];
  decode(results: readonly D1Result[]): T;
}

export type ReadValues<R extends readonly D1Read<unknown>[]> = {
  -readonly [K in keyof R]: R[K] extends D1Read<infer T> ? T : never;
};

/** A read of no statements: its value is known already. */
export function knownRead<T>(value: T): D1Read<T> {
  return { statements: [], decode: () => value };
}

/** Several reads as one, whose value `combine` makes of theirs. */
export function combineReads<const R extends readonly D1Read<unknown>[], T>(
  reads: R,
  combine: (values: ReadValues<R>) => T,
): D1Read<T> {
  return {
    statements: reads.flatMap((r) => r.statements),
    decode: (results) => combine(decodeAll(reads, results)),
  };
}

export function mapRead<T, U>(read: D1Read<T>, f: (value: T) => U): D1Read<U> {
  return { statements: read.statements, decode: (results) => f(read.decode(results)) };
}

/** Runs the reads in one batch (one transaction, one round trip) and decodes each. */
export async function readTogether<const R extends readonly D1Read<unknown>[]>(
  db: D1Database,
  reads: R,
): Promise<ReadValues<R>> {
  const statements = reads.flatMap((r) => r.statements);
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
