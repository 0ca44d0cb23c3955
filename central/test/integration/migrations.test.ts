import { COMMAND_STATUSES } from "@neopro/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/postgres.js";
import { openDatabase } from "../../src/db/index.js";
import { enqueueCommand, getSite, listPendingCommands } from "../../src/store/index.js";
import {
  DATABASE_KINDS,
  newSite,
  openTestDatabase,
  queuedCommand,
  silentLogger,
  type TestDatabaseHandle,
} from "./databases.js";

/** §6 of the reference: every column of pending_commands, with its type (TIMESTAMPTZ for TIMESTAMP). */
const REFERENCE_PENDING_COLUMNS = {
  id: "uuid",
  site_id: "uuid",
  command_type: "character varying",
  command_data: "jsonb",
  priority: "integer",
  created_by: "uuid",
  created_at: "timestamp with time zone",
  expires_at: "timestamp with time zone",
  attempts: "integer",
  last_attempt_at: "timestamp with time zone",
  max_attempts: "integer",
  description: "text",
};

describe.each(DATABASE_KINDS)("migrations on %s", (kind) => {
  let handle: TestDatabaseHandle;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(() => handle?.destroy());

  it("create the schema on a fresh database", async () => {
    const { rows } = await handle.db.query<{ name: string }>("SELECT name FROM pgmigrations ORDER BY id");
    expect(rows.map((row) => row.name)).toEqual(["20251216000000000_initial"]);
    const tables = await handle.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        "pending_commands",
        "pending_commands_summary",
        "remote_commands",
        "sites",
        "users",
      ]),
    );
  });

  it("keep every §6 column of pending_commands with its type", async () => {
    const { rows } = await handle.db.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = 'pending_commands'`,
    );
    const columns = Object.fromEntries(rows.map((row) => [row.column_name, row.data_type]));
    expect(columns).toMatchObject(REFERENCE_PENDING_COLUMNS);
  });

  it("allow in remote_commands.status exactly the statuses of the protocol", async () => {
    const { rows } = await handle.db.query<{ definition: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c
       WHERE c.conrelid = 'remote_commands'::regclass AND c.contype = 'c'
         AND pg_get_constraintdef(c.oid) LIKE '%status%'`,
    );
    expect(rows).toHaveLength(1);
    const allowed = [...(rows[0]?.definition ?? "").matchAll(/'([a-z_]+)'/g)].map((match) => match[1]);
    expect(allowed.sort()).toEqual([...COMMAND_STATUSES].sort());
  });

  it("run again on restart without changing the schema or losing data", async () => {
    const site = await newSite(handle.db);
    await enqueueCommand(handle.db, queuedCommand(site.id));

    const db = await handle.reopen();

    const { rows } = await db.query<{ applied: number }>("SELECT COUNT(*)::int AS applied FROM pgmigrations");
    expect(rows[0]?.applied).toBe(1);
    expect((await getSite(db, site.id))?.pending_count).toBe(1);
    expect(await listPendingCommands(db, site.id)).toHaveLength(1);
  });
});

describe("migrations on a PostgreSQL server shared by two centrals", () => {
  it("let both start at once: one waits for the other's migration lock", async () => {
    const server = await createTestDatabase();
    try {
      const open = () => openDatabase({ databaseUrl: server.url, dataDir: "unused", logger: silentLogger });
      const [first, second] = await Promise.all([open(), open()]);
      const { rows } = await first.query<{ applied: number }>(
        "SELECT COUNT(*)::int AS applied FROM pgmigrations",
      );
      expect(rows[0]?.applied).toBe(1);
      await Promise.all([first.close(), second.close()]);
    } finally {
      await server.drop();
    }
  });

  it("refuse a wrong DATABASE_URL with a message that says what to check", async () => {
    await expect(
      openDatabase({
        databaseUrl: "postgres://nobody@127.0.0.1:1/none",
        dataDir: "unused",
        logger: silentLogger,
      }),
    ).rejects.toThrow(/Could not connect to PostgreSQL at 127\.0\.0\.1:1\/none.*Check DATABASE_URL/);
  });
});
