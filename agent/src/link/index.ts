import { EventEmitter, once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AGENT_NAMESPACE,
  type AgentHandshake,
  type AgentToCentralEvents,
  type CentralToAgentEvents,
  PROTOCOL_VERSION,
  type StartedNotice,
} from "@neopro/protocol";
import type { Logger } from "pino";
import { io, type Socket } from "socket.io-client";
import type { AgentConfig } from "../config.js";
import type { AgentFaults } from "../faults.js";
import type { AgentStore } from "../store/index.js";
import { createDeliveryHandler } from "./deliveries.js";
import { createOutboxSender } from "./outbox-sender.js";
import { readRefusal } from "./refusal.js";

export { MAX_REPORT_BATCH_BYTES } from "./outbox-sender.js";

export type LinkConfig = Pick<
  AgentConfig,
  "centralUrl" | "siteId" | "siteToken" | "reconnectDelayMinMs" | "reconnectDelayMaxMs" | "ackTimeoutMs"
>;

export interface LinkOptions {
  config: LinkConfig;
  agentVersion: string;
  store: AgentStore;
  logger: Logger;
  /** New commands are in the ledger. */
  onCommandsRecorded(): void;
  faults?: AgentFaults;
}

export interface Link {
  start(): void;
  /** Sends the outbox now if connected (results were committed, or a redelivery requeued some). */
  sendResults(): Promise<void>;
  /** Fire-and-forget `commands:started`; dropped when offline (the result will follow anyway). */
  notifyStarted(notice: StartedNotice): void;
  /** Stops accepting deliveries (shutdown begins). */
  stopAccepting(): void;
  /** Tries to send what is left in the outbox for up to `timeoutMs`, then closes the connection. */
  close(timeoutMs: number): Promise<void>;
  readonly connected: boolean;
  /** When the link last came up or went down (or was created, if it never connected). */
  readonly connectionChangedAt: Date;
}

type LinkState = "starting" | "connected" | "disconnected" | "unreachable" | "refused";

/**
 * The connection to central. Network failures: socket.io reconnects by itself
 * with exponential backoff and ±50 % jitter between the configured bounds.
 * A refusal (bad token, unknown site…) or a server-side disconnect is not
 * retried by socket.io, so a loop here reconnects after a delay. Each state
 * change is logged once; individual attempts only at debug level.
 */
