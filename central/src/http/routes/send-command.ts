import {
  COMMANDS,
  type CommandType,
  checkCommand,
  FINAL_STATUSES,
  MESSAGES,
  sendCommandBody,
  waitQuery,
} from "@neopro/protocol";
import type { FastifyInstance, FastifyReply } from "fastify";
import { z } from "zod";
import type { WaitOutcome } from "../../agents/result-waiters.js";
import { getCommand } from "../../store/history.js";
import { enqueueCommand, type NewCommand } from "../../store/queue.js";
import { createDirectCommand } from "../../store/results.js";
import { getSiteCredentials } from "../../store/sites.js";
import type { HttpContext } from "../context.js";
import { ApiFailure } from "../errors.js";
import { parseBody, parseId, parseQuery } from "../validation.js";

/** §4: without a maxAttempts in the body, a queued command is tried 3 times (the column default of §6). */
const DEFAULT_MAX_ATTEMPTS = 3;

/** POST /api/sites/:id/command — queue or send a command, and optionally wait for its result. */
export function registerSendCommandRoute(api: FastifyInstance, context: HttpContext): void {
  const { db, registry, dispatcher, waiters, operators } = context;
  const commandQuery = z.strictObject({ wait: waitQuery.max(context.config.maxWaitSeconds).optional() });

  api.post<{ Params: { id: string } }>("/sites/:id/command", async (request, reply) => {
    const siteId = parseId(request.params.id, "site");
    const { wait: waitSeconds = 0 } = parseQuery(commandQuery, request.query);
    const body = parseBody(sendCommandBody, request.body);
    const checked = checkCommand(body.command, body.params);
    if (!checked.ok) {
      throw new ApiFailure(400, checked.error, checked.message, { issues: checked.issues });
    }
    const command = newCommand(siteId, checked.type, checked.params, body, request.operator?.id ?? null);
    if (!(await getSiteCredentials(db, siteId))) {
      throw new ApiFailure(404, "SITE_NOT_FOUND", `No site has id ${siteId}`);
    }

    const online = registry.isOnline(siteId);
    if (!online && !(command.queueable && body.queueIfOffline)) {
      throw new ApiFailure(409, "SITE_OFFLINE", MESSAGES.refusedOffline(checked.type));
    }
    // Register the waiter before anything is sent, so a fast result cannot slip by.
    const waiting = new AbortController();
    const waitFor = (commandId: string) =>
      waiters.wait(commandId, waitSeconds * 1000, AbortSignal.any([waiting.signal, context.stopping]));
    reply.raw.once("close", () => waiting.abort());
    try {
      if (command.queueable) {
        // Always through the queue, connected or not: the insert trigger's NOTIFY starts the delivery.
        const { id } = await enqueueCommand(db, command);
        operators.commandsChanged(siteId, [{ commandId: id, status: "queued" }]);
        operators.siteChanged(siteId);
        const result = waitSeconds > 0 ? waitFor(id) : undefined;
        if (result) return await answerWithResult(reply, { siteId, commandId: id, waitSeconds, result });
        return online
          ? { success: true, commandId: id, queued: false, message: MESSAGES.sent }
          : { success: true, queued: true, commandId: id, message: MESSAGES.queued };
      }

      const { id } = await createDirectCommand(db, command);
      operators.commandsChanged(siteId, [{ commandId: id, status: "queued" }]);
      const result = waitSeconds > 0 ? waitFor(id) : undefined;
      const outcome = await dispatcher.sendDirect(siteId, {
        id,
        type: checked.type,
        params: checked.params,
        priority: command.priority,
        createdAt: new Date().toISOString(),
        expiresAt: null,
      });
      if (!outcome.delivered) {
        operators.commandsChanged(siteId, [{ commandId: id, status: "failed" }]);
        throw new ApiFailure(
          409,
          "SITE_OFFLINE",
          `The site did not take the command (${outcome.reason}); it is recorded as failed with error NOT_DELIVERED`,
          { commandId: id },
        );
      }
      if (result) return await answerWithResult(reply, { siteId, commandId: id, waitSeconds, result });
      return { success: true, commandId: id, queued: false, message: MESSAGES.sent };
    } finally {
      waiting.abort();
    }
  });

  /** `?wait=`: the command's final state, or 202 with its current state when time runs out. */
  async function answerWithResult(
    reply: FastifyReply,
    request: { siteId: string; commandId: string; waitSeconds: number; result: Promise<WaitOutcome> },
  ) {
    const { siteId, commandId, waitSeconds } = request;
    let command = await getCommand(db, siteId, commandId);
    if (command && !FINAL_STATUSES.has(command.status)) {
      await request.result;
      command = await getCommand(db, siteId, commandId);
    }
    if (!command) throw new ApiFailure(404, "COMMAND_NOT_FOUND", `Command ${commandId} no longer exists`);
    if (FINAL_STATUSES.has(command.status)) {
      return {
        success: command.status === "succeeded",
        commandId,
        status: command.status,
        result: command.result,
        ...(command.error_code
          ? { error: { code: command.error_code, message: command.error_message ?? "" } }
          : {}),
      };
    }
    return reply.code(202).send({
      success: true,
      commandId,
      status: command.status,
      timedOut: true,
      message: `Command ${commandId} is still ${command.status} after ${waitSeconds} s; GET /api/sites/${siteId}/commands/${commandId} for its result`,
    });
  }
}

function newCommand(
  siteId: string,
  type: CommandType,
  params: unknown,
  body: z.output<typeof sendCommandBody>,
  createdBy: string | null,
): NewCommand {
  const definition = COMMANDS[type];
  const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= Date.now()) {
    throw new ApiFailure(
      400,
      "INVALID_BODY",
      `expiresAt (${body.expiresAt}) is in the past; give a future time`,
    );
  }
  return {
    siteId,
    type,
    params,
    priority: body.priority ?? definition.defaultPriority,
    queueable: definition.queueable,
    expiresAt,
    maxAttempts: body.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    description: body.description ?? definition.description,
    createdBy,
  };
}
