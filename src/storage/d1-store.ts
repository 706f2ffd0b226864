/** What every D1 store shares: its database, and running statements several stores built in one batch. */
export abstract class D1Store {
  protected readonly db: D1Database;
  constructor(db: D1Database) {
    this.db = db;
  }

  /** Runs the statements in one batch; the rows written, as D1 reports them. */
  async run(statements: readonly D1PreparedStatement[]): Promise<{ rowsWritten: number }> {
    if (statements.length === 0) return { rowsWritten: 0 };
    const results = await this.db.batch([...statements]);
    return { rowsWritten: results.reduce((n, r) => n + (r.meta.rows_written ?? 0), 0) };
  }
}
