import { z } from "zod";
import { priority } from "./catalogue.js";
import { isoDateTime, uuid } from "./fields.js";
import { RESULT_STATUSES } from "./statuses.js";

/**
 * Version of the agent ⇄ central protocol. Central accepts agents whose
 * version lies in [MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_VERSION] and
 * refuses others at connect with the code "PROTOCOL_INCOMPATIBLE".
 */
export const PROTOCOL_VERSION = 1;
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;

/** Socket.IO namespace the agents connect to. */
export const AGENT_NAMESPACE = "/agent";

/** `auth` payload the agent sends in its Socket.IO handshake. */
export const agentHandshake = z.strictObject({
  siteId: uuid,
  token: z.string().min(1).max(512),
  protocolVersion: z.number().int().positive(),
  agentVersion: z.string().max(64),
});
export type AgentHandshake = z.infer<typeof agentHandshake>;

/** Codes central gives in `connect_error.data.code` when it refuses an agent. */
export const CONNECT_REFUSAL_CODES = Object.freeze([
  "INVALID_HANDSHAKE",
  "PROTOCOL_INCOMPATIBLE",
  "UNKNOWN_SITE",
  "INVALID_SITE_TOKEN",
  "SERVER_UNAVAILABLE",
] as const);
export const connectRefusal = z.object({ code: z.enum(CONNECT_REFUSAL_CODES), message: z.string() });
export type ConnectRefusal = z.infer<typeof connectRefusal>;

/**
 * One command as central delivers it. `params` is checked by the agent
 * against the catalogue; an unknown type or bad params is still recorded and
 * reported as failed, so central always gets an answer.
 */
export const deliveredCommand = z.strictObject({
  id: uuid,
  type: z.string().min(1).max(100),
  params: z.unknown(),
  priority,
  createdAt: isoDateTime,
  expiresAt: isoDateTime.nullable(),
});
export type DeliveredCommand = z.infer<typeof deliveredCommand>;

export const MAX_DELIVERY_BATCH = 500;
export const deliveryBatch = z.array(deliveredCommand).min(1).max(MAX_DELIVERY_BATCH);

/** The agent's answer to a delivery: the ids it has committed to its ledger. */
export const deliveryAck = z.strictObject({ recorded: z.array(uuid) });
export type DeliveryAck = z.infer<typeof deliveryAck>;

export const commandError = z.strictObject({
  code: z.string().min(1).max(100),
  message: z.string().max(10_000),
});
export type CommandError = z.infer<typeof commandError>;

/** The outcome of one command, sent from the agent's outbox until central acknowledges it. */
export const resultReport = z.strictObject({
  commandId: uuid,
  status: z.enum(RESULT_STATUSES),
  result: z.unknown().optional(),
  error: commandError.optional(),
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime,
});
export type ResultReport = z.infer<typeof resultReport>;

export const MAX_RESULT_BATCH = 500;
export const resultBatch = z.array(resultReport).min(1).max(MAX_RESULT_BATCH);

/** Central's answer to a result batch: ids it has stored (or had stored before). */
export const resultsAck = z.strictObject({ accepted: z.array(uuid) });
export type ResultsAck = z.infer<typeof resultsAck>;

export const startedNotice = z.strictObject({ commandId: uuid, startedAt: isoDateTime });
export const startedBatch = z.array(startedNotice).min(1).max(MAX_RESULT_BATCH);
export type StartedNotice = z.infer<typeof startedNotice>;

/** Events central emits to an agent. */
export interface CentralToAgentEvents {
  "commands:deliver": (batch: DeliveredCommand[], ack: (answer: DeliveryAck) => void) => void;
}

/** Events an agent emits to central. */
export interface AgentToCentralEvents {
  "results:report": (batch: ResultReport[], ack: (answer: ResultsAck) => void) => void;
  "commands:started": (batch: StartedNotice[]) => void;
}
