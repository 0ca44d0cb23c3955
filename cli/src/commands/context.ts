import type { CentralClient } from "../client/index.js";
import type { ExitCode } from "../errors.js";
import type { Output } from "../output/index.js";

/** What every command gets: central's API (settings already resolved) and where to write. */
export interface CommandContext {
  client: CentralClient;
  output: Output;
}

/** A command's outcome: nothing means success (exit 0). */
export type CommandOutcome = Promise<ExitCode | undefined>;
