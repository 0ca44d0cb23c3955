import { setTimeout as sleep } from "node:timers/promises";
import {
  type AgentToCentralEvents,
  type CentralToAgentEvents,
  MAX_RESULT_BATCH,
  type ResultReport,
  resultsAck,
} from "@neopro/protocol";
import type { Logger } from "pino";
import type { Socket } from "socket.io-client";
import type { AgentStore } from "../store/index.js";

/** JSON bytes per `results:report` message; Socket.IO servers refuse messages over 1 MB by default. */
export const MAX_REPORT_BATCH_BYTES = 512 * 1024;

export interface OutboxSenderOptions {
  socket: Socket<CentralToAgentEvents, AgentToCentralEvents>;
  store: AgentStore;
  logger: Logger;
  ackTimeoutMs: number;
  retryDelayMinMs: number;
  retryDelayMaxMs: number;
  signal: AbortSignal;
}

export interface OutboxSender {
  /** Sends every unreported result while connected; returns when the outbox is empty or the link is down. */
  send(): Promise<void>;
  /** The connection dropped: stop waiting for an acknowledgement that will not come. */
  connectionLost(): void;
}

type Delivery = "complete" | "incomplete" | "connection-lost";

/**
 * Sends the outbox to central in batches until central has acknowledged every
 * result. One loop at a time: a call while it runs returns the running loop,
 * which re-reads the outbox after each batch and once more if asked meanwhile.
 */
export function createOutboxSender(options: OutboxSenderOptions): OutboxSender {
  const { socket, store, logger } = options;
  let loop: Promise<void> | null = null;
  let sendRequested = false;
  let dropConnection: (() => void) | null = null;

  function waitForConnectionLoss(): Promise<"connection-lost"> {
    return new Promise((resolve) => {
      dropConnection = () => resolve("connection-lost");
    });
  }

  async function sendBatch(batch: ResultReport[]): Promise<Delivery> {
    let answer: unknown;
    try {
      const acknowledged = socket.timeout(options.ackTimeoutMs).emitWithAck("results:report", batch);
      answer = await Promise.race([acknowledged, waitForConnectionLoss()]);
    } catch {
      logger.warn(
        { results: batch.length, ackTimeoutMs: options.ackTimeoutMs },
        "central did not acknowledge the results in time; they stay in the outbox and will be sent again",
      );
      return "incomplete";
    } finally {
      dropConnection = null;
    }
    if (answer === "connection-lost") return "connection-lost";
    const parsed = resultsAck.safeParse(answer);
    if (!parsed.success) {
      logger.error(
        { answer },
        "central answered a result report with an invalid acknowledgement; will send again",
      );
      return "incomplete";
    }
    store.markReported(parsed.data.accepted);
    const accepted = new Set(parsed.data.accepted);
    const refused = batch.filter((report) => !accepted.has(report.commandId)).length;
    logger.debug({ sent: batch.length, accepted: batch.length - refused }, "results acknowledged by central");
    if (refused === 0) return "complete";
    logger.warn(
      { refused },
      "central did not accept some results; they stay in the outbox and will be sent again",
    );
    return "incomplete";
  }

  async function sendUntilEmpty() {
    let retryDelayMs = options.retryDelayMinMs;
    let acknowledged = 0;
    while (socket.connected && !options.signal.aborted) {
      const batch = store.unreportedResults(MAX_RESULT_BATCH, MAX_REPORT_BATCH_BYTES);
      if (batch.length === 0) {
        if (acknowledged > 0)
          logger.info({ results: acknowledged }, "outbox flushed: central has every result");
        return;
      }
      const delivery = await sendBatch(batch);
      if (delivery === "complete") {
        acknowledged += batch.length;
        retryDelayMs = options.retryDelayMinMs;
      } else if (delivery === "incomplete") {
        logger.debug({ retryInMs: retryDelayMs }, `sending the outbox again in ${retryDelayMs} ms`);
        await sleep(retryDelayMs, undefined, { signal: options.signal });
        retryDelayMs = Math.min(retryDelayMs * 2, options.retryDelayMaxMs);
      }
    }
  }

  async function sendWhileRequested() {
    for (;;) {
      sendRequested = false;
      try {
        await sendUntilEmpty();
      } catch (error) {
        if (!options.signal.aborted)
          logger.error({ err: error }, "sending results to central failed; will retry");
      }
      // Checked and cleared in the same tick, so a request made while the loop ends is never lost.
      if (!sendRequested || !socket.connected || options.signal.aborted) {
        loop = null;
        return;
      }
    }
  }

  return {
    send() {
      sendRequested = true;
      loop ??= sendWhileRequested();
      return loop;
    },
    connectionLost() {
      dropConnection?.();
    },
  };
}
