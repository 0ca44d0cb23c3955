import { setTimeout as sleep } from "node:timers/promises";
import { type DeliveredCommand, deliveryAck } from "@neopro/protocol";
import type { Logger } from "pino";
import type { Database } from "../db/database.js";
import { sitesWithDeliverableCommands } from "../store/queue.js";
import { markDirectDeliveryFailed } from "../store/results.js";
import type { BatchedStore } from "./batched-store.js";
import { deliverAndAwaitAck } from "./delivery.js";
import {
  createDeliverySession,
  type DeliverySession,
  type DeliverySettings,
  type DrainTrigger,
} from "./delivery-session.js";
import type { AgentRegistry } from "./registry.js";
import type { AgentConnection } from "./types.js";

export interface DispatcherSettings extends DeliverySettings {
  sweepIntervalMs: number;
}

export type DirectDeliveryOutcome = { delivered: true } | { delivered: false; reason: string };

/**
 * Sends commands to connected agents. Queued commands are delivered from the
 * database: a connect, a NOTIFY on `pending_commands`, a re-established LISTEN
 * or the periodic sweep each kick the site's delivery session.
 */
export interface Dispatcher {
  /** Starts listening for notifications and the safety sweep. */
  start(): Promise<void>;
  /** A socket now owns its site: open a delivery session and drain the queue. */
  attach(connection: AgentConnection): void;
  detach(connection: AgentConnection): void;
  kick(siteId: string, trigger: DrainTrigger): void;
  /** Sends one real-time command (already stored) and records whether the agent took it. */
  sendDirect(siteId: string, command: DeliveredCommand): Promise<DirectDeliveryOutcome>;
  /** Stops claiming; waits up to `graceMs` for acknowledgements in flight to be recorded. */
  stop(graceMs: number): Promise<void>;
  /** Waits for every delivery to finish (quick once the sockets are closed). */
  settle(): Promise<void>;
}

const NOTIFY_CHANNEL = "pending_commands";

export function createDispatcher(options: {
  db: Database;
  store: BatchedStore;
  registry: AgentRegistry;
  logger: Logger;
  settings: DispatcherSettings;
}): Dispatcher {
  const { db, store, registry, settings } = options;
  const logger = options.logger.child({ component: "dispatcher" });
  const sessions = new Map<string, DeliverySession>();
  const inProgress = new Set<Promise<unknown>>();
  const shutdown = new AbortController();
  let unlisten: (() => Promise<void>) | undefined;
  let sweeping: Promise<void> | undefined;

  function track(work: Promise<unknown>) {
    const settled = work.catch(() => {}).finally(() => inProgress.delete(settled));
    inProgress.add(settled);
  }

  function kick(siteId: string, trigger: DrainTrigger) {
    sessions.get(siteId)?.kick(trigger);
  }

  function kickAll(trigger: DrainTrigger) {
    for (const session of sessions.values()) session.kick(trigger);
  }

  async function sweepLoop(signal: AbortSignal) {
    while (!signal.aborted) {
      try {
        await sleep(settings.sweepIntervalMs, undefined, { signal });
      } catch {
        return;
      }
      const online = [...sessions.keys()];
      if (online.length === 0) continue;
      try {
        for (const siteId of await sitesWithDeliverableCommands(db, online)) kick(siteId, "sweep");
      } catch (error) {
        logger.warn({ err: error }, "Safety sweep could not read the queue; retrying at the next interval");
      }
    }
  }

  async function sendDirect(siteId: string, command: DeliveredCommand): Promise<DirectDeliveryOutcome> {
    const connection = registry.current(siteId);
    const outcome = connection
      ? await deliverDirect(connection, command)
      : { delivered: false as const, reason: "the site is not connected" };
    if (!outcome.delivered) {
      await markDirectDeliveryFailed(db, siteId, command.id, `Not delivered: ${outcome.reason}`);
      logger.warn(
        { siteId, commandId: command.id, reason: outcome.reason },
        "Real-time command not delivered",
      );
    }
    return outcome;
  }

  async function deliverDirect(
    connection: AgentConnection,
    command: DeliveredCommand,
  ): Promise<DirectDeliveryOutcome> {
    let answer: unknown;
    try {
      answer = await deliverAndAwaitAck(connection, [command], settings.deliveryAckTimeoutMs);
    } catch (error) {
      return { delivered: false, reason: error instanceof Error ? error.message : String(error) };
    }
    const ack = deliveryAck.safeParse(answer);
    if (!ack.success || !ack.data.recorded.includes(command.id)) {
      return { delivered: false, reason: "the agent did not acknowledge recording the command" };
    }
    await store.confirmDelivered(connection.siteId, [command.id]);
    return { delivered: true };
  }

  return {
    async start() {
      unlisten = await db.listen(
        NOTIFY_CHANNEL,
        (siteId) => kick(siteId, "notify"),
        // Notifications sent while the LISTEN connection was down are lost: re-read every connected site.
        { onReconnect: () => kickAll("reconnect") },
      );
      sweeping = sweepLoop(shutdown.signal);
    },
    attach(connection) {
      const session = createDeliverySession(connection, {
        store,
        logger,
        settings,
        isActive: () =>
          !shutdown.signal.aborted && !connection.closed.aborted && registry.isCurrent(connection),
        track,
      });
      sessions.set(connection.siteId, session);
      session.kick("connect");
    },
    detach(connection) {
      if (sessions.get(connection.siteId)?.connection === connection) sessions.delete(connection.siteId);
    },
    kick,
    sendDirect(siteId, command) {
      const sending = sendDirect(siteId, command);
      track(sending);
      return sending;
    },
    async settle() {
      while (inProgress.size > 0) await Promise.allSettled([...inProgress]);
    },
    async stop(graceMs) {
      shutdown.abort();
      await sweeping;
      await unlisten?.().catch((error: unknown) => {
        logger.warn({ err: error }, "Could not stop listening for pending command notifications");
      });
      const pending = inProgress.size;
      if (pending === 0) return;
      logger.info({ pending, graceMs }, "Waiting for deliveries in flight to be acknowledged");
      const graceTimer = new AbortController();
      const timer = sleep(graceMs, "timeout" as const, { signal: graceTimer.signal }).catch(
        () => "done" as const,
      );
      const settled = Promise.allSettled([...inProgress]).then(() => "done" as const);
      const outcome = await Promise.race([settled, timer]).finally(() => graceTimer.abort());
      if (outcome === "timeout") {
        logger.warn(
          { pending: inProgress.size },
          "Shutdown grace period over; unacknowledged commands stay pending and are delivered again",
        );
      }
    },
  };
}
