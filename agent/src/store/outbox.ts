import type { ResultReport } from "@neopro/protocol";
import type { StoreDb } from "./connection.js";

/**
 * Results not yet acknowledged by central, oldest first. Stops before
 * `maxBytes` of JSON (always returns at least one), so one batch stays well
 * under Socket.IO's message size limit (1 MB by default on the server).
 */
export function unreportedResults(db: StoreDb, limit: number, maxBytes: number): ResultReport[] {
  const rows = db
    .statement("SELECT report FROM outbox WHERE reported_at IS NULL ORDER BY created_at, rowid LIMIT ?")
    .all(limit) as { report: string }[];
  const reports: ResultReport[] = [];
  let bytes = 0;
  for (const row of rows) {
    bytes += row.report.length;
    if (reports.length > 0 && bytes > maxBytes) break;
    reports.push(JSON.parse(row.report) as ResultReport);
  }
  return reports;
}

/** Marks results central acknowledged; ids not in the outbox are ignored. */
export function markReported(db: StoreDb, commandIds: readonly string[], reportedAt: string): number {
  if (commandIds.length === 0) return 0;
  return db
    .statement(
      `UPDATE outbox SET reported_at = ?
       WHERE reported_at IS NULL AND command_id IN (SELECT value FROM json_each(?))`,
    )
    .run(reportedAt, JSON.stringify(commandIds)).changes;
}

/** Queues already-reported results to be sent again (central redelivered a command it finished). */
export function requeueReports(db: StoreDb, commandIds: readonly string[]): number {
  if (commandIds.length === 0) return 0;
  return db
    .statement(
      `UPDATE outbox SET reported_at = NULL
       WHERE reported_at IS NOT NULL AND command_id IN (SELECT value FROM json_each(?))`,
    )
    .run(JSON.stringify(commandIds)).changes;
}

export function countUnreported(db: StoreDb): number {
  const row = db.statement("SELECT count(*) AS n FROM outbox WHERE reported_at IS NULL").get() as {
    n: number;
  };
  return row.n;
}
