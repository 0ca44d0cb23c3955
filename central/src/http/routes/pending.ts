import { MESSAGES } from "@neopro/protocol";
import type { FastifyInstance } from "fastify";
import type { Queryable } from "../../db/database.js";
import { getCommand } from "../../store/history.js";
import {
  cancelAllPendingCommands,
  cancelPendingCommand,
  isPending,
  listPendingCommands,
  queueSummary,
  resetPendingAttempts,
} from "../../store/queue.js";
import { getSite, getSiteCredentials } from "../../store/sites.js";
import type { HttpContext } from "../context.js";
import { ApiFailure } from "../errors.js";
import { parseId } from "../validation.js";

type SiteParams = { Params: { id: string } };
type CommandParams = { Params: { id: string; commandId: string } };

/** §4's queue routes: list, cancel one or all, retry, and the global summary. */
export function registerPendingRoutes(api: FastifyInstance, context: HttpContext): void {
  const { db, operators } = context;
  const cancelOptions = { deliveryTimeoutMs: context.config.deliveryAckTimeoutMs };

  api.get("/sites/queue/summary", async () => queueSummary(db));

  api.get<SiteParams>("/sites/:id/pending-commands", async (request) => {
    const siteId = parseId(request.params.id, "site");
    const site = await getSite(db, siteId);
    if (!site) throw siteNotFound(siteId);
    const commands = await listPendingCommands(db, siteId);
    return {
      siteId,
      siteName: site.site_name,
      clubName: site.club_name,
      pendingCount: commands.length,
      commands,
    };
  });

  api.delete<CommandParams>("/sites/:id/pending-commands/:commandId", async (request) => {
    const { siteId, commandId } = await commandOfExistingSite(db, request.params);
    if (await cancelPendingCommand(db, siteId, commandId, cancelOptions)) {
      operators.commandsChanged(siteId, [{ commandId, status: "cancelled" }]);
      operators.siteChanged(siteId);
      return { success: true, message: MESSAGES.cancelledOne };
    }
    if (await isPending(db, siteId, commandId)) {
      throw new ApiFailure(
        409,
        "COMMAND_BEING_DELIVERED",
        `Command ${commandId} is being delivered to the site right now and can no longer be cancelled; follow its status at GET /api/sites/${siteId}/commands/${commandId}`,
      );
    }
    throw await notPending(db, siteId, commandId);
  });

  api.delete<SiteParams>("/sites/:id/pending-commands", async (request) => {
    const siteId = parseId(request.params.id, "site");
    if (!(await getSiteCredentials(db, siteId))) throw siteNotFound(siteId);
    const count = await cancelAllPendingCommands(db, siteId, cancelOptions);
    if (count > 0) operators.siteChanged(siteId);
    return { success: true, message: MESSAGES.cancelledAll(count), count };
  });

  api.post<CommandParams>("/sites/:id/pending-commands/:commandId/retry", async (request) => {
    const { siteId, commandId } = await commandOfExistingSite(db, request.params);
    if (!(await resetPendingAttempts(db, siteId, commandId))) throw await notPending(db, siteId, commandId);
    operators.siteChanged(siteId);
    return { success: true, commandId, message: MESSAGES.attemptsReset };
  });
}

async function commandOfExistingSite(db: Queryable, params: { id: string; commandId: string }) {
  const siteId = parseId(params.id, "site");
  const commandId = parseId(params.commandId, "command");
  if (!(await getSiteCredentials(db, siteId))) throw siteNotFound(siteId);
  return { siteId, commandId };
}

export function siteNotFound(siteId: string): ApiFailure {
  return new ApiFailure(404, "SITE_NOT_FOUND", `No site has id ${siteId}`);
}

/** Why a command could not be cancelled or retried: unknown, or no longer waiting. */
async function notPending(db: Queryable, siteId: string, commandId: string): Promise<ApiFailure> {
  const command = await getCommand(db, siteId, commandId);
  if (!command) {
    return new ApiFailure(404, "COMMAND_NOT_FOUND", `Site ${siteId} has no command ${commandId}`);
  }
  return new ApiFailure(
    404,
    "COMMAND_NOT_PENDING",
    `Command ${commandId} is no longer pending (status: ${command.status}); only pending commands can be cancelled or retried`,
    { status: command.status },
  );
}
