import { type DestinationStream, type Logger, pino } from "pino";
import type { LogLevel } from "./config.js";

export interface LoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; stdout (journald picks it up) unless a test captures them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino({ level: options.level, base: { service: "neopro-sync-agent" } }, options.destination);
}
