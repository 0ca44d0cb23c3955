import { COMMAND_TYPES, COMMANDS, createSiteBody, sendCommandBody } from "@neopro/protocol";
import { z } from "zod";
import * as answers from "./schemas.js";

/** The answers' schemas, by their name under `#/components/schemas/`. */
export const RESPONSE_SCHEMAS = Object.freeze({
  ApiError: answers.apiError,
  Site: answers.site,
  SiteCreated: answers.siteCreated,
  SiteList: answers.siteList,
  PendingCommand: answers.pendingCommand,
  PendingList: answers.pendingList,
  CommandRecord: answers.commandRecord,
  CommandHistory: answers.commandHistory,
  QueueSummary: answers.queueSummary,
  CommandSent: answers.commandSent,
  CommandStillRunning: answers.commandStillRunning,
  CancelledOne: answers.cancelledOne,
  CancelledAll: answers.cancelledAll,
  AttemptsReset: answers.attemptsReset,
  Liveness: answers.liveness,
  Readiness: answers.readiness,
  NotReady: answers.notReady,
  OpenApiDocument: answers.openApiDocument,
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
