import { deliveryAck } from "@neopro/protocol";
import type { Logger } from "pino";
import type { ClaimedCommand } from "../store/queue.js";
import type { BatchedStore } from "./batched-store.js";
import { deliverAndAwaitAck, toDeliveredCommand } from "./delivery.js";
import type { AgentConnection } from "./types.js";

/** What woke a site's delivery loop (logged with "Processing pending commands"). */
export type DrainTrigger = "connect" | "notify" | "reconnect" | "sweep";

export interface DeliverySettings {
  /** Commands delivered but not yet acknowledged, per site. */
  deliveryWindow: number;
  deliveryBatchSize: number;
  deliveryAckTimeoutMs: number;
}

/** Delivers a connected site's queued commands, driven by the database state. */
export interface DeliverySession {
  readonly connection: AgentConnection;
  /** Asks for a drain; while one runs this only marks that there may be more to do. */
  kick(trigger: DrainTrigger): void;
}

interface SessionDependencies {
  store: BatchedStore;
  logger: Logger;
  settings: DeliverySettings;
  /** False once the socket closed, was replaced, or central is stopping. */
  isActive(): boolean;
  /** Registers work that shutdown should let finish (acknowledgements being recorded). */
  track(work: Promise<unknown>): void;
}

interface DrainCounts {
  delivered: number;
  failed: number;
}

export function createDeliverySession(
  connection: AgentConnection,
  dependencies: SessionDependencies,
): DeliverySession {
  const { store, logger, settings } = dependencies;
  const { siteId } = connection;
  /** Ids sent and not yet answered: excluded from the next claims. */
  const inFlight = new Set<string>();
  /** Ids this socket failed to acknowledge: left pending for the next connection, not resent to it. */
  const unacknowledged = new Set<string>();
  let draining = false;
  let moreToDo = false;
  let wake: (() => void) | undefined;

  function kick(trigger: DrainTrigger) {
    moreToDo = true;
    if (draining) {
      wake?.();
      return;
    }
    if (!dependencies.isActive()) return;
    draining = true;
    dependencies.track(drain(trigger));
  }

  async function drain(trigger: DrainTrigger): Promise<void> {
    const startedAt = performance.now();
    const counts: DrainCounts = { delivered: 0, failed: 0 };
    const sends = new Set<Promise<void>>();
    let announced = false;
    let mayHaveMore = false;
    try {
      // Acknowledgement-based flow control: claim while the window has room,
      // otherwise sleep until a batch is answered or a kick brings news.
      while (dependencies.isActive()) {
        if (moreToDo) {
          moreToDo = false;
          mayHaveMore = true;
        }
        const room = settings.deliveryWindow - inFlight.size;
        if (mayHaveMore && room > 0) {
          const limit = Math.min(settings.deliveryBatchSize, room);
          const batch = await store.claim({ siteId, limit, excludeIds: [...inFlight, ...unacknowledged] });
          mayHaveMore = batch.length === limit;
          if (batch.length === 0) continue;
          if (!announced) {
            announced = true;
            logger.info(
              { siteId, pendingCount: batch[0]?.site_pending, trigger },
              "Processing pending commands",
            );
          }
          const send: Promise<void> = deliverBatch(batch, counts).finally(() => {
            sends.delete(send);
            wake?.();
          });
          sends.add(send);
          continue;
        }
        if (sends.size === 0) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } catch (error) {
      logger.error(
        { err: error, siteId },
        "Could not claim pending commands; they stay queued and the next notification or sweep retries",
      );
    } finally {
      draining = false;
    }
    await Promise.allSettled(sends);
    if (announced) await reportDrain(counts, startedAt);
  }

  async function reportDrain(counts: DrainCounts, startedAt: number) {
    const remaining = await countQueued();
    const durationMs = Math.round(performance.now() - startedAt);
    logger.info({ siteId, ...counts, remaining, durationMs }, "Pending commands processed");
  }

  async function countQueued(): Promise<number | null> {
    try {
      return await store.countPending(siteId);
    } catch (error) {
      logger.warn({ err: error, siteId }, "Could not count the site's pending commands");
      return null;
    }
  }

  async function deliverBatch(batch: ClaimedCommand[], counts: DrainCounts): Promise<void> {
    const ids = batch.map((command) => command.id);
    for (const id of ids) inFlight.add(id);
    try {
      const recorded = await sendAndConfirm(batch);
      const recordedIds = new Set(recorded);
      for (const id of ids) if (!recordedIds.has(id)) unacknowledged.add(id);
      counts.delivered += recorded.length;
      counts.failed += ids.length - recorded.length;
    } catch (error) {
      for (const id of ids) unacknowledged.add(id);
      counts.failed += ids.length;
      logger.warn(
        { siteId, count: ids.length, reason: describe(error) },
        "Delivery not confirmed; the commands stay pending for the next connection",
      );
    } finally {
      for (const id of ids) inFlight.delete(id);
    }
  }

  /** Sends one batch; returns the ids the agent recorded, now confirmed in the database. */
  async function sendAndConfirm(batch: ClaimedCommand[]): Promise<string[]> {
    const answer = await deliverAndAwaitAck(
      connection,
      batch.map(toDeliveredCommand),
      settings.deliveryAckTimeoutMs,
    );
    const ack = deliveryAck.safeParse(answer);
    if (!ack.success) {
      throw new Error("the agent's acknowledgement does not match the protocol's deliveryAck schema");
    }
    const sent = new Set(batch.map((command) => command.id));
    const recorded = [...new Set(ack.data.recorded)].filter((id) => sent.has(id));
    if (recorded.length < ack.data.recorded.length) {
      logger.warn({ siteId }, "The agent acknowledged ids it was not sent in this batch; ignored them");
    }
    if (recorded.length === 0) return recorded;
    // Only now, once the agent has committed them, do the rows leave pending_commands.
    try {
      await store.confirmDelivered(siteId, recorded);
    } catch (error) {
      throw new Error(
        `recording the acknowledgement failed (${describe(error)}); the agent will be sent them again`,
        {
          cause: error,
        },
      );
    }
    return recorded;
  }

  return { connection, kick };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
