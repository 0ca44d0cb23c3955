import type { Logger } from "pino";
import type { Dispatcher } from "../agents/dispatcher.js";
import type { AgentRegistry } from "../agents/registry.js";
import type { ResultWaiters } from "../agents/result-waiters.js";
import type { CentralConfig } from "../config.js";
import type { Database } from "../db/database.js";
import type { OperatorFeed } from "../operators/index.js";
import type { Operator } from "./auth.js";

/** What the routes need from the rest of central. */
export interface HttpContext {
  db: Database;
  dispatcher: Dispatcher;
  registry: AgentRegistry;
  waiters: ResultWaiters;
  /** Told what the routes change (queued, cancelled, retried commands; new sites). */
  operators: OperatorFeed;
  logger: Logger;
  config: Pick<CentralConfig, "maxWaitSeconds" | "deliveryAckTimeoutMs" | "dashboardDir">;
  /** Aborted when central stops: requests waiting for a result answer at once. */
  stopping: AbortSignal;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the /api authentication hook. */
    operator: Operator | null;
  }
}
