import {
  API_ERROR_CODES,
  COMMAND_STATUSES,
  COMMAND_TYPES,
  type CommandStatus,
  FINAL_STATUSES,
  isoDateTime,
  priority,
  uuid,
} from "@neopro/protocol";
import { z } from "zod";

/**
 * The shapes of the API's answers as JSON (dates are ISO strings), for the
 * OpenAPI document. They mirror the store's row types (`SiteRow`,
 * `PendingCommandRow`, `SummaryRow`, `CommandRow`) and the objects the routes
 * build; central/test/integration/openapi.test.ts checks real answers
 * against them. Strict objects, so a field added to a route without being
 * described here fails that test.
 */
const timestamp = isoDateTime;
const count = z.number().int().nonnegative();
const finalStatuses = COMMAND_STATUSES.filter((status) => FINAL_STATUSES.has(status)) as [
  CommandStatus,
  ...CommandStatus[],
];

export const apiError = z.strictObject({
  success: z.literal(false),
  error: z.enum(API_ERROR_CODES),
  message: z.string(),
  details: z.unknown().optional(),
});

export const site = z.strictObject({
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

export const siteCreated = z.strictObject({
  id: uuid,
  siteName: z.string(),
  clubName: z.string(),
  token: z.string().describe("The agent's token (SITE_TOKEN); shown in this answer only"),
});

export const siteList = z.strictObject({ total: count, limit: count, offset: count, sites: z.array(site) });

export const pendingCommand = z.strictObject({
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
  state: z.enum(["EN ATTENTE", "EXPIRÉ", "MAX TENTATIVES"]).describe("§8 of the reference"),
});

export const pendingList = z.strictObject({
  siteId: uuid,
  siteName: z.string(),
  clubName: z.string(),
  pendingCount: count,
  commands: z.array(pendingCommand),
});

export const commandRecord = z.strictObject({
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

export const commandHistory = z.strictObject({
  total: count,
  limit: count,
  offset: count,
  commands: z.array(commandRecord),
});

export const queueSummary = z.strictObject({
  totalPending: count,
  sitesWithPendingCommands: count,
  sites: z.array(
    z.strictObject({
      site_id: uuid,
      club_name: z.string(),
      site_status: z.enum(["online", "offline"]),
      pending_count: count,
      highest_priority: priority,
      oldest_command: timestamp,
      newest_command: timestamp,
      command_types: z.array(z.enum(COMMAND_TYPES)),
    }),
  ),
});

const commandAccepted = z.strictObject({
  success: z.literal(true),
  commandId: uuid,
  queued: z.boolean().describe("true: the site is offline and the command waits in its queue"),
  message: z.string().describe("The reference's French message"),
});

const commandFinished = z.strictObject({
  success: z.boolean().describe("true when the command succeeded"),
  commandId: uuid,
  status: z.enum(finalStatuses),
  result: z.unknown(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});

export const commandSent = z
  .union([commandAccepted, commandFinished])
  .describe("Without `?wait`: accepted (sent or queued). With `?wait`: the command's final state.");

export const commandStillRunning = z.strictObject({
  success: z.literal(true),
  commandId: uuid,
  status: z.enum(COMMAND_STATUSES),
  timedOut: z.literal(true),
  message: z.string(),
});

export const cancelledOne = z.strictObject({ success: z.literal(true), message: z.string() });

export const cancelledAll = z.strictObject({ success: z.literal(true), message: z.string(), count });

export const attemptsReset = z.strictObject({
  success: z.literal(true),
  commandId: uuid,
  message: z.string(),
});

export const liveness = z.strictObject({ status: z.literal("ok") });

export const readiness = z.strictObject({ status: z.literal("ready") });

export const notReady = z.strictObject({
  status: z.enum(["stopping", "unavailable"]),
  message: z.string().optional(),
});

export const openApiDocument = z
  .looseObject({ openapi: z.string(), info: z.unknown(), paths: z.unknown() })
  .describe("This document");
