import { z } from "zod";
import { API_ERROR_CODES } from "./api.js";
import { COMMAND_TYPES, priority } from "./catalogue.js";
import { isoDateTime, uuid } from "./fields.js";
import { COMMAND_STATUSES, type CommandStatus, FINAL_STATUSES } from "./statuses.js";

/**
 * The shapes of the REST API's answers as JSON (dates are ISO strings): the
 * one description central's OpenAPI document, the CLI and the dashboard all
 * use. They mirror the store's row types (`SiteRow`, `PendingCommandRow`,
 * `SummaryRow`, `CommandRow`) and the objects the routes build;
 * central/test/integration/openapi.test.ts checks real answers against them.
 * Strict objects, so a field added to a route without being described here
 * fails that test.
 */
const timestamp = isoDateTime;
const count = z.number().int().nonnegative();
const finalStatuses = COMMAND_STATUSES.filter((status) => FINAL_STATUSES.has(status)) as [
  CommandStatus,
  ...CommandStatus[],
];

/** Any refused request: `{ success: false, error, message, details? }`. */
export const apiErrorAnswer = z.strictObject({
  success: z.literal(false),
  error: z.enum(API_ERROR_CODES),
  message: z.string(),
  details: z.unknown().optional(),
});
export type ApiError = z.infer<typeof apiErrorAnswer>;

/** GET /api/sites/:id, and each site of GET /api/sites and of the operators' `sites:changed`. */
export const siteAnswer = z.strictObject({
  id: uuid,
  site_name: z.string(),
  club_name: z.string(),
  status: z.enum(["online", "offline"]).describe("Last state written to the database"),
  online: z.boolean().describe("Whether the site's agent is connected to this central now"),
  last_seen_at: timestamp.nullable(),
  agent_version: z.string().nullable(),
  created_at: timestamp,
  pending_count: count.describe("Rows in pending_commands, deliverable or not"),
  oldest_pending: timestamp.nullable(),
});
export type SiteAnswer = z.infer<typeof siteAnswer>;

/** POST /api/sites. */
export const siteCreatedAnswer = z.strictObject({
  id: uuid,
  siteName: z.string(),
  clubName: z.string(),
  token: z.string().describe("The agent's token (SITE_TOKEN); shown in this answer only"),
});
export type SiteCreatedAnswer = z.infer<typeof siteCreatedAnswer>;

/** GET /api/sites. */
export const siteListAnswer = z.strictObject({
  total: count,
  limit: count,
  offset: count,
  sites: z.array(siteAnswer),
});
export type SiteListAnswer = z.infer<typeof siteListAnswer>;

/** §8's states of a pending command. */
export const PENDING_STATES = Object.freeze(["EN ATTENTE", "EXPIRÉ", "MAX TENTATIVES"] as const);
export type PendingState = (typeof PENDING_STATES)[number];

/** Each command of GET /api/sites/:id/pending-commands. */
export const pendingCommandAnswer = z.strictObject({
  id: uuid,
  site_id: uuid,
  command_type: z.enum(COMMAND_TYPES),
  command_data: z.unknown().describe("The command's params"),
  priority,
  created_at: timestamp,
  expires_at: timestamp.nullable(),
  attempts: count,
  max_attempts: count,
  last_attempt_at: timestamp.nullable(),
  description: z.string().nullable(),
  state: z.enum(PENDING_STATES).describe("§8 of the reference"),
});
export type PendingCommandAnswer = z.infer<typeof pendingCommandAnswer>;

/** GET /api/sites/:id/pending-commands. */
export const pendingListAnswer = z.strictObject({
  siteId: uuid,
  siteName: z.string(),
  clubName: z.string(),
  pendingCount: count,
  commands: z.array(pendingCommandAnswer),
});
export type PendingListAnswer = z.infer<typeof pendingListAnswer>;

/** Each command of GET /api/sites/:id/commands (the history). */
export const commandRecordAnswer = z.strictObject({
  id: uuid,
  site_id: uuid,
  command_type: z.enum(COMMAND_TYPES),
  command_data: z.unknown(),
  priority,
  queueable: z.boolean(),
  description: z.string().nullable(),
  created_by: uuid.nullable().describe("The operator who sent it"),
  status: z.enum(COMMAND_STATUSES),
  result: z.unknown().describe("The agent's result (its schema is the command's `result` in the catalogue)"),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  attempts: count,
  max_attempts: count,
  expires_at: timestamp.nullable(),
  created_at: timestamp,
  delivered_at: timestamp.nullable(),
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  expired_at: timestamp.nullable(),
  cancelled_at: timestamp.nullable(),
  reported_at: timestamp.nullable(),
  updated_at: timestamp,
});
export type CommandRecordAnswer = z.infer<typeof commandRecordAnswer>;

