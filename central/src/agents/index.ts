export type { DrainTrigger } from "./delivery-session.js";
export { createDispatcher, type DirectDeliveryOutcome, type Dispatcher } from "./dispatcher.js";
export { type AgentGateway, createAgentGateway } from "./namespace.js";
export { type AgentRegistry, createAgentRegistry } from "./registry.js";
export { createResultWaiters, type ResultWaiters, type WaitOutcome } from "./result-waiters.js";
export type { AgentConnection, AgentNamespace, AgentSocket } from "./types.js";
