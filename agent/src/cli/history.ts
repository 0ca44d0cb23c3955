import { join } from "node:path";
import { dataDirOf } from "../config.js";
import { type CommandSummary, openStoreReader } from "../store/index.js";
import { formatTimestamp } from "../systemd/index.js";
import { actAsDatabaseOwner } from "./database-owner.js";
import type { ToolOutput } from "./output.js";

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 10_000;

export interface HistoryOptions {
  onlyFailures: boolean;
  limit: number;
  json: boolean;
}

function formatDurationMs(ms: number | null): string {
  if (ms === null) return "-";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One line per command, newest first: when, type, status, duration, id, then the error if any. */
export function formatHistory(commands: readonly CommandSummary[]): string {
  if (commands.length === 0) return "no command in the ledger";
  const rows = commands.map((command) => [
    formatTimestamp(new Date(command.receivedAt)),
    command.type,
    command.status,
    formatDurationMs(command.durationMs),
    command.id,
    command.errorCode === null ? "" : `${command.errorCode}: ${command.errorMessage ?? ""}`.slice(0, 200),
  ]);
  const header = ["received", "type", "status", "duration", "id", "error"];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] as number)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** `neopro-sync-agent history [--failed] [--limit n] [--json]`. */
export function runHistory(env: NodeJS.ProcessEnv, output: ToolOutput, options: HistoryOptions): number {
  const databasePath = join(dataDirOf(env), "agent.db");
  actAsDatabaseOwner(databasePath);
  const reader = openStoreReader(databasePath);
  try {
    const commands = reader.history({ onlyFailures: options.onlyFailures, limit: options.limit });
    output.write(options.json ? JSON.stringify(commands, null, 2) : formatHistory(commands));
    return 0;
  } finally {
    reader.close();
  }
}
