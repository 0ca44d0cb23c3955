import {
  COMMANDS,
  describeIssues,
  isCommandType,
  type ResultReport,
  resultBatch,
  startedBatch,
} from "@neopro/protocol";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import type { OperatorFeed } from "../operators/index.js";
import { getCommandTypes } from "../store/command-types.js";
import { markStarted } from "../store/results.js";
import type { BatchedStore } from "./batched-store.js";
import type { ResultWaiters } from "./result-waiters.js";
import type { AgentConnection } from "./types.js";

interface ReportDependencies {
  db: Database;
  store: BatchedStore;
  logger: Logger;
  waiters: ResultWaiters;
  operators: OperatorFeed;
  /** Registers work that shutdown should let finish. */
  track(work: Promise<unknown>): void;
}

/**
 * Handles what an agent reports about its commands. The site id always comes
 * from the authenticated socket, never from the message, so a site can only
 * report on its own commands.
 */
export function registerReportHandlers(connection: AgentConnection, dependencies: ReportDependencies): void {
  const { socket, siteId } = connection;
  const { logger } = dependencies;

  socket.on("results:report", (batch, ack) => {
    if (typeof ack !== "function") {
      logger.warn({ siteId }, "Agent sent results without an acknowledgement callback; ignored them");
      return;
    }
    const parsed = resultBatch.safeParse(batch);
    if (!parsed.success) {
      // No ack: the agent keeps the batch in its outbox, and the warning says why it is refused.
      logger.warn(
        { siteId, issues: describeIssues(parsed.error) },
        "Agent sent malformed results; not acknowledged",
      );
      return;
    }
    dependencies.track(
      recordReports(parsed.data, dependencies, siteId).then(
        (accepted) => ack({ accepted }),
        (error: unknown) => {
          logger.error({ err: error, siteId }, "Could not record results; the agent will send them again");
        },
      ),
    );
  });

  socket.on("commands:started", (batch) => {
    const parsed = startedBatch.safeParse(batch);
    if (!parsed.success) {
      logger.warn(
        { siteId, issues: describeIssues(parsed.error) },
        "Agent sent a malformed started notice; ignored",
      );
      return;
    }
    dependencies.track(
      markStarted(dependencies.db, siteId, parsed.data).then(
        () =>
          dependencies.operators.commandsChanged(
            siteId,
            parsed.data.map(({ commandId }) => ({ commandId, status: "running" })),
          ),
        (error: unknown) => {
          logger.warn({ err: error, siteId }, "Could not record that commands started");
        },
      ),
    );
  });
}

/** Records a valid batch; returns every id of it, so the agent stops resending them. */
async function recordReports(
  reports: ResultReport[],
  { db, store, logger, waiters }: ReportDependencies,
  siteId: string,
): Promise<string[]> {
  const recorded = await store.recordResults(siteId, reports);
  waiters.notify(recorded.map((row) => row.id));
  const typeOf = new Map(recorded.map((row) => [row.id, row.command_type]));
  for (const report of reports) {
    if (report.status === "succeeded" && typeOf.has(report.commandId)) {
      warnOnUnexpectedShape(report, typeOf.get(report.commandId), logger, siteId);
    }
  }
  const ignored = reports.map((report) => report.commandId).filter((id) => !typeOf.has(id));
  if (ignored.length > 0) {
    // Already recorded (a resend) is normal; another site's command is not.
    const ownTypes = await getCommandTypes(db, siteId, ignored);
    const foreign = ignored.filter((id) => !ownTypes.has(id));
    if (foreign.length > 0) {
      logger.warn(
        { siteId, commandIds: foreign },
        "Agent reported commands that are not its site's; ignored them",
      );
    }
  }
  return [...new Set(reports.map((report) => report.commandId))];
}

/** A successful result that does not match the catalogue is still recorded, with a warning. */
function warnOnUnexpectedShape(
  report: ResultReport,
  type: string | undefined,
  logger: Logger,
  siteId: string,
) {
  if (!isCommandType(type)) return;
  const check = COMMANDS[type].result.safeParse(report.result);
  if (!check.success) {
    logger.warn(
      { siteId, commandId: report.commandId, type, issues: describeIssues(check.error) },
      "Agent's result does not match the catalogue's result shape; recorded as sent",
    );
  }
}
