import type { CommandStatus } from "@neopro/protocol";
import type { Queryable } from "../db/database.js";

/** One remote_commands row: a command and everything that happened to it. */
export interface CommandRow {
  id: string;
  site_id: string;
  command_type: string;
  command_data: unknown;
  priority: number;
  queueable: boolean;
  description: string | null;
  created_by: string | null;
  status: CommandStatus;
  result: unknown;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  max_attempts: number;
  expires_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  expired_at: Date | null;
  cancelled_at: Date | null;
  reported_at: Date | null;
  updated_at: Date;
}

const COMMAND_COLUMNS = `id, site_id, command_type, command_data, priority, queueable, description, created_by, status,
  result, error_code, error_message, attempts, max_attempts, expires_at, created_at, delivered_at, started_at,
  finished_at, expired_at, cancelled_at, reported_at, updated_at`;

/** The site's commands, newest first. */
export async function listCommandHistory(
  db: Queryable,
  siteId: string,
  page: { limit: number; offset: number },
): Promise<{ total: number; commands: CommandRow[] }> {
  const [count, commands] = await Promise.all([
    db.query<{ total: number }>("SELECT COUNT(*)::int AS total FROM remote_commands WHERE site_id = $1", [
      siteId,
    ]),
    db.query<CommandRow>(
      `SELECT ${COMMAND_COLUMNS} FROM remote_commands WHERE site_id = $1
       ORDER BY created_at DESC, sequence_number DESC LIMIT $2 OFFSET $3`,
      [siteId, page.limit, page.offset],
    ),
  ]);
  return { total: count.rows[0]?.total ?? 0, commands: commands.rows };
}

/** One command of the site (a command of another site is not found). */
export async function getCommand(
  db: Queryable,
  siteId: string,
  commandId: string,
): Promise<CommandRow | null> {
  const { rows } = await db.query<CommandRow>(
    `SELECT ${COMMAND_COLUMNS} FROM remote_commands WHERE site_id = $1 AND id = $2`,
    [siteId, commandId],
  );
  return rows[0] ?? null;
}
