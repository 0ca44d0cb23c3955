import type { CommandParams, CommandResult, CommandType } from "@neopro/protocol";
import type { Logger } from "pino";

/** Where the handlers read and write on the box; every path is configurable so tests use temp dirs. */
export interface HandlerPaths {
  /** The club configuration file `update_config` writes and `get_config` reads. */
  configPath: string;
  /** Folder of the videos; `deploy_video` and `delete_video` never leave it. */
  videosDir: string;
  /** hostapd configuration read by `get_hotspot_config`. */
  hostapdConf: string;
  /** Log file read by `get_logs` when journald is not available. */
  logFile: string | null;
}

export interface HandlerSettings {
  paths: HandlerPaths;
  centralUrl: string;
  /** Executable `update_software` runs, with the version then the url as arguments. No shell. */
  updateCommand: string;
  updateTimeoutMs: number;
  downloadTimeoutMs: number;
  /** systemd unit whose journal `get_logs` reads. */
  journalUnit: string;
}

export interface HandlerContext {
  /** Aborted when the agent shuts down; handlers stop their I/O promptly. */
  signal: AbortSignal;
  logger: Logger;
  settings: HandlerSettings;
}

export type CommandHandler<T extends CommandType> = (
  params: CommandParams<T>,
  context: HandlerContext,
) => Promise<CommandResult<T>>;

export type CommandHandlers = { [T in CommandType]: CommandHandler<T> };

/**
 * A failure a handler reports on purpose (bad checksum, file missing, update
 * program failed). Anything else thrown is reported as code "HANDLER_ERROR".
 */
export class CommandFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CommandFailure";
  }
}
