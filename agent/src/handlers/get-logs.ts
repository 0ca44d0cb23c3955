import { execa } from "execa";
import { readLastLines } from "./read-last-lines.js";
import { isErrorCode } from "./safe-path.js";
import { CommandFailure, type CommandHandler, type HandlerContext } from "./types.js";

const DEFAULT_LINES = 200;
const JOURNALCTL_TIMEOUT_MS = 10_000;
/** Header and footer lines journalctl adds around the entries. */
const JOURNAL_NOTICE = /^-- (No entries|Logs begin at|Journal begins at).*--$/;

type JournalReading = { available: true; lines: string[] } | { available: false; reason: string };

/**
 * Reads the agent's journald unit, or the agent's log file when journald is
 * not there (dev machine, container, a box without persistent journal).
 */
export function createGetLogs(journalctl: string): CommandHandler<"get_logs"> {
  return async (params, context) => {
    const count = params.lines ?? DEFAULT_LINES;
    const journal = await readJournal(journalctl, count, params.since, context);
    if (journal.available) return { source: "journald", lines: journal.lines };

    const { logFile } = context.settings.paths;
    if (logFile === null) {
      throw new CommandFailure(
        "LOGS_UNAVAILABLE",
        `journald is not available (${journal.reason}) and no log file is configured: set LOG_FILE`,
      );
    }
    context.logger.debug({ reason: journal.reason, logFile }, "journald unavailable; reading the log file");
    let lines: string[];
    try {
      lines = await readLastLines(logFile, count);
    } catch (error) {
      const why = isErrorCode(error, "ENOENT") ? "does not exist" : "cannot be read";
      throw new CommandFailure(
        "LOGS_UNAVAILABLE",
        `journald is not available (${journal.reason}) and the log file ${logFile} ${why}`,
        { cause: error },
      );
    }
    return { source: "file", lines: params.since === undefined ? lines : linesSince(lines, params.since) };
  };
}

async function readJournal(
  journalctl: string,
  count: number,
  since: string | undefined,
  context: HandlerContext,
): Promise<JournalReading> {
  const args = ["-u", context.settings.journalUnit, "-n", String(count)];
  if (since !== undefined) args.push("--since", journalTime(since));
  args.push("-o", "short-iso", "--no-pager");
  const outcome = await execa(journalctl, args, {
    shell: false,
    stdin: "ignore",
    reject: false,
    timeout: JOURNALCTL_TIMEOUT_MS,
    cancelSignal: context.signal,
  });
  context.signal.throwIfAborted();
  if (outcome.code === "ENOENT") return { available: false, reason: `${journalctl} not found` };
  if (outcome.timedOut) return { available: false, reason: `${journalctl} did not answer in time` };
  const stderr = outcome.stderr.trim();
  if (outcome.exitCode !== 0) {
    return { available: false, reason: `${journalctl} failed with exit code ${outcome.exitCode}: ${stderr}` };
  }
  // On a machine without a journal, journalctl still exits 0; it only says so on stderr.
  if (/no journal files were found/i.test(stderr)) return { available: false, reason: "no journal files" };
  const lines = outcome.stdout.split("\n").filter((line) => line !== "" && !JOURNAL_NOTICE.test(line));
  if (lines.length === 0 && /not seeing messages/i.test(stderr)) {
    return { available: false, reason: "the agent's user may not read the system journal" };
  }
  return { available: true, lines };
}

/** journalctl understands "YYYY-MM-DD HH:MM:SS UTC" on every systemd version; ISO "T…Z" only on recent ones. */
function journalTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** Keeps lines logged at or after `since`; lines without a readable time (stack traces) are kept. */
function linesSince(lines: string[], since: string): string[] {
  const sinceMs = Date.parse(since);
  return lines.filter((line) => {
    const time = lineTime(line);
    return time === null || time >= sinceMs;
  });
}

/** The time of a pino JSON line (`time` in ms) or of a line starting with an ISO timestamp. */
function lineTime(line: string): number | null {
  if (line.startsWith("{")) {
    try {
      const time = (JSON.parse(line) as { time?: unknown }).time;
      if (typeof time === "number") return time;
      if (typeof time === "string") return Date.parse(time) || null;
    } catch {
      return null;
    }
    return null;
  }
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/.exec(line);
  return iso ? Date.parse(iso[0]) : null;
}
