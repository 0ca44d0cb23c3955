/**
 * What happens to a command once the agent has it: started notices and
 * final results (both sent in batches), plus real-time commands, which skip
 * the queue. Results are recorded once: `reported_at` marks a recorded
 * result, and a second report of the same command is ignored, so the agent
 * can resend its outbox as often as it needs to.
 */
import type { ResultReport, StartedNotice } from "@neopro/protocol";
import type { Queryable } from "../db/database.js";
import { commandValues, type NewCommand } from "./queue.js";

/** A real-time command: recorded in remote_commands only (it never waits in the queue). */
export async function createDirectCommand(db: Queryable, command: NewCommand): Promise<{ id: string }> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO remote_commands (site_id, command_type, command_data, priority, queueable, description,
                                  created_by, status, expires_at, max_attempts)
     VALUES ($1, $2, $3::text::jsonb, $4, $5, $6, $7, 'queued', $8, $9)
     RETURNING id`,
    commandValues(command),
  );
  return { id: (rows[0] as { id: string }).id };
}

/**
 * The agent started these commands (it only does so for commands it has
 * recorded, so any pending row left over is removed too). Only moves
 * forward: a command already finished stays finished.
 */
export async function markStarted(db: Queryable, siteId: string, notices: StartedNotice[]): Promise<void> {
  if (notices.length === 0) return;
  await db.query(
    `WITH notice AS (
       SELECT DISTINCT ON (command_id) command_id, started_at
       FROM jsonb_to_recordset($2::text::jsonb) AS n(command_id uuid, started_at timestamptz)
     ),
     removed AS (
       DELETE FROM pending_commands pc USING notice
       WHERE pc.id = notice.command_id AND pc.site_id = $1
       RETURNING pc.id, pc.attempts
     )
     UPDATE remote_commands rc
     SET status = 'running', started_at = notice.started_at, updated_at = NOW(),
         delivered_at = COALESCE(rc.delivered_at, NOW()),
         attempts = COALESCE((SELECT r.attempts FROM removed r WHERE r.id = rc.id), rc.attempts)
     FROM notice
     WHERE rc.id = notice.command_id AND rc.site_id = $1 AND rc.status IN ('queued', 'delivered')`,
    [
      siteId,
      JSON.stringify(
        notices.map((notice) => ({ command_id: notice.commandId, started_at: notice.startedAt })),
      ),
    ],
  );
}

export interface SiteResult {
  siteId: string;
  report: ResultReport;
}

/**
 * Records results of many sites in one statement (see db/coalescer.ts). Only
 * each site's own commands without a recorded result are updated. A result
 * that overtakes its delivery acknowledgement also removes the pending row.
 * A real result always wins over what central assumed (cancelled, expired,
 * NOT_DELIVERED): the agent did run the command. Returns what was recorded,
 * with each command's type.
 */
export async function recordSiteResults(
  db: Queryable,
  results: SiteResult[],
): Promise<{ id: string; site_id: string; command_type: string }[]> {
  if (results.length === 0) return [];
  const input = results.map(({ siteId, report }) => ({
    site_id: siteId,
    command_id: report.commandId,
    status: report.status,
    result: report.result ?? null,
    error_code: report.error?.code ?? null,
    error_message: report.error?.message ?? null,
    started_at: report.startedAt,
    finished_at: report.finishedAt,
  }));
  const { rows } = await db.query<{ id: string; site_id: string; command_type: string }>(
    `WITH report AS (
       SELECT DISTINCT ON (command_id) *
       FROM jsonb_to_recordset($1::text::jsonb) AS r(site_id uuid, command_id uuid, status text, result jsonb,
            error_code text, error_message text, started_at timestamptz, finished_at timestamptz)
     ),
     removed AS (
       DELETE FROM pending_commands pc USING report
       WHERE pc.id = report.command_id AND pc.site_id = report.site_id
       RETURNING pc.id, pc.attempts
     )
     UPDATE remote_commands rc
     SET status = report.status, result = report.result, error_code = report.error_code,
         error_message = report.error_message, started_at = COALESCE(rc.started_at, report.started_at),
         finished_at = report.finished_at, reported_at = NOW(), updated_at = NOW(),
         delivered_at = COALESCE(rc.delivered_at, NOW()),
         attempts = COALESCE((SELECT r.attempts FROM removed r WHERE r.id = rc.id), rc.attempts)
     FROM report
     WHERE rc.id = report.command_id AND rc.site_id = report.site_id AND rc.reported_at IS NULL
     RETURNING rc.id, rc.site_id, rc.command_type`,
    [JSON.stringify(input)],
  );
  return rows;
}

/** recordSiteResults for one site; `ignored` are ids not of this site or already recorded. */
export async function recordResults(
  db: Queryable,
  siteId: string,
  reports: ResultReport[],
): Promise<{ recorded: string[]; ignored: string[] }> {
  const rows = await recordSiteResults(
    db,
    reports.map((report) => ({ siteId, report })),
  );
  const recorded = new Set(rows.map((row) => row.id));
  const ignored = [...new Set(reports.map((report) => report.commandId))].filter((id) => !recorded.has(id));
  return { recorded: [...recorded], ignored };
}

/**
 * A real-time command the agent never acknowledged. reported_at stays NULL,
 * so if the agent did get it after all, its real result still replaces this.
 */
export async function markDirectDeliveryFailed(
  db: Queryable,
  siteId: string,
  commandId: string,
  message: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE remote_commands
     SET status = 'failed', error_code = 'NOT_DELIVERED', error_message = $3, finished_at = NOW(), updated_at = NOW()
     WHERE site_id = $1 AND id = $2 AND status = 'queued' AND reported_at IS NULL`,
    [siteId, commandId, message],
  );
  return rowCount > 0;
}
