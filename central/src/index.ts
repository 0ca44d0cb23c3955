export type { AgentRegistry, Dispatcher, ResultWaiters } from "./agents/index.js";
export { ADMIN_OPERATOR_NAME, type Central, createCentral } from "./central.js";
export { type CentralConfig, ConfigError, LOG_LEVELS, type LogLevel, loadConfig } from "./config.js";
export type { Database, Queryable } from "./db/database.js";
export { createLogger } from "./logger.js";
export { generateToken, hashToken } from "./tokens.js";
