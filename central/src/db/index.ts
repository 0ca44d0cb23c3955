import path from "node:path";
import type { Logger } from "pino";
import type { Database } from "./database.js";
import { applyMigrations } from "./migrate.js";
import { openPgliteDatabase } from "./pglite.js";
import { connectMigrationClient, createPostgresDatabase, describeUrl } from "./postgres.js";

export type { Database, ListenOptions, Queryable, QueryResult } from "./database.js";
export { DEFAULT_MIGRATIONS_DIR } from "./migrate.js";

export interface OpenDatabaseOptions {
  /** PostgreSQL server URL; when unset, the embedded PGlite database is used. */
  databaseUrl?: string;
  /** Central's data folder; PGlite keeps its files in `${dataDir}/pglite`. */
  dataDir: string;
  logger: Logger;
  poolSize?: number;
  /** Overrides `${dataDir}/pglite` (e.g. "memory://" in tests). */
  pgliteDir?: string;
  migrationsDir?: string;
}

/** Opens the database (server or embedded) and brings its schema up to date. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const { databaseUrl, logger, migrationsDir } = options;
  if (databaseUrl) {
    const migrationClient = await connectMigrationClient(databaseUrl);
    try {
      await applyMigrations({ client: migrationClient, logger, ...(migrationsDir ? { migrationsDir } : {}) });
    } finally {
      await migrationClient.end().catch(() => {});
    }
    logger.info({ database: describeUrl(databaseUrl) }, "Connected to PostgreSQL");
    return createPostgresDatabase({
      databaseUrl,
      logger,
      ...(options.poolSize ? { poolSize: options.poolSize } : {}),
    });
  }
  const dataDir = options.pgliteDir ?? path.join(options.dataDir, "pglite");
  const { database, migrationClient } = await openPgliteDatabase({ dataDir, logger });
  try {
    await applyMigrations({ client: migrationClient, logger, ...(migrationsDir ? { migrationsDir } : {}) });
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
