/**
 * The queue of commands waiting for a site.
 *
 * A command's life (statuses of protocol/src/statuses.ts, kept in
 * remote_commands.status):
 *
 * - A queueable command is written once, in one statement, to both
 *   remote_commands (status `queued`) and pending_commands (same id), before
 *   anything is sent. The insert trigger NOTIFYs `pending_commands` with the
 *   site id, which wakes the dispatcher whether or not the site is connected.
 * - The dispatcher *claims* a batch: the site's deliverable rows (not expired,
 *   attempts < max_attempts), by priority then age, locked with SKIP LOCKED so
 *   two dispatchers never claim the same row, and their `attempts` raised. A
 *   claim does not remove anything: the row stays until the agent says it has
 *   recorded the command durably. If the socket drops first, the row is simply
 *   claimed again at the next connection, until max_attempts.
 * - The agent's acknowledgement *confirms* delivery: the pending row is
 *   deleted and the command becomes `delivered`. From there on the agent owns
 *   it; it reports `running`, then a final result (`succeeded`, `failed`,
 *   `interrupted`) recorded once (see results.ts).
 * - Before delivery, an operator may *cancel* (`cancelled`), or the expiry
 *   sweep removes a row whose expires_at has passed (`expired`). An expired
 *   row is never claimed even before the sweep runs, because the claim checks
 *   expires_at itself. A row at max_attempts stays visible ("MAX TENTATIVES")
 *   until an operator resets its attempts, which makes it deliverable again.
 *
 * remote_commands.attempts is copied from the pending row when the row leaves
 * the queue (delivered, cancelled, expired), so each claim writes one table.
 */
import type { CommandType } from "@neopro/protocol";
import type { Queryable } from "../db/database.js";

export interface NewCommand {
  siteId: string;
  type: CommandType;
  /** Already checked against the catalogue. */
  params: unknown;
  priority: number;
  queueable: boolean;
  expiresAt: Date | null;
  maxAttempts: number;
  description: string | null;
  createdBy: string | null;
}

export interface ClaimedCommand {
  id: string;
  command_type: string;
  command_data: unknown;
  priority: number;
  created_at: Date;
  expires_at: Date | null;
  attempts: number;
  max_attempts: number;
}

/** §8's names for a pending row's state. */
export type PendingState = "EN ATTENTE" | "EXPIRÉ" | "MAX TENTATIVES";

/** A pending_commands row with the §4 fields, plus what an operator needs to judge it. */
export interface PendingCommandRow extends ClaimedCommand {
  site_id: string;
  description: string | null;
  last_attempt_at: Date | null;
  state: PendingState;
}

export interface SummaryRow {
  site_id: string;
  club_name: string;
  site_status: "online" | "offline";
  pending_count: number;
  highest_priority: number;
  oldest_command: Date;
  newest_command: Date;
  command_types: string[];
}

/** The deliverable rows: what the claim, the summary view and the sweep agree on. */
const DELIVERABLE = "(expires_at IS NULL OR expires_at > NOW()) AND attempts < max_attempts";

/** Writes the command to remote_commands and pending_commands in one statement (so one transaction). */
export async function enqueueCommand(db: Queryable, command: NewCommand): Promise<{ id: string }> {
  const { rows } = await db.query<{ id: string }>(
    `WITH command AS (
       INSERT INTO remote_commands (site_id, command_type, command_data, priority, queueable, description,
                                    created_by, status, expires_at, max_attempts)
       VALUES ($1, $2, $3::text::jsonb, $4, $5, $6, $7, 'queued', $8, $9)
       RETURNING id, site_id, command_type, command_data, priority, created_by, created_at, expires_at,
                 max_attempts, description
     )
     INSERT INTO pending_commands (id, site_id, command_type, command_data, priority, created_by, created_at,
                                   expires_at, attempts, max_attempts, description)
     SELECT id, site_id, command_type, command_data, priority, created_by, created_at, expires_at, 0,
            max_attempts, description
     FROM command
     RETURNING id`,
    commandValues(command),
  );
  return { id: (rows[0] as { id: string }).id };
}

export function commandValues(command: NewCommand): unknown[] {
  return [
    command.siteId,
    command.type,
    JSON.stringify(command.params ?? {}),
    command.priority,
    command.queueable,
    command.description,
    command.createdBy,
    command.expiresAt,
    command.maxAttempts,
  ];
}

export interface ClaimRequest {
  siteId: string;
  limit: number;
  /** Already in flight to the site: not claimed again. */
  excludeIds: string[];
}

/** A claimed command, with how many rows the site had in the queue when it was claimed (for the logs). */
export interface SiteClaimedCommand extends ClaimedCommand {
  site_id: string;
  site_pending: number;
}

/**
 * Claims, for each request, up to `limit` deliverable commands of its site in
 * delivery order, skipping `excludeIds` and rows another transaction holds,
 * and counts the attempt: one statement for many sites (see db/coalescer.ts).
 * Sorted in SQL: RETURNING has no order, and a JS Date would drop
 * created_at's microseconds.
 */
