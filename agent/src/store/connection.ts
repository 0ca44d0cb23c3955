import type Database from "better-sqlite3";

/** The open database plus a per-connection cache of prepared statements (each SQL is compiled once). */
export interface StoreDb {
  readonly connection: Database.Database;
  statement(sql: string): Database.Statement;
}

export function createStoreDb(connection: Database.Database): StoreDb {
  const statements = new Map<string, Database.Statement>();
  return {
    connection,
    statement(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = connection.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Runs a write that may be lost on a power cut without harm, without its own
 * fsync (`synchronous = NORMAL` in WAL mode: still atomic and consistent, and
 * made durable by the next FULL commit, which fsyncs the whole WAL). Used for
 * "central acknowledged these results" (losing it only re-sends a result
 * central records idempotently) and for status timestamps. Saves one fsync
 * per report batch, a third of the agent's fsyncs per drained batch.
 */
export function withoutFsync<T>(db: StoreDb, write: () => T): T {
  db.connection.pragma("synchronous = NORMAL");
  try {
    return write();
  } finally {
    db.connection.pragma("synchronous = FULL");
  }
}