/** GET /api/sites/:id/commands. */
export const commandHistoryAnswer = z.strictObject({
  total: count,
  limit: count,
  offset: count,
  commands: z.array(commandRecordAnswer),
});
export type CommandHistoryAnswer = z.infer<typeof commandHistoryAnswer>;

/** Each site of GET /api/sites/queue/summary. */
export const queueSummarySiteAnswer = z.strictObject({
  site_id: uuid,
  club_name: z.string(),
  site_status: z.enum(["online", "offline"]),
  pending_count: count,
  highest_priority: priority,
  oldest_command: timestamp,
  newest_command: timestamp,
  command_types: z.array(z.enum(COMMAND_TYPES)),
});
export type QueueSummarySiteAnswer = z.infer<typeof queueSummarySiteAnswer>;

/** GET /api/sites/queue/summary. */
export const queueSummaryAnswer = z.strictObject({
  totalPending: count,
  sitesWithPendingCommands: count,
  sites: z.array(queueSummarySiteAnswer),
});
export type QueueSummaryAnswer = z.infer<typeof queueSummaryAnswer>;

/** POST /api/sites/:id/command without `?wait`: sent, or queued. */
export const commandAcceptedAnswer = z.strictObject({
  success: z.literal(true),
  commandId: uuid,
  queued: z.boolean().describe("true: the site is offline and the command waits in its queue"),
  message: z.string().describe("The reference's French message"),
});
export type CommandAcceptedAnswer = z.infer<typeof commandAcceptedAnswer>;

/** POST /api/sites/:id/command with `?wait`: the command's final state. */
export const commandFinishedAnswer = z.strictObject({
  success: z.boolean().describe("true when the command succeeded"),
  commandId: uuid,
  status: z.enum(finalStatuses),
  result: z.unknown(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});
export type CommandFinishedAnswer = z.infer<typeof commandFinishedAnswer>;

/** POST /api/sites/:id/command, 200. */
export const commandSentAnswer = z
  .union([commandAcceptedAnswer, commandFinishedAnswer])
  .describe("Without `?wait`: accepted (sent or queued). With `?wait`: the command's final state.");
export type CommandSentAnswer = z.infer<typeof commandSentAnswer>;

/** POST /api/sites/:id/command?wait, 202: the wait ran out before the command finished. */
export const commandStillRunningAnswer = z.strictObject({
  success: z.literal(true),
  commandId: uuid,
  status: z.enum(COMMAND_STATUSES),
  timedOut: z.literal(true),
  message: z.string(),
});
export type CommandStillRunningAnswer = z.infer<typeof commandStillRunningAnswer>;

/** Any answer of POST /api/sites/:id/command that is not an error (200 or 202). */
export type SendAnswer = CommandSentAnswer | CommandStillRunningAnswer;

/** DELETE /api/sites/:id/pending-commands/:commandId. */
export const cancelledOneAnswer = z.strictObject({ success: z.literal(true), message: z.string() });
export type CancelledOneAnswer = z.infer<typeof cancelledOneAnswer>;

/** DELETE /api/sites/:id/pending-commands. */
export const cancelledAllAnswer = z.strictObject({ success: z.literal(true), message: z.string(), count });
export type CancelledAllAnswer = z.infer<typeof cancelledAllAnswer>;

/** POST /api/sites/:id/pending-commands/:commandId/retry. */
export const attemptsResetAnswer = z.strictObject({
  success: z.literal(true),
  commandId: uuid,
  message: z.string(),
});
export type AttemptsResetAnswer = z.infer<typeof attemptsResetAnswer>;

/** GET /health/live. */
export const livenessAnswer = z.strictObject({ status: z.literal("ok") });
export type LivenessAnswer = z.infer<typeof livenessAnswer>;

/** GET /health/ready, ready. */
export const readinessAnswer = z.strictObject({ status: z.literal("ready") });
export type ReadinessAnswer = z.infer<typeof readinessAnswer>;

/** GET /health/ready, 503: stopping, or the database does not answer. */
export const notReadyAnswer = z.strictObject({
  status: z.enum(["stopping", "unavailable"]),
  message: z.string().optional(),
});
export type NotReadyAnswer = z.infer<typeof notReadyAnswer>;