export async function claimPendingBatches(
  db: Queryable,
  requests: ClaimRequest[],
): Promise<SiteClaimedCommand[]> {
  if (requests.length === 0) return [];
  const { rows } = await db.query<SiteClaimedCommand>(
    `WITH request AS (
       SELECT * FROM unnest($1::uuid[], $2::int[]) AS r(site_id, max_rows)
     ),
     next AS (
       SELECT chosen.id FROM request
       CROSS JOIN LATERAL (
         SELECT p.id FROM pending_commands p
         WHERE p.site_id = request.site_id AND ${DELIVERABLE}
           AND NOT (p.id = ANY($3::uuid[]))
         ORDER BY p.priority, p.created_at, p.queue_position
         LIMIT request.max_rows
         FOR UPDATE SKIP LOCKED
       ) AS chosen
     ),
     queued AS (
       SELECT site_id, COUNT(*)::int AS site_pending FROM pending_commands
       WHERE site_id IN (SELECT site_id FROM request)
       GROUP BY site_id
     ),
     claimed AS (
       UPDATE pending_commands pc
       SET attempts = pc.attempts + 1, last_attempt_at = NOW()
       FROM next
       WHERE pc.id = next.id
       RETURNING pc.id, pc.site_id, pc.command_type, pc.command_data, pc.priority, pc.created_at, pc.expires_at,
                 pc.attempts, pc.max_attempts, pc.queue_position
     )
     SELECT claimed.id, claimed.site_id, command_type, command_data, priority, created_at, expires_at, attempts,
            max_attempts, COALESCE(queued.site_pending, 0) AS site_pending
     FROM claimed LEFT JOIN queued USING (site_id)
     ORDER BY claimed.site_id, priority, created_at, queue_position`,
    [
      requests.map((request) => request.siteId),
      requests.map((request) => request.limit),
      requests.flatMap((request) => request.excludeIds),
    ],
  );
  return rows;
}

/** claimPendingBatches for one site. */
export async function claimPendingBatch(
  db: Queryable,
  siteId: string,
  options: { limit: number; excludeIds: string[] },
): Promise<ClaimedCommand[]> {
  const rows = await claimPendingBatches(db, [{ siteId, ...options }]);
  return rows.map(({ site_id: _site, site_pending: _pending, ...command }) => command);
}

/**
 * The agents have recorded these commands durably: their pending rows go and
 * they become `delivered`, each only for its own site. Ids of real-time
 * commands, which have no pending row, are accepted too. One statement for
 * many sites. Returns how many were still waiting for delivery.
 */
export async function confirmDeliveries(
  db: Queryable,
  deliveries: { siteId: string; commandId: string }[],
): Promise<number> {
  if (deliveries.length === 0) return 0;
  const { rows } = await db.query<{ confirmed: number }>(
    `WITH ack AS (
       SELECT DISTINCT site_id, id FROM unnest($1::uuid[], $2::uuid[]) AS a(site_id, id)
     ),
     removed AS (
       DELETE FROM pending_commands pc USING ack
       WHERE pc.site_id = ack.site_id AND pc.id = ack.id
       RETURNING pc.id, pc.attempts
     ),
     delivered AS (
       UPDATE remote_commands rc
       SET status = 'delivered', delivered_at = NOW(), updated_at = NOW(),
           -- a real-time command has no pending row: this send was its one attempt
           attempts = COALESCE((SELECT r.attempts FROM removed r WHERE r.id = rc.id), rc.attempts + 1)
       FROM ack
       WHERE rc.site_id = ack.site_id AND rc.id = ack.id AND rc.status = 'queued'
       RETURNING rc.id
     )
     SELECT COUNT(*)::int AS confirmed FROM (SELECT id FROM removed UNION SELECT id FROM delivered) AS both_kinds`,
    [deliveries.map((delivery) => delivery.siteId), deliveries.map((delivery) => delivery.commandId)],
  );
  return rows[0]?.confirmed ?? 0;
}

/** confirmDeliveries for one site. */
export async function confirmDelivered(db: Queryable, siteId: string, ids: string[]): Promise<number> {
  return confirmDeliveries(
    db,
    ids.map((commandId) => ({ siteId, commandId })),
  );
}

/** Every pending row of the site, including expired and exhausted ones, in delivery order. */
export async function listPendingCommands(db: Queryable, siteId: string): Promise<PendingCommandRow[]> {
  const { rows } = await db.query<PendingCommandRow>(
    `SELECT id, site_id, command_type, command_data, priority, created_at, expires_at, attempts, description,
            max_attempts, last_attempt_at,
            CASE
              WHEN expires_at IS NOT NULL AND expires_at < NOW() THEN 'EXPIRÉ'
              WHEN attempts >= max_attempts THEN 'MAX TENTATIVES'
              ELSE 'EN ATTENTE'
            END AS state
     FROM pending_commands
     WHERE site_id = $1
     ORDER BY priority, created_at, queue_position`,
    [siteId],
  );
  return rows;
}

