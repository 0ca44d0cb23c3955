import { type Logger, pino } from "pino";
import type { LogLevel } from "./config.js";

/** Central's root logger: JSON lines on stdout (journald or a collector picks them up). */
export function createLogger(options: { level: LogLevel; name?: string }): Logger {
  return pino({ level: options.level, name: options.name ?? "central" });
}
