import { mkdir } from "node:fs/promises";
import { PGlite, type Results, type Transaction } from "@electric-sql/pglite";
import type { Logger } from "pino";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.js";
import type { Database, QueryResult } from "./database.js";
import type { MigrationClient } from "./migrate.js";

export interface PgliteOptions {
  /** A folder (created if missing), or "memory://" for a throw-away database. */
  dataDir: string;
  logger: Logger;
}

/**
 * Embedded PostgreSQL (PGlite) used directly, without a socket server: it
 * runs every statement on one connection, so a NOTIFY fired by a trigger
 * reaches `listen` on the same instance, which a second connection through
 * pglite-socket would not see.
 */
export async function openPgliteDatabase(options: PgliteOptions): Promise<{
  database: Database;
  migrationClient: MigrationClient;
}> {
  const { dataDir, logger } = options;
  const inMemory = dataDir.includes("://");
  const lock: DataDirLock | null = inMemory ? null : await lockDataDir(`${dataDir}.lock`);
  let pglite: PGlite;
  try {
    if (!inMemory) await mkdir(dataDir, { recursive: true });
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    await lock?.release();
    throw new Error(
      `Could not open the embedded database in ${dataDir}: ${(error as Error).message}. ` +
        "Check that the folder is writable and not used by another running central, or set DATABASE_URL.",
      { cause: error },
    );
  }
  logger.info({ dataDir }, "Embedded database (PGlite) opened");

  const database: Database = {
    kind: "pglite",
    query: (text, values) => runQuery(pglite, text, values),
    transaction: (work) =>
      pglite.transaction((tx) => work({ query: (text, values) => runQuery(tx, text, values) })),
    async listen(channel, onNotify) {
      // Same instance, same connection: the channel can't be lost, so onReconnect never fires.
      const unlisten = await pglite.listen(channel, onNotify);
      return async () => {
        if (!pglite.closed) await unlisten();
      };
    },
    async close() {
      if (!pglite.closed) await pglite.close();
      await lock?.release();
    },
  };
  return { database, migrationClient: migrationAdapter(pglite) };
}

async function runQuery<R>(
  target: PGlite | Transaction,
  text: string,
  values?: unknown[],
): Promise<QueryResult<R>> {
  const result = await target.query<R>(text, values);
  return { rows: result.rows, rowCount: countRows(result) };
}

function countRows(result: Results<unknown>): number {
  return result.rowCount ?? result.affectedRows ?? result.rows.length;
}

/**
 * node-pg-migrate sends whole migration files (several statements, no
 * parameters); PGlite's `query` takes one statement, `exec` takes many.
 */
function migrationAdapter(pglite: PGlite): MigrationClient {
  const query = async (textOrConfig: string | { text: string; values?: unknown[] }, values?: unknown[]) => {
    const text = typeof textOrConfig === "string" ? textOrConfig : textOrConfig.text;
    const params = values ?? (typeof textOrConfig === "string" ? undefined : textOrConfig.values);
    if (params && params.length > 0) {
      const result = await pglite.query(text, params);
      return { rows: result.rows, rowCount: countRows(result) };
    }
    const results = await pglite.exec(text);
    const last = results.at(-1);
    return { rows: last?.rows ?? [], rowCount: last ? countRows(last) : 0 };
  };
  return { query } as unknown as MigrationClient;
}
