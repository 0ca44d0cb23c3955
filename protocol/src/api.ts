import { z } from "zod";
import { COMMAND_TYPES, COMMANDS, type CommandType, isCommandType, priority } from "./catalogue.js";
import { isoDateTime } from "./fields.js";

/** Machine-readable `error` codes of the REST API. */
export const API_ERROR_CODES = Object.freeze([
  "UNAUTHORIZED",
  "INVALID_JSON",
  "INVALID_BODY",
  "INVALID_QUERY",
  "INVALID_ID",
  "UNKNOWN_COMMAND",
  "INVALID_PARAMS",
  "SITE_NOT_FOUND",
  "COMMAND_NOT_FOUND",
  "COMMAND_NOT_PENDING",
  "COMMAND_BEING_DELIVERED",
  "SITE_OFFLINE",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "NOT_FOUND",
  "INTERNAL_ERROR",
] as const);
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Body of POST /api/sites/:id/command (§4, plus priority, expiry, attempts, description). */
export const sendCommandBody = z.strictObject({
  command: z.string().min(1).max(100),
  params: z.unknown().optional(),
  queueIfOffline: z.boolean().default(true),
  priority: priority.optional(),
  expiresAt: isoDateTime.optional(),
  maxAttempts: z.number().int().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
});
export type SendCommandBody = z.input<typeof sendCommandBody>;

export const createSiteBody = z.strictObject({
  siteName: z.string().trim().min(1).max(200),
  clubName: z.string().trim().min(1).max(200),
});
export type CreateSiteBody = z.infer<typeof createSiteBody>;

export const waitQuery = z.coerce.number().min(0).max(120);

export const paginationQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/** The reference's French messages (§4), in one place. */
export const MESSAGES = Object.freeze({
  sent: "Commande envoyée au site.",
  queued: "Commande mise en file d'attente. Elle sera exécutée à la prochaine connexion du site.",
  refusedOffline: (command: string) =>
    `Le site n'est pas connecté. La commande "${command}" ne peut pas être mise en file d'attente.`,
  cancelledOne: "Commande annulée avec succès.",
  cancelledAll: (count: number) => `${count} commande(s) en attente annulée(s).`,
  /** Not in the reference: the dashboard's "retry" of a command stuck at max attempts (§8's reset). */
  attemptsReset: "Tentatives réinitialisées. La commande sera renvoyée dès que le site sera connecté.",
});

export interface ParamsIssue {
  path: string;
  message: string;
}

export type ParamsCheck =
  | { ok: true; type: CommandType; params: unknown }
  | { ok: false; error: "UNKNOWN_COMMAND" | "INVALID_PARAMS"; message: string; issues: ParamsIssue[] };

/** Checks a command type and its params against the catalogue; both central and agent use it. */
export function checkCommand(type: string, params: unknown): ParamsCheck {
  if (!isCommandType(type)) {
    return {
      ok: false,
      error: "UNKNOWN_COMMAND",
      message: `Unknown command type "${type}". Known types: ${COMMAND_TYPES.join(", ")}.`,
      issues: [],
    };
  }
  const parsed = COMMANDS[type].params.safeParse(params ?? {});
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    return {
      ok: false,
      error: "INVALID_PARAMS",
      message: `Invalid params for "${type}": ${issues.map((i) => `${i.path || "params"}: ${i.message}`).join("; ")}`,
      issues,
    };
  }
  return { ok: true, type, params: parsed.data };
}

export function describeIssues(error: z.ZodError): ParamsIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
}
