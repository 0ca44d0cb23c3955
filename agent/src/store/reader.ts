import { statSync } from "node:fs";
import Database from "better-sqlite3";
import { createStoreDb, type StoreDb } from "./connection.js";
import {
  type CommandSummary,
  commandHistory,
  countReceivedSince,
  type HistoryQuery,
  lastCommand,
  outboxTimes,
} from "./history.js";
import { countCommandsByStatus, type LedgerStatus } from "./ledger.js";
import { countUnreported } from "./outbox.js";
import { SCHEMA_VERSION } from "./schema.js";
import type { AgentStateKey } from "./state.js";

/** Everything the ledger says about the agent, for `neopro-sync-agent status`. */
export interface AgentStatusRecord {
  databasePath: string;
  /** The database file plus its write-ahead log. */
  databaseBytes: number;
  schemaVersion: number;
  state: Partial<Record<AgentStateKey, string>>;
  commands: Record<LedgerStatus, number>;
  receivedRecently: Record<LedgerStatus, number>;
  outboxWaiting: number;
  oldestWaitingAt: string | null;
  lastAcknowledgedAt: string | null;
  lastCommand: CommandSummary | null;
}

/** A read-only view of the agent database, safe to open while the daemon runs (WAL: readers never block it). */
export interface StoreReader {
  readonly path: string;
  status(recentSince: Date): AgentStatusRecord;
  history(query: HistoryQuery): CommandSummary[];
  /** `PRAGMA integrity_check`: ["ok"] when the file is sound, otherwise what SQLite found. */
  integrityCheck(): string[];
  close(): void;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readAllState(db: StoreDb): Partial<Record<AgentStateKey, string>> {
  const rows = db.statement("SELECT key, value FROM agent_state").all() as {
    key: AgentStateKey;
    value: string;
  }[];
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

function openReadOnly(path: string, busyTimeoutMs: number): Database.Database {
  let connection: Database.Database;
  try {
    connection = new Database(path, { readonly: true, fileMustExist: true });
    connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
  } catch (error) {
    throw new Error(
      `cannot open the agent database ${path} read-only: check DATA_DIR (or --data-dir) and that you may read it (sudo)`,
      { cause: error },
    );
  }
  const version = connection.pragma("user_version", { simple: true }) as number;
  if (version === 0 || version > SCHEMA_VERSION) {
    connection.close();
    throw new Error(
      version === 0
        ? `${path} is not an agent database (no schema): check DATA_DIR (or --data-dir)`
        : `${path} has schema version ${version}, newer than this tool knows (${SCHEMA_VERSION}): use the installed agent's own tool`,
    );
  }
  return connection;
}

export function openStoreReader(path: string, busyTimeoutMs = 5000): StoreReader {
  const connection = openReadOnly(path, busyTimeoutMs);
  const db = createStoreDb(connection);
  return {
    path,
    status(recentSince) {
      // One read transaction, so every figure comes from the same moment.
      return connection.transaction(() => ({
        databasePath: path,
        databaseBytes: fileSize(path) + fileSize(`${path}-wal`),
        schemaVersion: connection.pragma("user_version", { simple: true }) as number,
        state: readAllState(db),
        commands: countCommandsByStatus(db),
        receivedRecently: countReceivedSince(db, recentSince.toISOString()),
        outboxWaiting: countUnreported(db),
        ...outboxTimes(db),
        lastCommand: lastCommand(db),
      }))();
    },
    history: (query) => commandHistory(db, query),
    integrityCheck: () =>
      (connection.pragma("integrity_check") as { integrity_check: string }[]).map(
        (row) => row.integrity_check,
      ),
    close: () => connection.close(),
  };
}
