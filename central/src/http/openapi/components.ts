import {
  apiErrorAnswer,
  attemptsResetAnswer,
  COMMAND_TYPES,
  COMMANDS,
  cancelledAllAnswer,
  cancelledOneAnswer,
  commandHistoryAnswer,
  commandRecordAnswer,
  commandSentAnswer,
  commandStillRunningAnswer,
  createSiteBody,
  livenessAnswer,
  notReadyAnswer,
  pendingCommandAnswer,
  pendingListAnswer,
  queueSummaryAnswer,
  readinessAnswer,
  sendCommandBody,
  siteAnswer,
  siteCreatedAnswer,
  siteListAnswer,
} from "@neopro/protocol";
import { z } from "zod";
import { openApiDocument } from "./schemas.js";

/** The answers' schemas (the protocol's, see its answers.ts), by their name under `#/components/schemas/`. */
export const RESPONSE_SCHEMAS = Object.freeze({
  ApiError: apiErrorAnswer,
  Site: siteAnswer,
  SiteCreated: siteCreatedAnswer,
  SiteList: siteListAnswer,
  PendingCommand: pendingCommandAnswer,
  PendingList: pendingListAnswer,
  CommandRecord: commandRecordAnswer,
  CommandHistory: commandHistoryAnswer,
  QueueSummary: queueSummaryAnswer,
  CommandSent: commandSentAnswer,
  CommandStillRunning: commandStillRunningAnswer,
  CancelledOne: cancelledOneAnswer,
  CancelledAll: cancelledAllAnswer,
  AttemptsReset: attemptsResetAnswer,
  Liveness: livenessAnswer,
  Readiness: readinessAnswer,
  NotReady: notReadyAnswer,
  OpenApiDocument: openApiDocument,
});

/** `deploy_video` → `DeployVideoParams`: the component holding that command's params schema. */
export function paramsComponentName(type: string): string {
  const words = type.split("_").map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${words.join("")}Params`;
}

/** Request bodies, described as what a client sends (zod's "input" side: defaults are optional). */
function requestSchemas(): Record<string, z.ZodType> {
  return {
    CreateSiteBody: createSiteBody,
    SendCommandBody: sendCommandBody,
    ...Object.fromEntries(COMMAND_TYPES.map((type) => [paramsComponentName(type), COMMANDS[type].params])),
  };
}

export type JsonSchema = Record<string, unknown>;

export const componentRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Every component schema, converted by zod; schemas used inside others become `$ref`s. */
export function componentSchemas(): Record<string, JsonSchema> {
  return {
    ...convertAll(RESPONSE_SCHEMAS, "output"),
    ...convertAll(requestSchemas(), "input"),
  };
}

function convertAll(schemas: Record<string, z.ZodType>, io: "input" | "output"): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    // Refinements (e.g. safe file names) cannot be written in JSON Schema; the server still applies them.
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(converted).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [id, schema]),
  );
}
