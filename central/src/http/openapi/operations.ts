import { type ApiErrorCode, paginationQuery, waitQuery } from "@neopro/protocol";
import { z } from "zod";
import { listSitesQuery } from "../routes/sites.js";
import type { RESPONSE_SCHEMAS } from "./components.js";

type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;

export interface OperationDoc {
  operationId: string;
  summary: string;
  description?: string;
  tag: "Sites" | "Commands" | "Queue" | "Health" | "Documentation";
  /** `operator`: needs `Authorization: Bearer <operator token>`. */
  access: "operator" | "public";
  query?: z.ZodObject;
  body?: "CreateSiteBody" | "SendCommandBody";
  responses: Record<number, { description: string; schema: ResponseSchemaName }>;
  /**
   * Codes this operation can answer besides the ones every operation of its
   * kind can (401 for `operator`, INVALID_ID with path ids, INVALID_QUERY with
   * a query, body errors with a body); see commonErrors in document.ts.
   */
  errors?: Partial<Record<400 | 404 | 409, readonly ApiErrorCode[]>>;
}

const sendCommandQuery = z.strictObject({
  wait: waitQuery
    .optional()
    .describe("Seconds to wait for the agent's result (at most the server's MAX_WAIT_SECONDS)"),
});

/**
 * What each route does, keyed by `METHOD url` exactly as the route is
 * registered. The OpenAPI document lists the routes central really has and
 * takes their descriptions from here; a route missing from this table shows
 * up in the document as `x-undocumented` (and fails the OpenAPI test).
 */
export const OPERATIONS: Readonly<Record<string, OperationDoc>> = Object.freeze({
  "GET /health/live": {
    operationId: "liveness",
    summary: "Liveness probe",
    tag: "Health",
    access: "public",
    responses: { 200: { description: "The process answers", schema: "Liveness" } },
  },
  "GET /health/ready": {
    operationId: "readiness",
    summary: "Readiness probe (the database answers)",
    tag: "Health",
    access: "public",
    responses: {
      200: { description: "Ready", schema: "Readiness" },
      503: { description: "Stopping, or the database does not answer", schema: "NotReady" },
    },
  },
  "GET /api/openapi.json": {
    operationId: "openApiDocument",
    summary: "This OpenAPI document",
    tag: "Documentation",
    access: "public",
    responses: { 200: { description: "OpenAPI 3.1 document", schema: "OpenApiDocument" } },
  },
  "POST /api/sites": {
    operationId: "createSite",
    summary: "Create a site",
    description: "Answers the agent's token once; central keeps only its SHA-256 hash.",
    tag: "Sites",
    access: "operator",
    body: "CreateSiteBody",
    responses: { 201: { description: "Created", schema: "SiteCreated" } },
  },
  "GET /api/sites": {
    operationId: "listSites",
    summary: "List sites (paginated, filtered by name or club and by state)",
    tag: "Sites",
    access: "operator",
    query: listSitesQuery,
    responses: { 200: { description: "One page of sites", schema: "SiteList" } },
  },
  "GET /api/sites/:id": {
    operationId: "getSite",
    summary: "One site",
    tag: "Sites",
    access: "operator",
    responses: { 200: { description: "The site", schema: "Site" } },
    errors: { 404: ["SITE_NOT_FOUND"] },
  },
  "GET /api/sites/:id/commands": {
    operationId: "listCommandHistory",
    summary: "Every command sent to the site, newest first",
    tag: "Commands",
    access: "operator",
    query: paginationQuery,
    responses: { 200: { description: "One page of the history", schema: "CommandHistory" } },
    errors: { 404: ["SITE_NOT_FOUND"] },
  },
  "GET /api/sites/:id/commands/:commandId": {
    operationId: "getCommand",
    summary: "One command: status, timestamps, attempts, result",
    tag: "Commands",
    access: "operator",
    responses: { 200: { description: "The command", schema: "CommandRecord" } },
    errors: { 404: ["SITE_NOT_FOUND", "COMMAND_NOT_FOUND"] },
  },
  "POST /api/sites/:id/command": {
    operationId: "sendCommand",
    summary: "Send a command to a site, or queue it while the site is offline (§4)",
    description:
      "A queueable command is queued whether the site is online or not (`queueIfOffline: false` refuses it offline). " +
      "A real-time command to an offline site is refused with 409 SITE_OFFLINE and the reference's message. " +
      "`params` must match the command's schema in the catalogue (see the `oneOf`).",
    tag: "Commands",
    access: "operator",
    query: sendCommandQuery,
    body: "SendCommandBody",
    responses: {
      200: { description: "Sent, queued, or (with `?wait`) finished", schema: "CommandSent" },
      202: { description: "`?wait` ran out before the command finished", schema: "CommandStillRunning" },
    },
    errors: {
      400: ["UNKNOWN_COMMAND", "INVALID_PARAMS"],
      404: ["SITE_NOT_FOUND", "COMMAND_NOT_FOUND"],
      409: ["SITE_OFFLINE"],
    },
  },
  "GET /api/sites/:id/pending-commands": {
    operationId: "listPendingCommands",
    summary: "The site's queue, in delivery order, with each command's §8 state",
    tag: "Queue",
    access: "operator",
    responses: { 200: { description: "The pending commands", schema: "PendingList" } },
    errors: { 404: ["SITE_NOT_FOUND"] },
  },
  "DELETE /api/sites/:id/pending-commands/:commandId": {
    operationId: "cancelPendingCommand",
    summary: "Cancel one pending command",
    tag: "Queue",
    access: "operator",
    responses: { 200: { description: "Cancelled", schema: "CancelledOne" } },
    errors: {
      404: ["SITE_NOT_FOUND", "COMMAND_NOT_FOUND", "COMMAND_NOT_PENDING"],
      409: ["COMMAND_BEING_DELIVERED"],
    },
  },
  "DELETE /api/sites/:id/pending-commands": {
    operationId: "cancelAllPendingCommands",
    summary: "Cancel every pending command of the site",
    description: "Commands being delivered at that moment are left alone and not counted.",
    tag: "Queue",
    access: "operator",
    responses: { 200: { description: "Cancelled, with how many", schema: "CancelledAll" } },
    errors: { 404: ["SITE_NOT_FOUND"] },
  },
  "POST /api/sites/:id/pending-commands/:commandId/retry": {
    operationId: "retryPendingCommand",
    summary: "Reset the attempts of a command stuck at MAX TENTATIVES (§8)",
    tag: "Queue",
    access: "operator",
    responses: { 200: { description: "Attempts reset", schema: "AttemptsReset" } },
    errors: { 404: ["SITE_NOT_FOUND", "COMMAND_NOT_FOUND", "COMMAND_NOT_PENDING"] },
  },
  "GET /api/sites/queue/summary": {
    operationId: "queueSummary",
    summary: "Every site with deliverable pending commands (the pending_commands_summary view)",
    tag: "Queue",
    access: "operator",
    responses: { 200: { description: "Totals and one row per site", schema: "QueueSummary" } },
  },
});
