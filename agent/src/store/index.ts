import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DeliveredCommand, ResultReport } from "@neopro/protocol";
import Database from "better-sqlite3";
import { createStoreDb, withoutFsync } from "./connection.js";
import { type CommandSummary, lastCommand } from "./history.js";
import {
  completeCommands,
  countCommandsByStatus,
  findUnfinished,
  type LedgerCommand,
  type LedgerStatus,
  markReceivedAgain,
  markRunningDurably,
  type RecordedDeliveries,
  receivedAfter,
  recordDeliveries,
} from "./ledger.js";
import { countUnreported, markReported, unreportedResults } from "./outbox.js";
import { migrate } from "./schema.js";
import { type AgentStateKey, readState, writeState } from "./state.js";

export type { CommandSummary, HistoryQuery } from "./history.js";
export type { LedgerCommand, LedgerStatus, RecordedDeliveries } from "./ledger.js";
export { type AgentStatusRecord, openStoreReader, type StoreReader } from "./reader.js";
export { SCHEMA_VERSION } from "./schema.js";
export type { AgentStateKey } from "./state.js";

/**
 * The agent's durable memory: the ledger of every command received (its id is
 * the key, so a redelivery is recognised), the outbox of results still to be
 * reported, and a little state for status tooling.
 */
export interface AgentStore {
  readonly path: string;
  recordDeliveries(batch: readonly DeliveredCommand[]): RecordedDeliveries;
  receivedAfter(afterSeq: number, limit: number): LedgerCommand[];
  findUnfinished(): LedgerCommand[];
  markRunningDurably(id: string, startedAt: string): void;
  markReceivedAgain(id: string): void;
  completeCommands(reports: readonly ResultReport[]): number;
  unreportedResults(limit: number, maxBytes: number): ResultReport[];
  markReported(commandIds: readonly string[]): number;
  writeState(key: AgentStateKey, value: string): void;
  readState(key: AgentStateKey): string | null;
  counts(): { commands: Record<LedgerStatus, number>; unreportedResults: number };
  /** Cheap (indexed) figures for the status line systemd shows. */
  lastCommand(): CommandSummary | null;
  countUnreported(): number;
  /** The pragmas that make a commit durable, as this connection sees them. */
  durability(): { journalMode: string; synchronous: number };
  close(): void;
}

export interface StoreOptions {
  /** SQLite file, e.g. `$DATA_DIR/agent.db`; its folder is created if missing. */
  path: string;
  /** How long a statement waits for a lock held by another connection (status tooling). */
  busyTimeoutMs?: number;
}

/** Value of `PRAGMA synchronous` for FULL. */
export const SYNCHRONOUS_FULL = 2;

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma("journal_mode = WAL");
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    db.pragma("foreign_keys = ON");
    // Migrations commit without their own fsync (about 3 ms saved per fresh database, which matters when a
    // benchmark opens 1,000 agents): still atomic, redone on the next start if a power cut loses them,
    // and made durable by the first FULL commit (the first delivery), which fsyncs the whole WAL.
    db.pragma("synchronous = NORMAL");
    migrate(db);
    // FULL: a commit is fsynced to the WAL before it returns, so it survives a power cut, not only a crash.
    db.pragma("synchronous = FULL");
    return db;
  } catch (error) {
    throw new Error(
      `cannot open the agent database ${path}: check that DATA_DIR points to a writable folder on a local disk`,
      { cause: error },
    );
  }
}

export function openStore(options: StoreOptions): AgentStore {
  const connection = openDatabase(options.path, options.busyTimeoutMs ?? 5000);
  const db = createStoreDb(connection);
  const now = () => new Date().toISOString();
  return {
    path: options.path,
    recordDeliveries: (batch) =>
      connection
        .transaction(() => {
          const receivedAt = now();
          const recorded = recordDeliveries(db, batch, receivedAt);
          writeState(db, "last_delivery_at", receivedAt, receivedAt);
          return recorded;
        })
        .immediate(),
    receivedAfter: (afterSeq, limit) => receivedAfter(db, afterSeq, limit),
    findUnfinished: () => findUnfinished(db),
    markRunningDurably: (id, startedAt) => markRunningDurably(db, id, startedAt),
    markReceivedAgain: (id) => markReceivedAgain(db, id),
    completeCommands: (reports) => completeCommands(db, reports),
    unreportedResults: (limit, maxBytes) => unreportedResults(db, limit, maxBytes),
    markReported: (commandIds) => withoutFsync(db, () => markReported(db, commandIds, now())),
    writeState: (key, value) => withoutFsync(db, () => writeState(db, key, value, now())),
    readState: (key) => readState(db, key),
    counts: () => ({ commands: countCommandsByStatus(db), unreportedResults: countUnreported(db) }),
    lastCommand: () => lastCommand(db),
    countUnreported: () => countUnreported(db),
    durability: () => ({
      journalMode: connection.pragma("journal_mode", { simple: true }) as string,
      synchronous: connection.pragma("synchronous", { simple: true }) as number,
    }),
    close: () => connection.close(),
  };
}
