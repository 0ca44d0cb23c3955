import { type DestinationStream, type Logger, pino } from "pino";
import type { LogFormat, LogLevel } from "./config.js";

export interface LoggerOptions {
  level: LogLevel;
  /** `json` (default): pino's JSON lines. `journal`: for journald (see formatJournalLine). */
  format?: LogFormat;
  /** Where the lines go: stdout unless a test captures them. */
  destination?: DestinationStream;
}

/** sd-daemon priorities (man sd-daemon) by pino level, so `journalctl -p err` keeps errors and worse. */
const JOURNAL_PRIORITY: Record<number, number> = { 10: 7, 20: 7, 30: 6, 40: 4, 50: 3, 60: 2 };
/** Fields journald already records for each entry (time, pid, host) or that SyslogIdentifier= gives. */
const FIELDS_JOURNALD_HAS = new Set(["level", "time", "pid", "hostname", "msg", "service"]);

/** A bare value when it cannot be misread (no space, quote or `=`), JSON otherwise; always one line. */
function formatValue(value: unknown): string {
  if (typeof value === "string" && /^[^\s"=\\]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

/**
 * One pino JSON line as one journal line: `<6>connected to central url=http://… siteId=…`.
 * The priority prefix is read by journald (StandardOutput=journal) and removed from the message;
 * the message comes first for a person reading `journalctl -f`, the structured fields follow as
 * key=value (nested values and the error's stack as JSON, so an entry never spans lines).
 */
export function formatJournalLine(jsonLine: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(jsonLine) as Record<string, unknown>;
  } catch {
    return `<6>${jsonLine.trim()}\n`;
  }
  const priority = JOURNAL_PRIORITY[Number(entry.level)] ?? 6;
  const fields = Object.entries(entry)
    .filter(([key]) => !FIELDS_JOURNALD_HAS.has(key))
    .map(([key, value]) => `${key}=${formatValue(value)}`);
  const message = String(entry.msg ?? "").replace(/[\r\n]+/g, " ");
  return `<${priority}>${[message, ...fields].join(" ")}\n`;
}

/** Rewrites each pino line for journald before it reaches the real destination. */
export function journalDestination(output: DestinationStream): DestinationStream {
  return { write: (line: string) => output.write(formatJournalLine(line)) };
}

export function createLogger(options: LoggerOptions): Logger {
  const pinoOptions = { level: options.level, base: { service: "neopro-sync-agent" } };
  if (options.format !== "journal") return pino(pinoOptions, options.destination);
  // Synchronous writes: the last lines before process.exit() (shutdown, fatal errors) reach the journal.
  const output = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(pinoOptions, journalDestination(output));
}
