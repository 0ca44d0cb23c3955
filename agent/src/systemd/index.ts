import type { Logger } from "pino";
import type { Agent } from "../agent.js";
import { createNotifier } from "./notify.js";
import { formatStatusLine } from "./status-line.js";

export { createNotifier, type Notifier, type NotifierOptions } from "./notify.js";
export { formatDuration, formatStatusLine, formatTimestamp } from "./status-line.js";

/** How often the STATUS= line is recomputed (two indexed SQLite reads); sent only when it changed. */
export const STATUS_REFRESH_MS = 2000;

export interface SystemdSupervisionOptions {
  /** NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID are read from here. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  statusRefreshMs?: number;
}

export interface SystemdSupervision {
  /** The ledger is open (central may well be unreachable: offline is normal). Starts the watchdog and STATUS=. */
  ready(agent: Agent): void;
  /** Shutdown began. STATUS= stops changing; the watchdog keeps pinging until the process exits. */
  stopping(reason: string): void;
}

/** Half of WATCHDOG_USEC in ms (systemd's advice), or null when the watchdog is off or meant for another process. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isInteger(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== "" && Number(env.WATCHDOG_PID) !== process.pid) {
    return null;
  }
  return Math.max(1, Math.floor(usec / 2000));
}

/**
 * The agent's side of `Type=notify`: READY=1, STATUS= lines, WATCHDOG=1 and
 * STOPPING=1. The watchdog ping is a plain timer on the event loop, so a loop
 * blocked for longer than WatchdogSec= stops the pings and systemd restarts
 * the service. Without NOTIFY_SOCKET nothing runs at all.
 */
export function createSystemdSupervision(options: SystemdSupervisionOptions): SystemdSupervision {
  const { logger } = options;
  const notifier = createNotifier({ socketPath: options.env.NOTIFY_SOCKET, logger });
  let statusTimer: NodeJS.Timeout | undefined;
  let lastStatus = "";

  function refreshStatus(agent: Agent) {
    try {
      const line = formatStatusLine(agent.status(), new Date());
      if (line !== lastStatus) notifier.status(line);
      lastStatus = line;
    } catch (error) {
      logger.debug({ err: error }, "status line not refreshed (the agent is stopping)");
    }
  }

  return {
    ready(agent) {
      if (!notifier.enabled) return;
      lastStatus = formatStatusLine(agent.status(), new Date());
      notifier.ready(lastStatus);
      const intervalMs = watchdogIntervalMs(options.env);
      if (intervalMs !== null) {
        notifier.watchdog();
        setInterval(() => notifier.watchdog(), intervalMs).unref();
      }
      statusTimer = setInterval(() => refreshStatus(agent), options.statusRefreshMs ?? STATUS_REFRESH_MS);
      statusTimer.unref();
      logger.debug({ watchdogIntervalMs: intervalMs }, "systemd notified: ready");
    },
    stopping(reason) {
      clearInterval(statusTimer);
      notifier.stopping(reason);
    },
  };
}