/**
 * Cancelling leaves alone a row claimed less than `deliveryTimeoutMs` ago: it
 * may be on its way to the agent, which would run it even though the operator
 * was told "cancelled". The claim sets last_attempt_at while holding the row
 * lock, and a DELETE waiting on that lock re-checks its WHERE on the claimed
 * row, so the check cannot race with a claim.
 */
export interface CancelOptions {
  deliveryTimeoutMs: number;
}

const NOT_BEING_DELIVERED =
  "(last_attempt_at IS NULL OR last_attempt_at < NOW() - make_interval(secs => $2 / 1000.0))";

/** Removes one pending command of the site and marks it `cancelled`; false if it was not pending or is being delivered. */
export async function cancelPendingCommand(
  db: Queryable,
  siteId: string,
  commandId: string,
  options: CancelOptions,
): Promise<boolean> {
  const cancelled = await cancelWhere(db, `site_id = $1 AND id = $3 AND ${NOT_BEING_DELIVERED}`, [
    siteId,
    options.deliveryTimeoutMs,
    commandId,
  ]);
  return cancelled > 0;
}

/** Removes every pending command of the site not being delivered and marks them `cancelled`; returns how many. */
export async function cancelAllPendingCommands(
  db: Queryable,
  siteId: string,
  options: CancelOptions,
): Promise<number> {
  return cancelWhere(db, `site_id = $1 AND ${NOT_BEING_DELIVERED}`, [siteId, options.deliveryTimeoutMs]);
}

/** True when the command is still in pending_commands (whatever its state). */
export async function isPending(db: Queryable, siteId: string, commandId: string): Promise<boolean> {
  const { rowCount } = await db.query("SELECT 1 FROM pending_commands WHERE site_id = $1 AND id = $2", [
    siteId,
    commandId,
  ]);
  return rowCount > 0;
}

async function cancelWhere(db: Queryable, where: string, values: unknown[]): Promise<number> {
  const { rows } = await db.query<{ cancelled: number }>(
    `WITH removed AS (
       DELETE FROM pending_commands WHERE ${where} RETURNING id, attempts
     ),
     marked AS (
       UPDATE remote_commands rc
       SET status = 'cancelled', cancelled_at = NOW(), updated_at = NOW(), attempts = removed.attempts
       FROM removed
       WHERE rc.id = removed.id AND rc.status = 'queued'
     )
     SELECT COUNT(*)::int AS cancelled FROM removed`,
    values,
  );
  return rows[0]?.cancelled ?? 0;
}

/** §8's "reset attempts" for one command; the update trigger wakes the dispatcher. */
export async function resetPendingAttempts(
  db: Queryable,
  siteId: string,
  commandId: string,
): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE pending_commands SET attempts = 0, last_attempt_at = NULL WHERE site_id = $1 AND id = $2",
    [siteId, commandId],
  );
  return rowCount > 0;
}

/**
 * §5's cleanup: deletes every pending row whose expires_at has passed and
 * records it as `expired`, in one statement, so nothing disappears untraced.
 */
export async function expireCommands(db: Queryable): Promise<{ id: string; site_id: string }[]> {
  const { rows } = await db.query<{ id: string; site_id: string }>(
    `WITH removed AS (
       DELETE FROM pending_commands
       WHERE expires_at IS NOT NULL AND expires_at < NOW()
       RETURNING id, site_id, attempts
     ),
     marked AS (
       UPDATE remote_commands rc
       SET status = 'expired', expired_at = NOW(), updated_at = NOW(), attempts = removed.attempts
       FROM removed
       WHERE rc.id = removed.id AND rc.status = 'queued'
     )
     SELECT id, site_id FROM removed`,
  );
  return rows;
}

/** The global view of §4 (`GET /api/sites/queue/summary`), oldest waiting site first. */
export async function queueSummary(
  db: Queryable,
): Promise<{ totalPending: number; sitesWithPendingCommands: number; sites: SummaryRow[] }> {
  const { rows } = await db.query<SummaryRow>(
    `SELECT site_id, club_name, site_status, pending_count, highest_priority, oldest_command, newest_command,
            command_types
     FROM pending_commands_summary
     ORDER BY oldest_command, site_id`,
  );
  return {
    totalPending: rows.reduce((sum, row) => sum + row.pending_count, 0),
    sitesWithPendingCommands: rows.length,
    sites: rows,
  };
}

/** Of these sites, the ones with something to deliver now (for the dispatcher's safety sweep). */
export async function sitesWithDeliverableCommands(db: Queryable, siteIds: string[]): Promise<string[]> {
  if (siteIds.length === 0) return [];
  const { rows } = await db.query<{ site_id: string }>(
    `SELECT DISTINCT site_id FROM pending_commands WHERE site_id = ANY($1::uuid[]) AND ${DELIVERABLE}`,
    [siteIds],
  );
  return rows.map((row) => row.site_id);
}
