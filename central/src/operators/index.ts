import type { Logger } from "pino";
import type { Server } from "socket.io";
import type { Queryable } from "../db/database.js";
import { type CoalescingFeed, createCoalescingFeed } from "./feed.js";
import { createOperatorNamespace } from "./namespace.js";

export type { OperatorFeed } from "./feed.js";
export { observeDeliveryStore } from "./observed-store.js";

/** 150 ms: live enough for a person, and a burst of changes becomes one message. */
const FLUSH_DELAY_MS = 150;

/** The operators' live feed over the `/operator` Socket.IO namespace. */
export function createOperatorFeed(options: {
  io: Server;
  db: Queryable;
  logger: Logger;
  isOnline(siteId: string): boolean;
}): CoalescingFeed {
  const logger = options.logger.child({ component: "operators" });
  const audience = createOperatorNamespace({ ...options, logger });
  return createCoalescingFeed({ db: options.db, audience, logger, flushDelayMs: FLUSH_DELAY_MS });
}
