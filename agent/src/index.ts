export {
  type Agent,
  type AgentDependencies,
  type AgentStats,
  createAgent,
  readAgentVersion,
} from "./agent.js";
export { type AgentConfig, ConfigError, LOG_LEVELS, type LogLevel, loadConfig } from "./config.js";
export { INTERRUPTED_BY_RESTART, STARTED_NOTICE_DELAY_MS } from "./executor/index.js";
export { type AgentFaults, type DeliveryFault, parseFaultEnv } from "./faults.js";
export {
  CommandFailure,
  type CommandHandler,
  type CommandHandlers,
  type HandlerContext,
  type HandlerPaths,
  type HandlerSettings,
} from "./handlers/types.js";
export { createNoopHandlers } from "./handlers-noop.js";
export { createLogger, type LoggerOptions } from "./logger.js";
export {
  type AgentStore,
  type LedgerCommand,
  type LedgerStatus,
  openStore,
  type RecordedDeliveries,
  type StoreOptions,
} from "./store/index.js";
