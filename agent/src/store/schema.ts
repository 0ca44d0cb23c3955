import type Database from "better-sqlite3";

/**
 * Schema migrations, applied in order; `PRAGMA user_version` holds how many
 * have run. Append new steps, never edit a released one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE commands (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL,
    params        TEXT NOT NULL,
    priority      INTEGER NOT NULL,
    delivered_seq INTEGER NOT NULL UNIQUE,
    received_at   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'received'
                  CHECK (status IN ('received', 'running', 'succeeded', 'failed', 'interrupted')),
    started_at    TEXT,
    finished_at   TEXT,
    result        TEXT,
    error_code    TEXT,
    error_message TEXT
  ) STRICT;

  CREATE INDEX commands_unfinished ON commands (delivered_seq) WHERE status IN ('received', 'running');

  CREATE TABLE outbox (
    command_id  TEXT PRIMARY KEY REFERENCES commands (id),
    report      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    reported_at TEXT
  ) STRICT;

  CREATE INDEX outbox_unreported ON outbox (created_at) WHERE reported_at IS NULL;

  CREATE TABLE agent_state (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `the agent database has schema version ${current}, newer than this agent supports (${SCHEMA_VERSION}): ` +
        "install the newer agent again or point DATA_DIR to another folder",
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
