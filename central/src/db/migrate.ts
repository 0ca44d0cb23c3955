import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { runner } from "node-pg-migrate";
import type pg from "pg";
import type { Logger } from "pino";

/** `central/migrations`, found from src/db (tests) and dist/db (built) alike. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

export const MIGRATIONS_TABLE = "pgmigrations";

/** What node-pg-migrate needs from a connection: a pg.Client, or an adapter with the same `query`. */
export type MigrationClient = Pick<pg.ClientBase, "query">;

export interface MigrateOptions {
  client: MigrationClient;
  logger: Logger;
  migrationsDir?: string;
  /** Another central may be migrating the same database; wait for its lock this many times. */
  lockAttempts?: number;
  signal?: AbortSignal;
}

const LOCK_BUSY_MESSAGE = "Another migration is already running";

/**
 * Applies every migration not yet applied, all in one transaction, and
 * returns their names. node-pg-migrate holds an advisory lock while it runs;
 * when a second central starts at the same moment it waits and tries again
 * (every 500 ms, 20 times by default) rather than failing its start.
 */
export async function applyMigrations(options: MigrateOptions): Promise<string[]> {
  const { client, logger, migrationsDir = DEFAULT_MIGRATIONS_DIR, lockAttempts = 20, signal } = options;
  const migrationLog = logger.child({ component: "migrations" });
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await runner({
        // node-pg-migrate only calls `query`; the PGlite adapter provides it.
        dbClient: client as pg.ClientBase,
        dir: migrationsDir,
        direction: "up",
        migrationsTable: MIGRATIONS_TABLE,
        count: Number.POSITIVE_INFINITY,
        singleTransaction: true,
        checkOrder: true,
        logger: {
          debug: (message: string) => migrationLog.debug(message),
          info: (message: string) => migrationLog.debug(message),
          warn: (message: string) => migrationLog.warn(message),
          error: (message: string) => migrationLog.error(message),
        },
      });
      const names = applied.map((migration) => migration.name);
      if (names.length > 0) migrationLog.info({ migrations: names }, "Database migrations applied");
      else migrationLog.debug("Database schema already up to date");
      return names;
    } catch (error) {
      const lockBusy = error instanceof Error && error.message.includes(LOCK_BUSY_MESSAGE);
      if (!lockBusy || attempt >= lockAttempts) {
        throw new Error(
          `Could not apply the database migrations in ${migrationsDir}: ${(error as Error).message}. ` +
            "Check that the database is reachable and that its user may create tables.",
          { cause: error },
        );
      }
      migrationLog.info({ attempt }, "Another process is migrating the database, waiting for it");
      await sleep(500, undefined, { signal });
    }
  }
}
