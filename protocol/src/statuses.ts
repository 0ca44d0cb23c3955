/**
 * Lifecycle of a command, as stored in `remote_commands.status` (the database
 * mirrors this list with a CHECK constraint; a test keeps the two equal).
 *
 *   queued ──► delivered ──► running ──► succeeded | failed | interrupted
 *     │            └────────────────────►┘
 *     ├──► cancelled   (operator removed it from the queue before delivery)
 *     └──► expired     (its expires_at passed before delivery)
 *
 * - queued: written by central; queueable commands also sit in pending_commands.
 * - delivered: the agent acknowledged that it recorded the command durably.
 * - running: the agent reported that it started it (only sent for commands
 *   still running after a short delay, so quick commands skip this state).
 * - succeeded / failed / interrupted: the agent's result, recorded once.
 *   `interrupted` means the agent stopped while running a command that is not
 *   safe to run twice, so it reports instead of re-running it.
 */
export const COMMAND_STATUSES = Object.freeze([
  "queued",
  "delivered",
  "running",
  "succeeded",
  "failed",
  "interrupted",
  "expired",
  "cancelled",
] as const);

export type CommandStatus = (typeof COMMAND_STATUSES)[number];

/** Statuses after which nothing more will happen to a command. */
export const FINAL_STATUSES: ReadonlySet<CommandStatus> = new Set<CommandStatus>([
  "succeeded",
  "failed",
  "interrupted",
  "expired",
  "cancelled",
]);

/** The statuses an agent may report as a command's outcome. */
export const RESULT_STATUSES = Object.freeze(["succeeded", "failed", "interrupted"] as const);
export type ResultStatus = (typeof RESULT_STATUSES)[number];
