import type { DeliveredCommand, ResultReport } from "@neopro/protocol";
import type { StoreDb } from "./connection.js";
import { requeueReports } from "./outbox.js";

export const LEDGER_STATUSES = ["received", "running", "succeeded", "failed", "interrupted"] as const;
export type LedgerStatus = (typeof LEDGER_STATUSES)[number];

/** A command as the ledger holds it, waiting to run (or found unfinished after a restart). */
export interface LedgerCommand {
  id: string;
  type: string;
  params: unknown;
  priority: number;
  deliveredSeq: number;
  receivedAt: string;
  status: LedgerStatus;
  startedAt: string | null;
}

export interface RecordedDeliveries {
  /** Ids seen for the first time: they will run. */
  fresh: string[];
  /** Ids already in the ledger: never run again. */
  known: string[];
  /** How many of the known ids had a finished result that is now queued to be sent again. */
  requeuedReports: number;
}

interface CommandRow {
  id: string;
  type: string;
  params: string;
  priority: number;
  delivered_seq: number;
  received_at: string;
  status: LedgerStatus;
  started_at: string | null;
}

function toLedgerCommand(row: CommandRow): LedgerCommand {
  return {
    id: row.id,
    type: row.type,
    params: JSON.parse(row.params),
    priority: row.priority,
    deliveredSeq: row.delivered_seq,
    receivedAt: row.received_at,
    status: row.status,
    startedAt: row.started_at,
  };
}

function lastDeliveredSeq(db: StoreDb): number {
  const row = db.statement("SELECT coalesce(max(delivered_seq), 0) AS seq FROM commands").get() as {
    seq: number;
  };
  return row.seq;
}

/** Inserts one delivered command; false when its id is already in the ledger. */
function insertCommand(db: StoreDb, command: DeliveredCommand, seq: number, receivedAt: string) {
  const info = db
    .statement(
      `INSERT INTO commands (id, type, params, priority, delivered_seq, received_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    )
    .run(command.id, command.type, JSON.stringify(command.params ?? null), command.priority, seq, receivedAt);
  return info.changes === 1;
}

/**
 * Records a whole delivery batch in ONE transaction (one fsync for the batch),
 * and re-queues the stored results of ids that were already finished, so
 * central gets them again.
 */
export function recordDeliveries(
  db: StoreDb,
  batch: readonly DeliveredCommand[],
  receivedAt: string,
): RecordedDeliveries {
  return db.connection
    .transaction(() => {
      const fresh: string[] = [];
      const known = new Set<string>();
      let seq = lastDeliveredSeq(db);
      for (const command of batch) {
        if (insertCommand(db, command, seq + 1, receivedAt)) {
          seq += 1;
          fresh.push(command.id);
        } else {
          known.add(command.id);
        }
      }
      const requeuedReports = known.size > 0 ? requeueReports(db, [...known]) : 0;
      return { fresh, known: [...known], requeuedReports };
    })
    .immediate();
}

/** Commands waiting to run, in delivery order, after the given delivery sequence number. */
export function receivedAfter(db: StoreDb, afterSeq: number, limit: number): LedgerCommand[] {
  const rows = db
    .statement(
      `SELECT id, type, params, priority, delivered_seq, received_at, status, started_at
       FROM commands WHERE status = 'received' AND delivered_seq > ?
       ORDER BY delivered_seq LIMIT ?`,
    )
    .all(afterSeq, limit) as CommandRow[];
  return rows.map(toLedgerCommand);
}

/** Commands received or running, in delivery order: what a restart finds unfinished. */
export function findUnfinished(db: StoreDb): LedgerCommand[] {
  const rows = db
    .statement(
      `SELECT id, type, params, priority, delivered_seq, received_at, status, started_at
       FROM commands WHERE status IN ('received', 'running') ORDER BY delivered_seq`,
    )
    .all() as CommandRow[];
  return rows.map(toLedgerCommand);
}

/** Marks a command running in its own committed transaction (before a command unsafe to repeat starts). */
export function markRunningDurably(db: StoreDb, id: string, startedAt: string): void {
  db.statement(
    "UPDATE commands SET status = 'running', started_at = ? WHERE id = ? AND status = 'received'",
  ).run(startedAt, id);
}

/** Puts a command found running back to received, so it runs again (only for commands safe to re-run). */
export function markReceivedAgain(db: StoreDb, id: string): void {
  db.statement(
    "UPDATE commands SET status = 'received', started_at = NULL WHERE id = ? AND status = 'running'",
  ).run(id);
}

function finishCommand(db: StoreDb, report: ResultReport): boolean {
  const info = db
    .statement(
      `UPDATE commands SET status = ?, started_at = ?, finished_at = ?, result = ?, error_code = ?, error_message = ?
       WHERE id = ? AND status IN ('received', 'running')`,
    )
    .run(
      report.status,
      report.startedAt,
      report.finishedAt,
      report.result === undefined ? null : JSON.stringify(report.result),
      report.error?.code ?? null,
      report.error?.message ?? null,
      report.commandId,
    );
  return info.changes === 1;
}

function insertOutboxReport(db: StoreDb, report: ResultReport): void {
  db.statement("INSERT INTO outbox (command_id, report, created_at) VALUES (?, ?, ?)").run(
    report.commandId,
    JSON.stringify(report),
    report.finishedAt,
  );
}

/**
 * Writes the outcome of several commands and their outbox rows in ONE
 * transaction. A command already finished is left as it was (returns the
 * number actually completed).
 */
export function completeCommands(db: StoreDb, reports: readonly ResultReport[]): number {
  return db.connection
    .transaction(() => {
      let completed = 0;
      for (const report of reports) {
        if (finishCommand(db, report)) {
          insertOutboxReport(db, report);
          completed += 1;
        }
      }
      return completed;
    })
    .immediate();
}

export function countCommandsByStatus(db: StoreDb): Record<LedgerStatus, number> {
  const counts = Object.fromEntries(LEDGER_STATUSES.map((status) => [status, 0])) as Record<
    LedgerStatus,
    number
  >;
  const rows = db.statement("SELECT status, count(*) AS n FROM commands GROUP BY status").all() as {
    status: LedgerStatus;
    n: number;
  }[];
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}