export function createLink(options: LinkOptions): Link {
  const { config, store, logger } = options;
  const abort = new AbortController();
  const url = new URL(AGENT_NAMESPACE, config.centralUrl).href;
  const handshake: AgentHandshake = {
    siteId: config.siteId,
    token: config.siteToken,
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: options.agentVersion,
  };
  const socket: Socket<CentralToAgentEvents, AgentToCentralEvents> = io(url, {
    transports: ["websocket"],
    auth: handshake,
    autoConnect: false,
    forceNew: true,
    reconnection: true,
    reconnectionDelay: config.reconnectDelayMinMs,
    reconnectionDelayMax: config.reconnectDelayMaxMs,
    randomizationFactor: 0.5,
  });
  const outbox = createOutboxSender({
    socket,
    store,
    logger,
    ackTimeoutMs: config.ackTimeoutMs,
    retryDelayMinMs: config.reconnectDelayMinMs,
    retryDelayMaxMs: config.reconnectDelayMaxMs,
    signal: abort.signal,
  });
  const deliveries = createDeliveryHandler({
    store,
    logger,
    faults: options.faults,
    dropConnection: () => socket.io.engine?.close(),
    onCommandsRecorded: options.onCommandsRecorded,
    onReportsRequeued: () => void outbox.send(),
  });
  const manualReconnects = new EventEmitter();
  let state: LinkState = "starting";
  let lastRefusalCode: string | null = null;
  let connectionChangedAt = new Date();

  function saveState(key: "last_connected_at" | "last_disconnected_at") {
    try {
      store.writeState(key, new Date().toISOString());
    } catch (error) {
      logger.warn({ err: error, key }, "cannot write the agent state; status tools may show stale times");
    }
  }

  socket.on("connect", () => {
    state = "connected";
    connectionChangedAt = new Date();
    lastRefusalCode = null;
    logger.info({ url }, "connected to central");
    saveState("last_connected_at");
    void outbox.send();
  });

  socket.on("disconnect", (reason) => {
    outbox.connectionLost();
    if (abort.signal.aborted) return;
    state = "disconnected";
    connectionChangedAt = new Date();
    saveState("last_disconnected_at");
    if (reason === "io server disconnect") {
      // Central closed this connection on purpose (restart, or a newer connection for this site): try again later.
      logger.warn(
        { reason, retryInMs: config.reconnectDelayMinMs },
        `central closed the connection; reconnecting in about ${config.reconnectDelayMinMs} ms`,
      );
      manualReconnects.emit("reconnect", config.reconnectDelayMinMs);
    } else {
      logger.warn(
        { reason, retryDelayMinMs: config.reconnectDelayMinMs, retryDelayMaxMs: config.reconnectDelayMaxMs },
        `disconnected from central (${reason}); reconnecting with backoff`,
      );
    }
  });

  socket.on("connect_error", (error) => {
    if (abort.signal.aborted) return;
    if (socket.active) {
      logger.debug({ err: error.message }, "connection attempt to central failed");
      if (state !== "unreachable") {
        logger.warn(
          {
            url,
            error: error.message,
            retryDelayMinMs: config.reconnectDelayMinMs,
            retryDelayMaxMs: config.reconnectDelayMaxMs,
          },
          `central is unreachable; retrying with backoff from ${config.reconnectDelayMinMs} ms up to ${config.reconnectDelayMaxMs} ms (commands run and results wait in the outbox meanwhile)`,
        );
      }
      state = "unreachable";
      return;
    }
    const refusal = readRefusal(error);
    if (state !== "refused" || lastRefusalCode !== refusal.code) {
      logger.error({ code: refusal.code, retryInMs: config.reconnectDelayMaxMs }, refusal.explanation);
    } else {
      logger.debug({ code: refusal.code }, "handshake refused again for the same reason (already logged)");
    }
    state = "refused";
    lastRefusalCode = refusal.code;
    manualReconnects.emit("reconnect", config.reconnectDelayMaxMs);
  });

  socket.on("commands:deliver", deliveries.handle);

  /** Reconnects after refusals and server-side disconnects, which socket.io does not retry by itself. */
  async function reconnectWhenAsked(signal: AbortSignal) {
    while (!signal.aborted) {
      const [delayMs] = (await once(manualReconnects, "reconnect", { signal })) as [number];
      const jitteredMs = Math.round(delayMs * (0.5 + Math.random()));
      await sleep(jitteredMs, undefined, { signal });
      if (!socket.active) {
        logger.debug({ url }, "connecting to central again");
        socket.connect();
      }
    }
  }

  return {
    start() {
      reconnectWhenAsked(abort.signal).catch((error: unknown) => {
        if (!abort.signal.aborted) logger.error({ err: error }, "the reconnection loop stopped unexpectedly");
      });
      logger.info({ url, siteId: config.siteId }, "connecting to central");
      socket.connect();
    },
    sendResults: () => outbox.send(),
    notifyStarted(notice) {
      if (socket.connected) socket.emit("commands:started", [notice]);
    },
    stopAccepting: () => deliveries.stopAccepting(),
    async close(timeoutMs) {
      deliveries.stopAccepting();
      if (socket.connected) {
        await Promise.race([outbox.send(), sleep(timeoutMs, undefined, { ref: false })]);
      }
      abort.abort();
      socket.disconnect();
    },
    get connected() {
      return socket.connected;
    },
    get connectionChangedAt() {
      return connectionChangedAt;
    },
  };
}
