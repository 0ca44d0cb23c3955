import { type DeliveredCommand, type DeliveryAck, deliveryBatch, describeIssues } from "@neopro/protocol";
import type { Logger } from "pino";
import type { AgentFaults, FaultPoint } from "../faults.js";
import type { AgentStore } from "../store/index.js";

export interface DeliveryHandlerOptions {
  store: AgentStore;
  logger: Logger;
  faults: AgentFaults | undefined;
  /** Cuts the connection as a network fault would (socket.io then reconnects). */
  dropConnection(): void;
  onCommandsRecorded(): void;
  onReportsRequeued(): void;
}

export interface DeliveryHandler {
  handle(batch: unknown, ack: unknown): void;
  stopAccepting(): void;
}

/** Lines of the journal stay readable: at most this many "type id" pairs per delivery line. */
const MAX_LISTED_COMMANDS = 20;

/** "deploy_video 3f0c…" for each command that will run (the first MAX_LISTED_COMMANDS). */
function describeFresh(batch: readonly DeliveredCommand[], freshIds: readonly string[]): string[] {
  const fresh = new Set(freshIds);
  return batch
    .filter((command) => fresh.has(command.id))
    .slice(0, MAX_LISTED_COMMANDS)
    .map((command) => `${command.type} ${command.id}`);
}

/**
 * `commands:deliver`: validate, commit the whole batch to the ledger in one
 * transaction, THEN acknowledge every id now in the ledger. A known id is
 * never executed again; if it had finished, its stored result is sent again.
 * Nothing is acknowledged that is not committed: central then redelivers.
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): DeliveryHandler {
  const { store, logger } = options;
  let accepting = true;
  let faultFired = false;

  /** Returns true when a test fault replaced what follows `when`. */
  function fireFault(when: FaultPoint): boolean {
    const fault = options.faults?.delivery;
    if (fault?.when !== when || faultFired) return false;
    faultFired = true;
    options.faults?.onFired?.();
    logger.warn(
      { fault },
      `test fault: failing ${when === "before-record" ? "before" : "after"} the ledger commit`,
    );
    if (fault.action === "exit") process.kill(process.pid, "SIGKILL");
    options.dropConnection();
    return true;
  }

  return {
    handle(batch, ack) {
      if (!accepting) {
        logger.debug("delivery ignored: the agent is shutting down (central will deliver it again)");
        return;
      }
      if (typeof ack !== "function") {
        logger.error("central sent a delivery without an acknowledgement callback; ignored");
        return;
      }
      const parsed = deliveryBatch.safeParse(batch);
      if (!parsed.success) {
        logger.error(
          { issues: describeIssues(parsed.error) },
          "central delivered an invalid batch; not acknowledging it (check that central and agent protocol versions match)",
        );
        return;
      }
      if (fireFault("before-record")) return;
      let recorded: ReturnType<AgentStore["recordDeliveries"]>;
      try {
        recorded = store.recordDeliveries(parsed.data);
      } catch (error) {
        logger.error(
          { err: error, commands: parsed.data.length },
          "cannot record delivered commands in the agent database; not acknowledging them (central will deliver them again)",
        );
        return;
      }
      logger.info(
        {
          received: describeFresh(parsed.data, recorded.fresh),
          fresh: recorded.fresh.length,
          alreadyKnown: recorded.known.length,
          resent: recorded.requeuedReports,
        },
        `recorded ${parsed.data.length} delivered command(s)`,
      );
      if (!fireFault("after-record")) {
        const answer: DeliveryAck = { recorded: [...recorded.fresh, ...recorded.known] };
        ack(answer);
      }
      if (recorded.fresh.length > 0) options.onCommandsRecorded();
      if (recorded.requeuedReports > 0) options.onReportsRequeued();
    },
    stopAccepting() {
      accepting = false;
    },
  };
}
