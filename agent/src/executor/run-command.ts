import { COMMANDS, type CommandType, checkCommand, type ResultReport } from "@neopro/protocol";
import type { Logger } from "pino";
import { CommandFailure, type CommandHandlers, type HandlerContext } from "../handlers/types.js";
import type { LedgerCommand } from "../store/index.js";

type AnyHandler = (params: unknown, context: HandlerContext) => Promise<unknown>;

function failed(
  command: LedgerCommand,
  startedAt: string | null,
  code: string,
  message: string,
): ResultReport {
  return {
    commandId: command.id,
    status: "failed",
    error: { code, message: message.slice(0, 10_000) },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

async function callHandler(
  type: CommandType,
  params: unknown,
  handlers: CommandHandlers,
  context: HandlerContext,
): Promise<unknown> {
  const handler = handlers[type] as AnyHandler;
  return handler(params, context);
}

/**
 * Runs one command and returns its outcome. Bad type or params are a failed
 * outcome, never an exception. Returns null when the agent's shutdown aborted
 * the handler: nothing is recorded, so the restart rule decides on restart.
 */
export async function runCommand(
  command: LedgerCommand,
  startedAt: string,
  handlers: CommandHandlers,
  context: HandlerContext,
): Promise<ResultReport | null> {
  const check = checkCommand(command.type, command.params);
  if (!check.ok) return failed(command, null, check.error, check.message);

  let result: unknown;
  try {
    result = await callHandler(check.type, check.params, handlers, context);
  } catch (error) {
    if (context.signal.aborted) return null;
    if (error instanceof CommandFailure) return failed(command, startedAt, error.code, error.message);
    const message = error instanceof Error ? error.message : String(error);
    return failed(command, startedAt, "HANDLER_ERROR", `${command.type} failed unexpectedly: ${message}`);
  }

  const shape = COMMANDS[check.type].result.safeParse(result);
  if (!shape.success) {
    return failed(
      command,
      startedAt,
      "INVALID_RESULT",
      `${command.type} returned a result that does not match the catalogue: ${shape.error.message}`,
    );
  }
  return {
    commandId: command.id,
    status: "succeeded",
    result: shape.data,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

export function logOutcome(logger: Logger, command: LedgerCommand, report: ResultReport, durationMs: number) {
  const fields = { commandId: command.id, type: command.type, status: report.status, durationMs };
  if (report.status === "succeeded") logger.info(fields, `command ${command.type} succeeded`);
  else logger.warn({ ...fields, error: report.error }, `command ${command.type} ${report.status}`);
}
