import type { StoreDb } from "./connection.js";
import { LEDGER_STATUSES, type LedgerStatus } from "./ledger.js";

/** One command of the ledger as the field tools and `systemctl status` show it. */
export interface CommandSummary {
  id: string;
  type: string;
  status: LedgerStatus;
  receivedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  errorCode: string | null;
  errorMessage: string | null;
}

interface SummaryRow {
  id: string;
  type: string;
  status: LedgerStatus;
  received_at: string;
  started_at: string | null;
  finished_at: string | null;
  error_code: string | null;
  error_message: string | null;
}

const SUMMARY_COLUMNS = "id, type, status, received_at, started_at, finished_at, error_code, error_message";

function toSummary(row: SummaryRow): CommandSummary {
  const durationMs =
    row.started_at !== null && row.finished_at !== null
      ? Date.parse(row.finished_at) - Date.parse(row.started_at)
      : null;
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    receivedAt: row.received_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    durationMs,
    errorCode: row.error_code,
    errorMessage: row.error_message,
  };
}

/** The command received last (delivery order), or null on a fresh box. */
export function lastCommand(db: StoreDb): CommandSummary | null {
  const row = db
    .statement(`SELECT ${SUMMARY_COLUMNS} FROM commands ORDER BY delivered_seq DESC LIMIT 1`)
    .get() as SummaryRow | undefined;
  return row === undefined ? null : toSummary(row);
}

export interface HistoryQuery {
  /** Only `failed` and `interrupted` commands. */
  onlyFailures: boolean;
  limit: number;
}

/** Newest first. */
export function commandHistory(db: StoreDb, query: HistoryQuery): CommandSummary[] {
  const where = query.onlyFailures ? "WHERE status IN ('failed', 'interrupted')" : "";
  const rows = db
    .statement(`SELECT ${SUMMARY_COLUMNS} FROM commands ${where} ORDER BY delivered_seq DESC LIMIT ?`)
    .all(query.limit) as SummaryRow[];
  return rows.map(toSummary);
}

/** Commands received at or after `sinceIso`, by status. */
export function countReceivedSince(db: StoreDb, sinceIso: string): Record<LedgerStatus, number> {
  const counts = Object.fromEntries(LEDGER_STATUSES.map((status) => [status, 0])) as Record<
    LedgerStatus,
    number
  >;
  const rows = db
    .statement("SELECT status, count(*) AS n FROM commands WHERE received_at >= ? GROUP BY status")
    .all(sinceIso) as { status: LedgerStatus; n: number }[];
  for (const row of rows) counts[row.status] = row.n;
  return counts;
}

/** Oldest result still waiting for central, and the last time central acknowledged one. */
export function outboxTimes(db: StoreDb): {
  oldestWaitingAt: string | null;
  lastAcknowledgedAt: string | null;
} {
  const row = db
    .statement(
      `SELECT (SELECT min(created_at) FROM outbox WHERE reported_at IS NULL) AS oldest,
              (SELECT max(reported_at) FROM outbox) AS acknowledged`,
    )
    .get() as { oldest: string | null; acknowledged: string | null };
  return { oldestWaitingAt: row.oldest, lastAcknowledgedAt: row.acknowledged };
}
