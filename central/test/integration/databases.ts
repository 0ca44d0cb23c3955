import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { createTestDatabase } from "../../../test/support/postgres.js";
import type { Database } from "../../src/db/index.js";
import { openDatabase } from "../../src/db/index.js";
import { createSite, type NewCommand, type SiteRow } from "../../src/store/index.js";

/** The store suites run against both: a real PostgreSQL server and embedded PGlite. */
export const DATABASE_KINDS = ["postgres", "pglite"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export const silentLogger = pino({ level: "silent" });

export interface TestDatabaseHandle {
  db: Database;
  /** Closes and opens the same database again, as a central restart does. */
  reopen(): Promise<Database>;
  /** Closes the database and removes everything it stored. */
  destroy(): Promise<void>;
}

export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabaseHandle> {
  if (kind === "postgres") {
    const server = await createTestDatabase();
    const open = () => openDatabase({ databaseUrl: server.url, dataDir: "unused", logger: silentLogger });
    const handle: TestDatabaseHandle = {
      db: await open(),
      async reopen() {
        await handle.db.close();
        handle.db = await open();
        return handle.db;
      },
      async destroy() {
        await handle.db.close();
        await server.drop();
      },
    };
    return handle;
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), "central-pglite-"));
  const open = () => openDatabase({ dataDir, logger: silentLogger });
  const handle: TestDatabaseHandle = {
    db: await open(),
    async reopen() {
      await handle.db.close();
      handle.db = await open();
      return handle.db;
    },
    async destroy() {
      await handle.db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return handle;
}

export function newSite(db: Database, clubName = "Club Test"): Promise<SiteRow> {
  return createSite(db, { siteName: `Site ${clubName}`, clubName, tokenHash: randomUUID() });
}

/** A queueable command with sensible defaults; override what the test is about. */
export function queuedCommand(siteId: string, overrides: Partial<NewCommand> = {}): NewCommand {
  return {
    siteId,
    type: "update_config",
    params: { configuration: { volume: 7 } },
    priority: 5,
    queueable: true,
    expiresAt: null,
    maxAttempts: 3,
    description: "Mise à jour configuration",
    createdBy: null,
    ...overrides,
  };
}
