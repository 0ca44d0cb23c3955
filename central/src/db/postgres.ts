import pg from "pg";
import type { Logger } from "pino";
import { type Database, errorSummary, type QueryResult } from "./database.js";
import { createNotificationListener, type ReconnectBackoff } from "./listener.js";

export interface PostgresOptions {
  databaseUrl: string;
  logger: Logger;
  /** Pool connections; LISTEN uses one more of its own. */
  poolSize?: number;
  listenBackoff?: ReconnectBackoff;
}

/** PostgreSQL server through a `pg` pool, plus one dedicated connection for LISTEN. */
export function createPostgresDatabase(options: PostgresOptions): Database {
  const { databaseUrl, poolSize = 10, listenBackoff } = options;
  const logger = options.logger.child({ component: "postgres" });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, keepAlive: true });
  // An idle pooled connection that dies (server restart) emits here; the pool replaces it.
  pool.on("error", (error) => logger.warn(errorSummary(error), "Idle PostgreSQL connection lost"));
  const listener = createNotificationListener({
    connectionString: databaseUrl,
    logger,
    ...(listenBackoff ? { backoff: listenBackoff } : {}),
  });

  return {
    kind: "postgres",
    query: (text, values) => runQuery(pool, text, values),
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const result = await work({ query: (text, values) => runQuery(client, text, values) });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        await client.query("ROLLBACK").catch((rollbackError: Error) => {
          broken = rollbackError; // don't hand a connection in an unknown state back to the pool
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    listen: (channel, onNotify, listenOptions) => listener.listen(channel, onNotify, listenOptions),
    async close() {
      await listener.close();
      await pool.end();
    },
  };
}

async function runQuery<R>(
  target: pg.Pool | pg.PoolClient,
  text: string,
  values?: unknown[],
): Promise<QueryResult<R>> {
  const result = await target.query(text, values);
  return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
}

/** Connects once to check the URL and hand node-pg-migrate a dedicated client (its lock is per session). */
export async function connectMigrationClient(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on("error", () => {}); // errors surface through the failing query instead
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw new Error(
      `Could not connect to PostgreSQL at ${describeUrl(databaseUrl)}: ${(error as Error).message}. ` +
        "Check DATABASE_URL and that the server is running, or unset DATABASE_URL to use the embedded database.",
      { cause: error },
    );
  }
  return client;
}

/** host:port/database, without the password. */
export function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}
