import { COMMANDS, isCommandType, type RestartRule, type ResultReport } from "@neopro/protocol";
import type { Logger } from "pino";
import type { AgentStore } from "../store/index.js";

/**
 * What a restart does with commands the previous process left unfinished,
 * following each type's `restartRule` in the protocol catalogue:
 * - update_config, deploy_video, delete_video ("rerun"): running again gives
 *   the same end state (atomic write, verified download, idempotent delete).
 * - get_logs, get_system_info, get_config, network_diagnostics,
 *   get_hotspot_config ("rerun"): read-only.
 * - update_software ("report_interrupted"): it was marked `running` durably
 *   before it started; running an update twice could harm the box, so it is
 *   reported `interrupted` and an operator decides.
 * Commands still `received` never started: they simply run, in delivery order.
 */
export function restartRuleOf(type: string): RestartRule {
  return isCommandType(type) ? COMMANDS[type].restartRule : "rerun";
}

export const INTERRUPTED_BY_RESTART = "INTERRUPTED_BY_RESTART";

function interruptedReport(id: string, type: string, startedAt: string | null): ResultReport {
  return {
    commandId: id,
    status: "interrupted",
    error: {
      code: INTERRUPTED_BY_RESTART,
      message:
        `the agent stopped while ${type} was running and did not run it again because it is not safe to repeat; ` +
        "check the box and send the command again if needed",
    },
    startedAt,
    finishedAt: new Date().toISOString(),
  };
}

/** Applies the restart rule; returns how many commands will run (again). */
export function applyRestartRule(store: AgentStore, logger: Logger): number {
  const unfinished = store.findUnfinished();
  const interrupted: ResultReport[] = [];
  let rerun = 0;
  for (const command of unfinished) {
    if (command.status === "running" && restartRuleOf(command.type) === "report_interrupted") {
      interrupted.push(interruptedReport(command.id, command.type, command.startedAt));
      continue;
    }
    if (command.status === "running") store.markReceivedAgain(command.id);
    rerun += 1;
  }
  if (interrupted.length > 0) {
    store.completeCommands(interrupted);
    logger.warn(
      { commandIds: interrupted.map((report) => report.commandId) },
      `reported ${interrupted.length} command(s) as interrupted: they were running when the agent stopped and are unsafe to re-run`,
    );
  }
  if (rerun > 0)
    logger.info(
      { count: rerun },
      `re-running ${rerun} command(s) left unfinished by a restart (safe to re-run)`,
    );
  return rerun;
}
